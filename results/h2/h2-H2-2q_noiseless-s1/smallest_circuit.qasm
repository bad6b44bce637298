OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-2.9152564219986026) q[0];
rx(3.141606008764467) q[1];
cx q[0], q[1];
