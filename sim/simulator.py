"""PTMSimulator: exact noisy expectation values in the Pauli-transfer-matrix picture.

Compile once (gates fused with their noise, readout folded into the
measurement), evaluate many parameter vectors in Numba kernels.
"""

from __future__ import annotations

import numpy as np

from sim.circuit import Circuit
from sim.limits import check_ptm_size
from sim.noise import NoiseModel
from sim.pauli import PauliSum
from sim.ptm import (CompiledMeasurement, CompiledProgram, FusionCache, compile_measurement, compile_program,
                     empty_measurement, pack, readout_maps)

#: a batch is split over threads only when its estimated serial time (ns) reaches this: starting the
#: threads costs tens of microseconds, and far more when other processes hold the cores
_PARALLEL_NS = 2e6
_MAX_DENSE_QUBITS = 10


def _kernels():
    # numba (and with it scipy, which numba imports) loads on first use, not on ``import sim``
    from sim import kernels

    return kernels


def _wide_kernels():
    from sim import kernels_wide

    return kernels_wide


def _check_circuit_and_hamiltonian(circuit: Circuit, hamiltonian: PauliSum | None) -> None:
    if not isinstance(circuit, Circuit):
        raise TypeError(f"expected a sim.Circuit, got {type(circuit).__name__}")
    if hamiltonian is None:
        return
    if not isinstance(hamiltonian, PauliSum):
        raise TypeError(f"hamiltonian must be a sim.PauliSum, got {type(hamiltonian).__name__}")
    if hamiltonian.num_qubits != circuit.num_qubits:
        raise ValueError(f"hamiltonian acts on {hamiltonian.num_qubits} qubits but the circuit has "
                         f"{circuit.num_qubits}")


def _threads() -> int:
    import numba

    return max(1, int(numba.get_num_threads()))


