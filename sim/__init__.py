"""sim: a fast noisy simulator in the Pauli-Liouville (Pauli-transfer-matrix) representation.

``import sim`` pulls in only numpy and numba.
"""

from sim.circuit import GATE_ARITY, ROTATION_GATES, Circuit, Operation, Param
from sim.pauli import PauliSum

__all__ = ["Circuit", "Operation", "Param", "PauliSum", "GATE_ARITY", "ROTATION_GATES"]
