"""StatevectorSimulator: the noiseless fast path (2^n complex amplitudes, Numba kernels).

Same circuit/Hamiltonian/compile API as :class:`sim.PTMSimulator`, without
noise. Consecutive 1-qubit gates on a qubit are fused into one 2x2 matrix per
parameter vector; a rotation is ``cos(theta/2) I - i sin(theta/2) P``.
"""

from __future__ import annotations

import numpy as np

from sim.circuit import ROTATION_GATES, Circuit
from sim.gates import PAULI_MATRICES, gate_unitary, rotation_axis
from sim.limits import check_statevector_size
from sim.pauli import PauliSum, code_digits
from sim.simulator import (_check_circuit_and_hamiltonian, _check_shots, _threads, describe_parameter_mismatch,
                           sample_estimates, single_parameter_row)

#: split a batch over threads only when rows * 2^n reaches this (see sim.simulator)
_PARALLEL_WORK = 1 << 16


def _kernels():
    # numba (and with it scipy, which numba imports) loads on first use, not on ``import sim``
    from sim import statevector_kernels

    return statevector_kernels


# ---------------------------------------------------------------------- compilation
def _compile_statevector(circuit: Circuit):
    steps: list[tuple[int, int, int, int, int]] = []
    factor_param: list[int] = []
    factor_mats: list[np.ndarray] = []
    two_qubit: list[np.ndarray] = []
    pending: dict[int, list[tuple[int, np.ndarray]]] = {}

    def flush(q: int) -> None:
        factors = pending.pop(q, [])
        folded: list[tuple[int, np.ndarray]] = []
        for p, mats in factors:
            if p < 0 and folded and folded[-1][0] < 0:
                merged = np.zeros((2, 2, 2), dtype=np.complex128)
                merged[0] = mats[0] @ folded[-1][1][0]
                folded[-1] = (-1, merged)
            else:
                folded.append((p, mats))
        if not folded or (len(folded) == 1 and folded[0][0] < 0 and np.array_equal(folded[0][1][0], np.eye(2))):
            return
        start = len(factor_param)
        for p, mats in folded:
            factor_param.append(p)
            factor_mats.append(mats)
        steps.append((0, q, -1, start, len(factor_param)))

    for op in circuit.operations:
        if len(op.qubits) == 1:
            mats = np.zeros((2, 2, 2), dtype=np.complex128)
            p = -1
            if op.name in ROTATION_GATES and op.param is not None:
                mats[0] = PAULI_MATRICES[0]
                mats[1] = -1j * PAULI_MATRICES[rotation_axis(op.name)]
                p = int(op.param)
            else:
                mats[0] = gate_unitary(op.name, op.angle)
            pending.setdefault(op.qubits[0], []).append((p, mats))
            continue
        for q in op.qubits:
            flush(q)
        steps.append((1, op.qubits[0], op.qubits[1], len(two_qubit), 0))
        two_qubit.append(gate_unitary(op.name))
    for q in sorted(pending):
        flush(q)
    return (np.array(steps, dtype=np.int64).reshape(-1, 5), np.array(factor_param, dtype=np.int64),
            np.array(factor_mats, dtype=np.complex128).reshape(-1, 2, 2, 2),
            np.array(two_qubit, dtype=np.complex128).reshape(-1, 4, 4))