def sample_estimates(measured: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """Per-term shot estimates: k ~ Binomial(shots, (1 + m)/2), estimate 2k/shots - 1."""
    p = np.clip(0.5 * (1.0 + measured), 0.0, 1.0)
    k = rng.binomial(shots, p)
    return 2.0 * k / shots - 1.0


def describe_parameter_mismatch(arr: np.ndarray, num_parameters: int, batch: bool) -> str | None:
    """The error message for a parameter array of the wrong shape, or None when the shape fits.

    ``batch=False`` wants one vector of ``num_parameters`` values; ``batch=True`` a 2-D array with
    ``num_parameters`` columns (one parameter vector per row).
    """
    k = num_parameters
    if not batch:
        if arr.ndim != 1:
            return (f"expected one parameter vector of {k} parameters (a 1-D array), got an array of shape "
                    f"{arr.shape}; use .batch for 2-D input (one parameter vector per row)")
        if arr.shape[0] != k:
            return f"expected {k} parameters, got {arr.shape[0]}: the circuit has {k} parameter slot(s)"
        return None
    if arr.ndim != 2:
        hint = ("; for a single vector use compiled(params) or pass params[None, :]" if arr.ndim == 1 else "")
        return (f"expected a 2-D batch of shape (rows, {k}) (one vector of {k} parameters per row), got an array "
                f"of shape {arr.shape}{hint}")
    if arr.shape[1] != k:
        return (f"expected {k} parameters per row (a 2-D batch of shape (rows, {k})), got {arr.shape[1]} "
                f"column(s) (shape {arr.shape})")
    return None


def single_parameter_row(params, num_parameters: int) -> np.ndarray:
    """``params`` as a (1, num_parameters) float array, or a ValueError saying what is wrong with it."""
    if params is None:
        if num_parameters:
            raise ValueError(f"circuit has {num_parameters} parameter slot(s); pass params")
        params = np.zeros(0)
    arr = np.asarray(params, dtype=np.float64)
    message = describe_parameter_mismatch(arr, num_parameters, batch=False)
    if message is not None:
        raise ValueError(message)
    return arr.reshape(1, -1)


def _check_shots(shots) -> int | None:
    if shots is None:
        return None
    if isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1:
        raise ValueError(f"shots must be a positive integer or None, got {shots!r}")
    return int(shots)


class CompiledExpectation:
    """``params -> <H>`` for one circuit, noise model and Hamiltonian, ready to call many times.

    ``compiled(params_1d)`` returns a float; ``compiled.batch(params_2d)`` an
    array with one energy per row (bit-identical to calling row by row).
    ``evaluations`` counts the parameter vectors evaluated so far.
    """

    def __init__(self, program: CompiledProgram, measurement: CompiledMeasurement, mitigate_readout: bool = False):
        kern = _kernels()
        self.program = program
        self.measurement = measurement
        self.num_qubits = program.num_qubits
        self.num_parameters = program.num_parameters
        self.mitigate_readout = bool(mitigate_readout)
        self.evaluations = 0
        self._ints, self._floats = pack(program, measurement)
        self._one = kern.evaluate_one
        self._serial = kern.evaluate_batch
        self._parallel = kern.evaluate_batch_parallel
        self._combine = kern.combine_terms
        self._threads = _threads()
        self._num_terms = int(measurement.codes.size)
        self._shape1 = (self.num_parameters,)
        self._fast = not self.mitigate_readout
        # rough serial cost of one row: call overhead plus ~2 ns per state entry per step (a quarter of
        # that when rows share the work in the batch-inner kernels of small registers)
        work = max(program.steps.shape[0], 1) * 4.0**self.num_qubits
        self._row_ns = 1000.0 + 2.0 * work
        self._wide_row_ns = 300.0 + 0.5 * work
        wide = _wide_kernels()
        self._width = wide.group_width(self.num_qubits)
        # batch-inner only pays from this many rows (no rows at all when the register is too large)
        self._min_wide = wide.min_rows(self.num_qubits) if self._width > 1 else 1 << 62
        self._wide = wide.evaluate_wide
        self._wide_parallel = wide.evaluate_wide_parallel

    # ------------------------------------------------------------------ plumbing
    def _as_batch(self, params_2d) -> np.ndarray:
        arr = np.ascontiguousarray(params_2d, dtype=np.float64)
        message = describe_parameter_mismatch(arr, self.num_parameters, batch=True)
        if message is not None:
            raise ValueError(message)
        return arr

    def _run(self, batch: np.ndarray, mode: int) -> np.ndarray:
        rows = batch.shape[0]
        out = np.empty((rows, 1 if mode == 0 else max(2 * self._num_terms, 1)))
        wide_rows = 0
        if rows >= self._min_wide:
            # whole groups go batch-inner; a short last group is cheaper row by row
            rest = rows % self._width
            wide_rows = rows if rest == 0 or rest >= self._min_wide else rows - rest
        if wide_rows == rows:
            ok = self._run_wide(batch, out, mode)
        elif wide_rows == 0:
            ok = self._run_rows(batch, out, mode)
        else:
            ok = (self._run_wide(batch[:wide_rows], out[:wide_rows], mode)
                  and self._run_rows(batch[wide_rows:], out[wide_rows:], mode))
        if not ok:
            raise ValueError("params must be finite")
        self.evaluations += rows
        return out

    def _run_wide(self, batch: np.ndarray, out: np.ndarray, mode: int) -> bool:
        rows = batch.shape[0]
        chunks = min(self._threads, -(-rows // self._width))
        if chunks > 1 and rows * self._wide_row_ns >= _PARALLEL_NS:
            return self._wide_parallel(self._ints, self._floats, batch, self._width, mode, out, chunks)
        return self._wide(self._ints, self._floats, batch, self._width, mode, out)

    def _run_rows(self, batch: np.ndarray, out: np.ndarray, mode: int) -> bool:
        rows = batch.shape[0]
        chunks = min(self._threads, rows)
        if chunks > 1 and rows * self._row_ns >= _PARALLEL_NS:
            return self._parallel(self._ints, self._floats, batch, mode, out, chunks)
        return self._serial(self._ints, self._floats, batch, mode, out)

    def _energies(self, batch: np.ndarray, shots: int | None, rng: np.random.Generator | None) -> np.ndarray:
        if shots is None and not self.mitigate_readout:
            return self._run(batch, 0)[:, 0]
        out = self._run(batch, 1)
        t = self._num_terms
        measured, raw = out[:, :t], out[:, t:2 * t]
        if shots is None:
            # mitigation undoes the readout map exactly: the raw Pauli components
            values = raw
        else:
            values = sample_estimates(measured, shots, rng if rng is not None else np.random.default_rng())
            if self.mitigate_readout:
                values = raw + (values - measured) / self.measurement.true_scale
        energies = np.empty(batch.shape[0])
        self._combine(np.ascontiguousarray(values), self.measurement.term_coeffs, float(self.measurement.constant),
                      energies)
        return energies

    # ------------------------------------------------------------------ public
    def __call__(self, params=None, shots: int | None = None, rng: np.random.Generator | None = None) -> float:
        """Energy at one parameter vector (exact unless ``shots`` is given)."""
        if (shots is None and self._fast and type(params) is np.ndarray and params.dtype == np.float64
                and params.shape == self._shape1 and params.flags.c_contiguous):
            # the hot path: one kernel call, no copies
            energy = self._one(self._ints, self._floats, params)
            if energy != energy:
                raise ValueError("params must be finite")
            self.evaluations += 1
            return energy
        row = single_parameter_row(params, self.num_parameters)
        return float(self._energies(self._as_batch(row), _check_shots(shots), rng)[0])

    def batch(self, params_2d, shots: int | None = None, rng: np.random.Generator | None = None) -> np.ndarray:
        """Energies for each row of ``params_2d``.

        With ``shots`` each non-identity term is sampled independently with ``rng``
        (a fresh, unseeded generator when ``None``); without, the result is exact
        and bit-identical to evaluating the rows one by one.
        """
        if (shots is None and self._fast and type(params_2d) is np.ndarray and params_2d.dtype == np.float64
                and params_2d.ndim == 2 and params_2d.shape[1] == self.num_parameters
                and params_2d.flags.c_contiguous):
            return self._run(params_2d, 0)[:, 0]
        return self._energies(self._as_batch(params_2d), _check_shots(shots), rng)

    def term_values(self, params=None) -> np.ndarray:
        """Measured (readout-affected, exact) value of each non-identity term, in ``measurement.codes`` order."""
        row = single_parameter_row(params, self.num_parameters)
        return self._run(self._as_batch(row), 1)[0, :self._num_terms]

    def __repr__(self) -> str:
        return (f"CompiledExpectation({self.num_qubits} qubits, {self.program.steps.shape[0]} steps, "
                f"{self.num_parameters} parameters, {self._num_terms} terms)")


class PTMSimulator:
    """Noisy simulator on the 4^n Pauli vector (exact density-matrix dynamics, real arithmetic).

    ``readout=False`` ignores the model's readout errors. ``mitigate_readout=True``
    undoes readout error per term: the estimate ``m_hat`` of a term's measured
    value ``m = a r + b`` (``a`` = product of ``1 - e0 - e1`` over its support,
    ``b`` the part the asymmetric shifts ``e1 - e0`` bring in) becomes
    ``(m_hat - b) / a``. Exact (``shots=None``) this returns the noise-free-readout
    value exactly; with shots it is unbiased with the variance scaled by ``1/a^2``.
    For symmetric readout (``b = 0``) it is the plain division by the attenuation.

    Readout acts on every measured Pauli factor (X and Y terms are measured after
    a basis change): per qubit ``Z -> (1 - e0 - e1) Z + (e1 - e0) I``.
    Shots (``shots=N``): each non-identity term is estimated on its own, ``k ~
    Binomial(N, (1 + m)/2)``, estimate ``2k/N - 1``, with ``m`` its measured
    (readout-affected) value; ``shots=None`` is exact.
    """

    def __init__(self, noise_model: NoiseModel | None = None, readout: bool = True, mitigate_readout: bool = False):
        if noise_model is not None and not isinstance(noise_model, NoiseModel):
            raise TypeError(f"noise_model must be a sim.NoiseModel or None, got {type(noise_model).__name__}")
        self.noise_model = noise_model
        self.readout = bool(readout)
        self.mitigate_readout = bool(mitigate_readout)
        # compiling is per circuit, but fused gate PTMs and the measurement of a
        # Hamiltonian repeat across the circuits of a search: keep them
        self._fusion_cache = FusionCache()
        self._measurement_cache: dict[tuple, CompiledMeasurement] = {}

    def _measurement(self, hamiltonian: PauliSum) -> CompiledMeasurement:
        maps = readout_maps(self.noise_model, hamiltonian.num_qubits, self.readout)
        key = (hamiltonian.num_qubits, hamiltonian.codes.tobytes(), hamiltonian.coeffs.tobytes(), maps.tobytes())
        hit = self._measurement_cache.get(key)
        if hit is None:
            if len(self._measurement_cache) >= 16:
                self._measurement_cache.clear()
            hit = compile_measurement(hamiltonian, self.noise_model, self.readout)
            self._measurement_cache[key] = hit
        return hit

    def compile(self, circuit: Circuit, hamiltonian: PauliSum) -> CompiledExpectation:
        """Compile ``circuit`` and ``hamiltonian`` once; evaluate the result many times."""
        _check_circuit_and_hamiltonian(circuit, hamiltonian)
        check_ptm_size(circuit.num_qubits)
        measurement = self._measurement(hamiltonian)
        if self.mitigate_readout and np.any(measurement.true_scale == 0.0):
            raise ValueError("cannot mitigate readout error with 1 - e0 - e1 = 0 on a measured qubit "
                             "(the outcome carries no information)")
        program = compile_program(circuit, self.noise_model, self._fusion_cache)
        return CompiledExpectation(program, measurement, self.mitigate_readout)

    def expectation(self, circuit: Circuit, hamiltonian: PauliSum, params=None, shots: int | None = None,
                    seed: int | None = None) -> float:
        """``<H>`` (noisy; exact unless ``shots``; ``seed`` makes shot noise reproducible)."""
        compiled = self.compile(circuit, hamiltonian)
        circuit.check_parameters(params)
        return compiled(params, shots=shots, rng=np.random.default_rng(seed) if shots is not None else None)

    def expectation_batch(self, circuit: Circuit, hamiltonian: PauliSum, params_2d, shots: int | None = None,
                          seed: int | None = None) -> np.ndarray:
        """:meth:`expectation` for each row of ``params_2d``."""
        compiled = self.compile(circuit, hamiltonian)
        return compiled.batch(params_2d, shots=shots, rng=np.random.default_rng(seed) if shots is not None else None)

    def state(self, circuit: Circuit, params=None) -> np.ndarray:
        """Pauli vector ``r_P = Tr(P rho)`` after the circuit (length 4^n, ``r[0] = 1``; readout not applied)."""
        _check_circuit_and_hamiltonian(circuit, None)
        check_ptm_size(circuit.num_qubits)
        values = circuit.check_parameters(params)
        if values.ndim != 1:
            raise ValueError("state() takes one parameter vector")
        program = compile_program(circuit, self.noise_model, self._fusion_cache)
        ints, floats = pack(program, empty_measurement(circuit.num_qubits))
        if not np.all(np.isfinite(values)):
            raise ValueError("params must be finite")
        return _kernels().final_state(ints, floats, np.ascontiguousarray(values))

    def density_matrix(self, circuit: Circuit, params=None) -> np.ndarray:
        """``rho = 2^-n sum_P r_P P`` (basis index bit q = qubit q); n <= 10."""
        n = circuit.num_qubits if isinstance(circuit, Circuit) else 0
        if n > _MAX_DENSE_QUBITS:
            raise ValueError(f"density_matrix is limited to {_MAX_DENSE_QUBITS} qubits, circuit has {n}")
        return pauli_vector_to_density_matrix(self.state(circuit, params), n)


def pauli_vector_to_density_matrix(r: np.ndarray, num_qubits: int) -> np.ndarray:
    """``rho = 2^-n sum_P r_P P`` without forming the 4^n Pauli matrices one by one."""
    from sim.gates import PAULI_MATRICES

    paulis = np.array(PAULI_MATRICES)
    # r as a tensor with axis k = digit of qubit n-1-k; contract qubit by qubit
    t = np.asarray(r, dtype=np.complex128).reshape((4,) * num_qubits)
    rho = t
    for _ in range(num_qubits):
        # contract the leading Pauli axis (the most significant remaining qubit) into a (2, 2) pair at the end
        rho = np.tensordot(rho, paulis, axes=([0], [0]))
    # axes now: (row_{n-1}, col_{n-1}, row_{n-2}, col_{n-2}, ..., row_0, col_0)
    perm = list(range(0, 2 * num_qubits, 2)) + list(range(1, 2 * num_qubits, 2))
    dim = 2**num_qubits
    return rho.transpose(perm).reshape(dim, dim) / dim
