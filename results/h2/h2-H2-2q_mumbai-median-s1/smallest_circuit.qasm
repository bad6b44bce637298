OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(12.342981224565733) q[0];
cx q[0], q[1];
rx(-3.1415929583275983) q[0];