class CompiledStatevectorExpectation:
    """``params -> <H>`` on the noiseless state vector; same interface as :class:`sim.simulator.CompiledExpectation`."""

    def __init__(self, circuit: Circuit, hamiltonian: PauliSum):
        self.num_qubits = circuit.num_qubits
        self.num_parameters = circuit.num_parameters
        self.evaluations = 0
        steps, factor_param, factor_mats, two_qubit = _compile_statevector(circuit)
        keep = hamiltonian.codes != 0
        sub = PauliSum(hamiltonian.num_qubits, hamiltonian.codes[keep], hamiltonian.coeffs[keep]) if np.any(keep) \
            else None
        if sub is not None:
            xbits, zbits = sub.x_z_masks()
            ny = np.sum(code_digits(sub.codes, sub.num_qubits) == 2, axis=1)
            self.term_coeffs = sub.coeffs.copy()
            self.codes = sub.codes.copy()
        else:
            xbits = zbits = ny = np.zeros(0, dtype=np.int64)
            self.term_coeffs = np.zeros(0)
            self.codes = np.zeros(0, dtype=np.int64)
        phase = (1j ** ny).astype(np.complex128) if ny.size else np.zeros(0, dtype=np.complex128)
        self.constant = hamiltonian.constant
        self._prog = (self.num_qubits, steps, factor_param, factor_mats, two_qubit)
        self._meas = (xbits.astype(np.int64), zbits.astype(np.int64), phase, self.term_coeffs, float(self.constant))
        self._threads = _threads()
        self._one = _kernels().sv_evaluate_one

    def _as_batch(self, params_2d) -> np.ndarray:
        arr = np.asarray(params_2d, dtype=np.float64)
        message = describe_parameter_mismatch(arr, self.num_parameters, batch=True)
        if message is not None:
            raise ValueError(message)
        if not np.all(np.isfinite(arr)):
            raise ValueError("params must be finite")
        return np.ascontiguousarray(arr)

    def _run(self, batch: np.ndarray, mode: int) -> np.ndarray:
        rows = batch.shape[0]
        out = np.empty((rows, 1 if mode == 0 else max(self.codes.size, 1)))
        chunks = min(self._threads, rows)
        kern = _kernels()
        if chunks > 1 and rows << self.num_qubits >= _PARALLEL_WORK:
            kern.sv_evaluate_parallel(*self._prog, batch, *self._meas, mode, out, chunks)
        else:
            kern.sv_evaluate_serial(*self._prog, batch, *self._meas, mode, out)
        self.evaluations += rows
        return out

    def _energies(self, batch, shots, rng) -> np.ndarray:
        if shots is None:
            return self._run(batch, 0)[:, 0]
        values = sample_estimates(self._run(batch, 1)[:, :self.codes.size], shots,
                                  rng if rng is not None else np.random.default_rng())
        energies = np.empty(batch.shape[0])
        # same fixed-order sum as the PTM engine
        from sim import kernels

        kernels.combine_terms(np.ascontiguousarray(values), self.term_coeffs, float(self.constant), energies)
        return energies

    def __call__(self, params=None, shots: int | None = None, rng: np.random.Generator | None = None) -> float:
        """Energy at one parameter vector."""
        if (shots is None and type(params) is np.ndarray and params.dtype == np.float64
                and params.shape == (self.num_parameters,) and params.flags.c_contiguous):
            energy = self._one(*self._prog, params, *self._meas)
            if energy != energy:
                raise ValueError("params must be finite")
            self.evaluations += 1
            return energy
        row = single_parameter_row(params, self.num_parameters)
        return float(self._energies(self._as_batch(row), _check_shots(shots), rng)[0])

    def batch(self, params_2d, shots: int | None = None, rng: np.random.Generator | None = None) -> np.ndarray:
        """Energies for each row of ``params_2d``."""
        return self._energies(self._as_batch(params_2d), _check_shots(shots), rng)


class StatevectorSimulator:
    """Noiseless simulator on 2^n complex amplitudes; refuses noise models."""

    def __init__(self, noise_model=None):
        if noise_model is not None:
            raise ValueError("StatevectorSimulator is noiseless; use PTMSimulator for a noise model")

    @staticmethod
    def _check(circuit: Circuit, hamiltonian: PauliSum | None) -> None:
        _check_circuit_and_hamiltonian(circuit, hamiltonian)
        check_statevector_size(circuit.num_qubits)

    def compile(self, circuit: Circuit, hamiltonian: PauliSum) -> CompiledStatevectorExpectation:
        """Compile once, evaluate many parameter vectors."""
        self._check(circuit, hamiltonian)
        return CompiledStatevectorExpectation(circuit, hamiltonian)

    def expectation(self, circuit: Circuit, hamiltonian: PauliSum, params=None, shots: int | None = None,
                    seed: int | None = None) -> float:
        """``<psi(params)| H |psi(params)>`` (shot-sampled per term if ``shots``)."""
        compiled = self.compile(circuit, hamiltonian)
        circuit.check_parameters(params)
        return compiled(params, shots=shots, rng=np.random.default_rng(seed) if shots is not None else None)

    def expectation_batch(self, circuit: Circuit, hamiltonian: PauliSum, params_2d, shots: int | None = None,
                          seed: int | None = None) -> np.ndarray:
        """:meth:`expectation` for each row of ``params_2d``."""
        compiled = self.compile(circuit, hamiltonian)
        return compiled.batch(params_2d, shots=shots, rng=np.random.default_rng(seed) if shots is not None else None)

    def state(self, circuit: Circuit, params=None) -> np.ndarray:
        """Final amplitudes (length 2^n, index bit q = qubit q)."""
        self._check(circuit, None)
        values = circuit.check_parameters(params)
        if values.ndim != 1:
            raise ValueError("state() takes one parameter vector")
        steps, factor_param, factor_mats, two_qubit = _compile_statevector(circuit)
        return _kernels().sv_final_state(circuit.num_qubits, steps, factor_param, factor_mats, two_qubit,
                              np.ascontiguousarray(values))
