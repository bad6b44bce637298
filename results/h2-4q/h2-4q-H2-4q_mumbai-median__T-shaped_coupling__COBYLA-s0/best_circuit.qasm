OPENQASM 3.0;
include "stdgates.inc";
qubit[4] q;
rx(3.141593707979197) q[1];
ry(3.1415912116490023) q[0];
