OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(0.22299285956562317) q[1];
cx q[1], q[0];
ry(3.141593802805837) q[0];
