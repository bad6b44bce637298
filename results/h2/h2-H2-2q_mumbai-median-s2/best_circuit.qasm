OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-6.506575114075614) q[0];
cx q[0], q[1];
rx(3.1415929205215147) q[0];
