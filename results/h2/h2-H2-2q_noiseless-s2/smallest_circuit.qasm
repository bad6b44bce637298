OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-3.1415925702747627) q[0];
ry(-0.2263365713881136) q[1];
cx q[1], q[0];
