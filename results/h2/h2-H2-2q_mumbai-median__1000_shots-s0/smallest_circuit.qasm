OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(3.3634203012135786) q[0];
rx(9.478141787730177) q[1];
cx q[0], q[1];
