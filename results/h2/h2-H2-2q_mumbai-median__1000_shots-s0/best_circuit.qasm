OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-6.100881273738879) q[0];
cx q[0], q[1];
ry(9.467945934034345) q[0];
