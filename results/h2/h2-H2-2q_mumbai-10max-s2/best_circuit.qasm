OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
rx(-pi) q[0];
