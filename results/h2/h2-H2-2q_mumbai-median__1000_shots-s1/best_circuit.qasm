OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(0.2078668268613749) q[1];
cx q[1], q[0];
rz(0.0657212873899301) q[0];
ry(-3.107263073484421) q[0];
