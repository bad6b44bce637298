OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
ry(-0.2095263621193368) q[3];
ry(15.707902503922591) q[1];
ry(-9.424800757002206) q[0];
cx q[3], q[1];
cx q[3], q[0];
cx q[3], q[2];
