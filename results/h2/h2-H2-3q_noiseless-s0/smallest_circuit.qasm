OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
rx(-9.424792109315508) q[0];
rx(9.424717261768414) q[1];
ry(6.056855253290568) q[2];
cx q[2], q[0];
