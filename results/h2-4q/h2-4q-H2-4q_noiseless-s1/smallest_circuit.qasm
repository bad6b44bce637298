OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
ry(-9.214475126065048) q[1];
cx q[1], q[2];
rx(-3.1415345168551037) q[2];
cx q[1], q[0];
cx q[2], q[3];
