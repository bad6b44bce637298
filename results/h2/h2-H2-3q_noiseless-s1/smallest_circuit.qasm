OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
ry(-3.141640520474493) q[1];
ry(3.367921801963604) q[0];
ry(-3.141649356864416) q[2];
cx q[0], q[2];
