OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(6.059795731574445) q[0];
cx q[0], q[1];
rx(-3.141592408074776) q[0];
