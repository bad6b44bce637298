"""A plain-numpy density-matrix simulator: the independent check of the PTM engine.

It shares nothing with the PTM path but the gate matrices
(:func:`sim.gates.gate_unitary`) and the channels' Kraus operators: the
2^n x 2^n density matrix is updated with ``tensordot`` per gate and Kraus
operator, and each Pauli term is measured the way hardware does it: rotate
its qubits to the Z basis, take the outcome distribution, push it through
the readout assignment matrices, and average the parity.
"""

from __future__ import annotations

import numpy as np

from sim.circuit import Circuit
from sim.gates import gate_unitary
from sim.limits import check_density_matrix_size
from sim.noise import NoiseModel
from sim.pauli import PauliSum, code_digits

_S2 = 1.0 / np.sqrt(2.0)
# V with V P V^dag = Z, per Pauli digit (I is measured in Z too)
_BASIS_CHANGE = {
    0: np.eye(2, dtype=np.complex128),
    1: np.array([[_S2, _S2], [_S2, -_S2]], dtype=np.complex128),                      # H
    2: np.array([[_S2, _S2], [_S2, -_S2]]) @ np.diag([1.0, -1j]),                      # H Sdg
    3: np.eye(2, dtype=np.complex128),
}


def apply_operator(rho: np.ndarray, op: np.ndarray, qubits: tuple[int, ...], num_qubits: int) -> np.ndarray:
    """``op rho op^dag`` for ``rho`` as an n-qubit tensor of shape (2,)*2n (bit j of ``op`` = ``qubits[j]``)."""
    n = num_qubits
    k = len(qubits)
    op_t = op.reshape((2,) * (2 * k))
    rows = [n - 1 - qubits[j] for j in reversed(range(k))]
    cols = [2 * n - 1 - qubits[j] for j in reversed(range(k))]
    out = np.tensordot(op_t, rho, axes=(list(range(k, 2 * k)), rows))
    out = np.moveaxis(out, list(range(k)), rows)
    out = np.tensordot(out, op_t.conj(), axes=(cols, list(range(k, 2 * k))))
    return np.moveaxis(out, list(range(2 * n - k, 2 * n)), cols)


class DensityMatrixSimulator:
    """Exact noisy expectation values from the full density matrix (slow, simple, independent)."""

    def __init__(self, noise_model: NoiseModel | None = None, readout: bool = True):
        if noise_model is not None and not isinstance(noise_model, NoiseModel):
            raise TypeError(f"noise_model must be a sim.NoiseModel or None, got {type(noise_model).__name__}")
        self.noise_model = noise_model
        self.readout = bool(readout)

    # ------------------------------------------------------------------ state
    def _tensor(self, circuit: Circuit, params) -> np.ndarray:
        if not isinstance(circuit, Circuit):
            raise TypeError(f"expected a sim.Circuit, got {type(circuit).__name__}")
        check_density_matrix_size(circuit.num_qubits)
        values = circuit.check_parameters(params)
        if values.ndim != 1:
            raise ValueError("pass one parameter vector (use expectation_batch for a batch)")
        n = circuit.num_qubits
        rho = np.zeros((2,) * (2 * n), dtype=np.complex128)
        rho[(0,) * (2 * n)] = 1.0
        for op in circuit.operations:
            angle = values[op.param] if op.param is not None else op.angle
            rho = apply_operator(rho, gate_unitary(op.name, angle), op.qubits, n)
            channel = self.noise_model.errors_for(op.name, op.qubits) if self.noise_model is not None else None
            if channel is not None:
                rho = sum(apply_operator(rho, k, op.qubits, n) for k in channel.kraus_operators)
        return rho

    def density_matrix(self, circuit: Circuit, params=None) -> np.ndarray:
        """The final 2^n x 2^n density matrix (basis index bit q = qubit q)."""
        dim = 2**circuit.num_qubits
        return self._tensor(circuit, params).reshape(dim, dim)

    # ------------------------------------------------------------------ measurement
    def _assignment(self, qubit: int) -> np.ndarray | None:
        if not self.readout or self.noise_model is None:
            return None
        err = self.noise_model.readout_for(qubit)
        return None if err is None else err.probabilities

    def _measure(self, rho: np.ndarray, hamiltonian: PauliSum, n: int) -> float:
        digits = code_digits(hamiltonian.codes, n)
        groups: list[tuple[np.ndarray, list[int]]] = []  # (basis per qubit, term indices), qubit-wise commuting
        for t in range(hamiltonian.num_terms):
            for basis, members in groups:
                if np.all((digits[t] == 0) | (basis == 0) | (digits[t] == basis)):
                    np.maximum(basis, digits[t], out=basis)
                    members.append(t)
                    break
            else:
                groups.append((digits[t].copy(), [t]))
        total = 0.0
        bits = np.arange(2**n, dtype=np.int64)
        for basis, members in groups:
            r = rho
            for q in range(n):
                if basis[q] in (1, 2):
                    r = apply_operator(r, _BASIS_CHANGE[int(basis[q])], (q,), n)
            probs = np.real(np.diagonal(r.reshape(2**n, 2**n))).reshape((2,) * n)
            for q in range(n):
                mat = self._assignment(q)
                if mat is not None:
                    # p'(m) = sum_i p(i) P(m | i) on qubit q's axis
                    probs = np.moveaxis(np.tensordot(probs, mat, axes=([n - 1 - q], [0])), -1, n - 1 - q)
            flat = probs.reshape(-1)
            for t in members:
                support = int(np.sum((digits[t] != 0).astype(np.int64) << np.arange(n)))
                parity = np.bitwise_count(bits & support) & 1 if hasattr(np, "bitwise_count") else \
                    np.array([bin(int(b)).count("1") & 1 for b in bits & support])
                total += hamiltonian.coeffs[t] * float(np.dot(flat, 1.0 - 2.0 * parity))
        return total

    def expectation(self, circuit: Circuit, hamiltonian: PauliSum, params=None) -> float:
        """``<H>`` after the circuit, with gate noise and (if enabled) readout error on every measured term."""
        _check_hamiltonian(circuit, hamiltonian)
        return self._measure(self._tensor(circuit, params), hamiltonian, circuit.num_qubits)

    def expectation_batch(self, circuit: Circuit, hamiltonian: PauliSum, params_2d) -> np.ndarray:
        """:meth:`expectation` for each row of ``params_2d``."""
        arr = np.asarray(params_2d, dtype=np.float64)
        if arr.ndim != 2:
            raise ValueError(f"params_2d must be 2-D (one parameter vector per row), got shape {arr.shape}")
        return np.array([self.expectation(circuit, hamiltonian, row) for row in arr])


def _check_hamiltonian(circuit: Circuit, hamiltonian: PauliSum) -> None:
    if not isinstance(hamiltonian, PauliSum):
        raise TypeError(f"hamiltonian must be a sim.PauliSum, got {type(hamiltonian).__name__}")
    if hamiltonian.num_qubits != circuit.num_qubits:
        raise ValueError(f"hamiltonian acts on {hamiltonian.num_qubits} qubits but the circuit has "
                         f"{circuit.num_qubits}")
