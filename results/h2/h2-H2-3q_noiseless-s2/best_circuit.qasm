OPENQASM 3.0;
include "stdgates.inc";
qubit[3] q;
ry(3.3677516572463713) q[2];
ry(3.141594683243586) q[1];
cx q[2], q[0];
cx q[1], q[2];
