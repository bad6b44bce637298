OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
ry(3.1415947590629254) q[1];
ry(-0.22611801030599726) q[0];
cx q[1], q[2];
cx q[2], q[0];
cx q[0], q[2];
