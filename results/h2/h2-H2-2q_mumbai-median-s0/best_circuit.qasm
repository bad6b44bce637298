OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(-6.506570454326539) q[1];
cx q[1], q[0];
rx(3.141646654853792) q[0];
