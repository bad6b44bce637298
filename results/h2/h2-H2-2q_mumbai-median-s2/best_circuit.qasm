OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(6.059795709213191) q[0];
cx q[0], q[1];
rx(-3.141593059820653) q[0];
