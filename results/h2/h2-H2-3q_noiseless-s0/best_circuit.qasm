OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
rx(9.424784279989714) q[1];
ry(-1.391628292276036) q[2];
cx q[1], q[2];
ry(5.117694773656394) q[2];
cx q[2], q[0];
cx q[1], q[2];
