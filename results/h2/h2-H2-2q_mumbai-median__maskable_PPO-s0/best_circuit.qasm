OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-6.060191787957818) q[0];
cx q[0], q[1];
ry(-9.42477800357822) q[0];
