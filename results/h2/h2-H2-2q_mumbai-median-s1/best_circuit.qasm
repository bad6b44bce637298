OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-0.22339003597004986) q[0];
cx q[0], q[1];
rx(9.424778284615858) q[0];
