OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
rz(9.842164428969474) q[0];
ry(-9.162178578104221) q[0];
rx(3.210581906449309) q[1];
cx q[0], q[1];
