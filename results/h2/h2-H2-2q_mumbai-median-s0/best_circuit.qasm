OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(6.059795566201599) q[1];
cx q[1], q[0];
rx(-3.1415928267565656) q[0];
