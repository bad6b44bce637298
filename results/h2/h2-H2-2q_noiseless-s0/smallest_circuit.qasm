OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-3.141592684725708) q[1];
ry(3.367929261754329) q[0];
cx q[0], q[1];
