"""sim: a fast noisy simulator in the Pauli-Liouville (Pauli-transfer-matrix) representation.

``import sim`` pulls in only numpy and numba.
"""

from sim import channels
from sim.channels import Channel, ReadoutError
from sim.circuit import GATE_ARITY, ROTATION_GATES, Circuit, Operation, Param
from sim.gates import gate_unitary
from sim.noise import NoiseModel
from sim.pauli import PauliSum
from sim.reference import DensityMatrixSimulator
from sim.simulator import CompiledExpectation, PTMSimulator
from sim.statevector import StatevectorSimulator

__all__ = [
    "Circuit", "Operation", "Param", "PauliSum", "GATE_ARITY", "ROTATION_GATES",
    "Channel", "ReadoutError", "NoiseModel", "channels", "gate_unitary",
    "PTMSimulator", "CompiledExpectation", "StatevectorSimulator", "DensityMatrixSimulator",
]
