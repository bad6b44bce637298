OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-6.100881273738894) q[0];
cx q[0], q[1];
ry(9.467945934034347) q[0];
