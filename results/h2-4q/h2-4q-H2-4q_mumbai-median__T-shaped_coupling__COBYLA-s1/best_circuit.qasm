OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
rx(3.1415957084852675) q[0];
rx(3.1415901371415296) q[1];
