OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
ry(-15.707939335864577) q[1];
rx(9.424782700630223) q[0];
ry(-0.22633414356355652) q[2];
cx q[2], q[0];
