OPENQASM 3.0;
include "stdgates.inc";
qubit[2] q;
ry(0.20786682686135596) q[1];
cx q[1], q[0];
rz(0.06572128738991875) q[0];
ry(-3.1072630734844173) q[0];
