"""Gate matrices and their Pauli transfer matrices.

Matrix convention (all multi-qubit matrices in ``sim``): basis index bit k is
the k-th qubit of the gate's qubit tuple, so for ``cx`` on ``(control, target)``
the control is the least significant bit. This equals Qiskit's matrix of the
gate appended on qargs ``[qubits[0], qubits[1]]``. Rotations are
``exp(-i theta P / 2)`` as in Qiskit.
"""

from __future__ import annotations

import numpy as np

from sim.circuit import GATE_ARITY, ROTATION_GATES

_S2 = 1.0 / np.sqrt(2.0)

PAULI_MATRICES: tuple[np.ndarray, ...] = (
    np.eye(2, dtype=np.complex128),
    np.array([[0, 1], [1, 0]], dtype=np.complex128),
    np.array([[0, -1j], [1j, 0]], dtype=np.complex128),
    np.array([[1, 0], [0, -1]], dtype=np.complex128),
)

_FIXED: dict[str, np.ndarray] = {
    "id": np.eye(2, dtype=np.complex128),
    "x": PAULI_MATRICES[1],
    "y": PAULI_MATRICES[2],
    "z": PAULI_MATRICES[3],
    "h": np.array([[_S2, _S2], [_S2, -_S2]], dtype=np.complex128),
    "s": np.array([[1, 0], [0, 1j]], dtype=np.complex128),
    "sdg": np.array([[1, 0], [0, -1j]], dtype=np.complex128),
    "sx": 0.5 * np.array([[1 + 1j, 1 - 1j], [1 - 1j, 1 + 1j]], dtype=np.complex128),
    # control = bit 0: |c=1,t=0> (index 1) <-> |c=1,t=1> (index 3)
    "cx": np.array([[1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0]], dtype=np.complex128),
    "cz": np.diag([1, 1, 1, -1]).astype(np.complex128),
    "swap": np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], dtype=np.complex128),
}
for _m in _FIXED.values():
    _m.setflags(write=False)

_ROTATION_AXIS = {"rx": 1, "ry": 2, "rz": 3}


def gate_unitary(name: str, angle: float | None = None) -> np.ndarray:
    """Unitary of gate ``name`` (2x2 or 4x4); rotations need ``angle``, other gates refuse one."""
    key = str(name).lower()
    if key not in GATE_ARITY:
        raise ValueError(f"unknown gate {name!r}; known gates: {sorted(GATE_ARITY)}")
    if key in ROTATION_GATES:
        if angle is None:
            raise ValueError(f"rotation gate {key!r} needs an angle")
        theta = float(angle)
        if not np.isfinite(theta):
            raise ValueError(f"rotation gate {key!r}: angle must be finite, got {angle!r}")
        pauli = PAULI_MATRICES[_ROTATION_AXIS[key]]
        return np.cos(theta / 2) * PAULI_MATRICES[0] - 1j * np.sin(theta / 2) * pauli
    if angle is not None:
        raise ValueError(f"gate {key!r} takes no angle")
    return _FIXED[key].copy()


def rotation_axis(name: str) -> int:
    """Pauli digit (1, 2, 3 for X, Y, Z) a rotation gate turns about."""
    key = str(name).lower()
    if key not in _ROTATION_AXIS:
        raise ValueError(f"{name!r} is not a rotation gate")
    return _ROTATION_AXIS[key]


def pauli_basis(num_qubits: int) -> np.ndarray:
    """All 4^k Pauli strings as matrices, indexed by ``sum_j d_j 4^j`` (bit j of the matrix = qubit j)."""
    basis = np.array(PAULI_MATRICES)
    for _ in range(1, num_qubits):
        # new (more significant) qubit goes to the left of the kron, and to the slow end of the index
        basis = np.einsum("aij,bkl->abikjl", PAULI_MATRICES, basis).reshape(
            4 * basis.shape[0], 2 * basis.shape[1], 2 * basis.shape[2])
    return basis


def unitary_ptm(unitary: np.ndarray) -> np.ndarray:
    """Real PTM ``R_PQ = 2^-k Tr(P U Q U^dag)`` of a unitary on k qubits."""
    u = np.asarray(unitary, dtype=np.complex128)
    dim = u.shape[0]
    k = int(round(np.log2(dim)))
    basis = pauli_basis(k)
    conj = np.einsum("ij,qjk,lk->qil", u, basis, u.conj())
    ptm = np.einsum("pji,qij->pq", basis, conj) / dim
    return np.ascontiguousarray(ptm.real)


def gate_ptm(name: str, angle: float | None = None) -> np.ndarray:
    """PTM of a gate (4x4 or 16x16)."""
    return unitary_ptm(gate_unitary(name, angle))


def rotation_ptm_parts(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Constant ``(A, B, C)`` with ``PTM(theta) = A + cos(theta) B + sin(theta) C`` for rx/ry/rz."""
    axis = rotation_axis(name)
    a = np.zeros((4, 4))
    a[0, 0] = 1.0
    a[axis, axis] = 1.0
    b = np.zeros((4, 4))
    # the two Paulis orthogonal to the axis, in cyclic order (axis, i, j) so that
    # exp(-i theta P/2) maps i -> cos i + sin j and j -> cos j - sin i
    i, j = {1: (2, 3), 2: (3, 1), 3: (1, 2)}[axis]
    b[i, i] = 1.0
    b[j, j] = 1.0
    c = np.zeros((4, 4))
    c[j, i] = 1.0
    c[i, j] = -1.0
    return a, b, c
