OPENQASM 3.0;
include "stdgates.inc";
qubit[8] q;
ry(-3.141592919500976) q[0];
cx q[6], q[2];
rx(3.1416071750105123) q[3];
rx(9.424769822637767) q[2];
cx q[1], q[5];
cx q[3], q[1];
