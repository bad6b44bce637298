OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(6.506178298094336) q[1];
cx q[1], q[0];
ry(-9.424778220027402) q[0];
