OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
ry(3.141593140042787) q[0];
rx(3.14159504096454) q[1];
