"""Compilation of a circuit + noise model + Hamiltonian into flat arrays for the kernels.

What the kernels loop over (see :mod:`sim.kernels`):

* a list of *steps*: a 2-qubit step is a sparse 16x16 PTM (per output row the
  nonzero (col, value) pairs; gate and noise fused) preceded, in the same pass
  over the state, by the 1-qubit blocks pending on its two qubits; a 1-qubit
  step is a lone block. A *block* is a product of 4x4 factors on one qubit,
  multiplied out per parameter vector;
* a *factor* is ``A + cos(theta) B + sin(theta) C`` with theta the parameter
  ``param`` (or a constant matrix when ``param = -1``): a noisy rotation
  ``N R(theta)`` has this form with ``A, B, C`` = N times the rotation's parts;
* the readout-aware measurement as a gather-and-dot.

Consecutive 1-qubit gates on a qubit (with any gates on other qubits in
between, which commute with them) are fused into one block, blocks ride
along with the next 2-qubit gate on their qubit, and blocks left at the end
are paired into one pass, so the state is swept about once per 2-qubit gate.
Runs of constant factors are multiplied at compile time. All PTMs here are
trace preserving, so row 0 is ``e_0`` and is never recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.circuit import ROTATION_GATES, Circuit
from sim.gates import gate_ptm, rotation_ptm_parts
from sim.noise import NoiseModel
from sim.pauli import PauliSum, code_digits

#: PTM entries below this are round-off of exact zeros (PTM entries are O(1))
CHOP = 1e-14

STEP_ONE_QUBIT = 0
STEP_TWO_QUBIT = 1


def _clean(m: np.ndarray) -> np.ndarray:
    """Exact zeros and ones where round-off blurred them; row 0 = e_0 (trace preservation)."""
    out = np.array(m, dtype=np.float64)
    out[np.abs(out) < CHOP] = 0.0
    near_one = np.abs(np.abs(out) - 1.0) < CHOP
    out[near_one] = np.sign(out[near_one])
    out[0, :] = 0.0
    out[0, 0] = 1.0
    return out


@dataclass
class CompiledProgram:
    """Flat arrays describing the gate sequence (see the module docstring)."""

    num_qubits: int
    num_parameters: int
    steps: np.ndarray          # int64 (S, 9): kind, q0, q1, start, end, fa_start, fa_end, fb_start, fb_end
    factor_param: np.ndarray   # int64 (F,): parameter slot or -1
    factor_mats: np.ndarray    # float64 (F, 3, 4, 4): A, B, C
    rows: np.ndarray           # int64: output row ids (1..15) of the 2-qubit PTMs
    row_ptr: np.ndarray        # int64: for each stored row, start into cols/vals (len = len(rows) + 1)
    row_ident: np.ndarray      # int64 0/1: the row is the identity row (output = input)
    cols: np.ndarray           # int64
    vals: np.ndarray           # float64


@dataclass
class CompiledMeasurement:
    """Gather-and-dot description of the measured Hamiltonian terms."""

    constant: float            # identity coefficient
    term_coeffs: np.ndarray    # float64 (T,): coefficients of the non-identity terms
    term_ptr: np.ndarray       # int64 (T+1,): per term, start into gather_idx / gather_w
    gather_idx: np.ndarray     # int64: Pauli-vector indices
    gather_w: np.ndarray       # float64: weights (measured value of term t = sum w r[idx])
    energy_idx: np.ndarray     # int64: merged indices for the energy (coefficients folded in)
    energy_w: np.ndarray       # float64
    true_scale: np.ndarray     # float64 (T,): a_t, attenuation of r[code_t] in the measured value
    codes: np.ndarray          # int64 (T,): non-identity term codes


def _one_qubit_factor(name: str, angle: float | None, param: int | None, noise: np.ndarray | None):
    """(param, [A, B, C]) of a gate followed by its noise (4x4 PTM or None)."""
    mats = np.zeros((3, 4, 4))
    if name in ROTATION_GATES:
        a, b, c = rotation_ptm_parts(name)
        if param is None:
            mats[0] = a + np.cos(angle) * b + np.sin(angle) * c
            p = -1
        else:
            mats[0], mats[1], mats[2] = a, b, c
            p = int(param)
    else:
        mats[0] = gate_ptm(name)
        p = -1
    if noise is not None:
        mats = np.einsum("ij,kjl->kil", noise, mats)
    for k in range(3):
        mats[k] = _clean(mats[k]) if k == 0 else np.where(np.abs(mats[k]) < CHOP, 0.0, mats[k])
    if p >= 0:
        # B and C do not touch row 0 (trace preservation holds for every theta)
        mats[1, 0, :] = 0.0
        mats[2, 0, :] = 0.0
        mats[0, 0, :] = 0.0
        mats[0, 0, 0] = 1.0
    return p, mats


class FusionCache:
    """Fused gate-plus-noise PTMs, reused across compilations with the same noise model.

    Keys hold the noise channel's identity; the channel itself is kept in the
    value so that identity stays unique while cached.
    """

    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._store: dict[tuple, tuple] = {}

    def get(self, key: tuple, channel, build):
        full = key + (id(channel),)
        hit = self._store.get(full)
        if hit is None:
            if len(self._store) >= self.max_entries:
                self._store.clear()
            hit = (channel, build())
            self._store[full] = hit
        return hit[1]


def _fused_two_qubit(name: str, noise: np.ndarray | None) -> np.ndarray:
    m = gate_ptm(name)
    return _clean(m if noise is None else noise @ m)


def _sparse_rows(m: np.ndarray) -> list[tuple[int, list[int], list[float]]]:
    """Rows 1..15 of a 16x16 PTM as (row, nonzero columns, values)."""
    out = []
    for d in range(1, 16):
        nz = np.nonzero(m[d])[0]
        out.append((d, [int(c) for c in nz], [float(v) for v in m[d, nz]]))
    return out


def compile_program(circuit: Circuit, noise_model: NoiseModel | None,
                    cache: FusionCache | None = None) -> CompiledProgram:
    """Fuse gates with their noise and lay the circuit out as flat arrays.

    Pending 1-qubit blocks ride along with the next 2-qubit step on their
    qubit (one pass over the state for both); blocks left at the end are
    paired into 2-qubit passes with an identity 16x16 part. ``cache`` (optional)
    keeps fused PTMs between compilations.
    """
    cache = cache if cache is not None else FusionCache()
    n = circuit.num_qubits
    steps: list[tuple[int, ...]] = []
    factor_param: list[int] = []
    factor_mats: list[np.ndarray] = []
    rows: list[int] = []
    row_ptr: list[int] = [0]
    row_ident: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    pending: dict[int, list[tuple[int, np.ndarray]]] = {}
    sparse_cache: dict[tuple[str, tuple[int, ...]], tuple[int, int]] = {}

    def channel_for(name: str, qubits: tuple[int, ...]):
        return noise_model.errors_for(name, qubits) if noise_model is not None else None

    def emit_block(q: int) -> tuple[int, int]:
        """Store the pending factors of qubit q; their range (empty if none or identity)."""
        factors = pending.pop(q, [])
        folded: list[tuple[int, np.ndarray]] = []
        for p, mats in factors:
            if p < 0 and folded and folded[-1][0] < 0:
                merged = np.zeros((3, 4, 4))
                merged[0] = _clean(mats[0] @ folded[-1][1][0])
                folded[-1] = (-1, merged)
            else:
                folded.append((p, mats))
        if not folded or (len(folded) == 1 and folded[0][0] < 0 and np.array_equal(folded[0][1][0], np.eye(4))):
            return (0, 0)
        start = len(factor_param)
        for p, mats in folded:
            factor_param.append(p)
            factor_mats.append(mats)
        return (start, len(factor_param))

    def emit_sparse(sparse: list[tuple[int, list[int], list[float]]]) -> tuple[int, int]:
        start = len(rows)
        for d, nz, values in sparse:
            rows.append(d)
            row_ident.append(int(len(nz) == 1 and nz[0] == d and values[0] == 1.0))
            cols.extend(nz)
            vals.extend(values)
            row_ptr.append(len(cols))
        return (start, len(rows))

    for op in circuit.operations:
        channel = channel_for(op.name, op.qubits)
        if len(op.qubits) == 1:
            p_key = (op.name, op.angle, op.param is None)
            p, mats = cache.get(p_key, channel, lambda: _one_qubit_factor(
                op.name, op.angle, op.param, None if channel is None else channel.ptm))
            pending.setdefault(op.qubits[0], []).append((int(op.param) if p >= 0 else -1, mats))
            continue
        a, b = op.qubits
        key = (op.name, op.qubits)
        if key not in sparse_cache:
            sparse_cache[key] = emit_sparse(cache.get((op.name,), channel, lambda: _sparse_rows(
                _fused_two_qubit(op.name, None if channel is None else channel.ptm))))
        fa, fb = emit_block(a), emit_block(b)
        steps.append((STEP_TWO_QUBIT, a, b, *sparse_cache[key], *fa, *fb))

    left = [(q, emit_block(q)) for q in sorted(pending)]
    left = [(q, f) for q, f in left if f[1] > f[0]]
    if len(left) >= 2:
        identity = emit_sparse(_sparse_rows(np.eye(16)))
        while len(left) >= 2:
            (a, fa), (b, fb) = left.pop(), left.pop()
            steps.append((STEP_TWO_QUBIT, a, b, *identity, *fa, *fb))
    for q, f in left:
        steps.append((STEP_ONE_QUBIT, q, -1, *f, 0, 0, 0, 0))

    return CompiledProgram(
        num_qubits=n,
        num_parameters=circuit.num_parameters,
        steps=np.array(steps, dtype=np.int64).reshape(-1, 9),
        factor_param=np.array(factor_param, dtype=np.int64),
        factor_mats=np.array(factor_mats, dtype=np.float64).reshape(-1, 3, 4, 4),
        rows=np.array(rows, dtype=np.int64),
        row_ptr=np.array(row_ptr, dtype=np.int64),
        row_ident=np.array(row_ident, dtype=np.int64),
        cols=np.array(cols, dtype=np.int64),
        vals=np.array(vals, dtype=np.float64),
    )


def readout_maps(noise_model: NoiseModel | None, num_qubits: int, readout: bool) -> np.ndarray:
    """Per qubit (scale, shift) of a measured Z: ``Z -> scale Z + shift I`` (ideal = (1, 0))."""
    out = np.zeros((num_qubits, 2))
    out[:, 0] = 1.0
    if readout and noise_model is not None:
        for q in range(num_qubits):
            err = noise_model.readout_for(q)
            if err is not None:
                out[q] = (err.z_scale, err.z_shift)
    return out


def compile_measurement(hamiltonian: PauliSum, noise_model: NoiseModel | None, readout: bool) -> CompiledMeasurement:
    """Expand each term into the sub-strings readout error mixes in, as gather indices and weights.

    Measured value of term P on support S: ``sum_{T subset S} prod_{q in T} scale_q
    prod_{q in S - T} shift_q r[P restricted to T]`` (sub-strings of zero weight,
    e.g. all of them for symmetric readout, are left out).
    """
    n = hamiltonian.num_qubits
    maps = readout_maps(noise_model, n, readout)
    keep = hamiltonian.codes != 0
    codes = hamiltonian.codes[keep]
    coeffs = hamiltonian.coeffs[keep]
    digits = code_digits(codes, n)
    powers = 4 ** np.arange(n, dtype=np.int64)
    term_ptr = [0]
    idx_parts: list[np.ndarray] = []
    w_parts: list[np.ndarray] = []
    true_scale = np.ones(codes.size)
    shifted = maps[:, 1] != 0.0
    for t in range(codes.size):
        support = np.nonzero(digits[t])[0]
        true_scale[t] = float(np.prod(maps[support, 0]))
        free = support[shifted[support]]  # qubits whose factor may also drop to the identity
        if free.size == 0:
            idx = np.array([codes[t]], dtype=np.int64)
            w = np.array([true_scale[t]])
        else:
            # bit j of a subset mask set = qubit free[j] keeps its Pauli (factor scale), clear = dropped (shift)
            masks = np.arange(1 << free.size, dtype=np.int64)
            keep_bits = ((masks[:, None] >> np.arange(free.size)) & 1).astype(bool)
            drop_codes = np.where(keep_bits, 0, digits[t, free] * powers[free]).sum(axis=1)
            idx = codes[t] - drop_codes
            fixed = float(np.prod(maps[support[~shifted[support]], 0]))
            w = fixed * np.prod(np.where(keep_bits, maps[free, 0], maps[free, 1]), axis=1)
            nonzero = w != 0.0
            order = np.argsort(idx[nonzero], kind="stable")
            idx, w = idx[nonzero][order], w[nonzero][order]
        idx_parts.append(idx)
        w_parts.append(w)
        term_ptr.append(term_ptr[-1] + idx.size)
    gather_idx = np.concatenate(idx_parts) if idx_parts else np.zeros(0, dtype=np.int64)
    gather_w = np.concatenate(w_parts) if w_parts else np.zeros(0)
    gather_idx_a = gather_idx.astype(np.int64)
    gather_w_a = gather_w.astype(np.float64)
    term_ptr_a = np.array(term_ptr, dtype=np.int64)
    # energy gather: same entries, coefficients folded in, duplicates merged in a fixed order
    term_of = np.repeat(np.arange(codes.size), np.diff(term_ptr_a))
    contrib = gather_w_a * coeffs[term_of] if codes.size else gather_w_a
    uniq, inverse = np.unique(gather_idx_a, return_inverse=True)
    merged = np.zeros(uniq.size)
    np.add.at(merged, inverse, contrib)
    nz = merged != 0.0
    return CompiledMeasurement(
        constant=hamiltonian.constant,
        term_coeffs=coeffs.astype(np.float64),
        term_ptr=term_ptr_a,
        gather_idx=gather_idx_a,
        gather_w=gather_w_a,
        energy_idx=uniq[nz].astype(np.int64),
        energy_w=merged[nz],
        true_scale=true_scale,
        codes=codes.astype(np.int64),
    )


def pack(program: CompiledProgram, measurement: CompiledMeasurement) -> tuple[np.ndarray, np.ndarray]:
    """One int64 and one float64 array holding program and measurement (layout: :mod:`sim.kernels` header)."""
    from sim import kernels as k  # numba loads here, at compile time

    header = np.zeros(k.HEADER, dtype=np.int64)
    int_parts: list[np.ndarray] = [header]
    float_parts: list[np.ndarray] = [np.array([measurement.constant], dtype=np.float64)]
    int_len = k.HEADER
    float_len = 1

    def put_int(arr: np.ndarray) -> int:
        nonlocal int_len
        start = int_len
        int_parts.append(np.ascontiguousarray(arr, dtype=np.int64).reshape(-1))
        int_len += int_parts[-1].size
        return start

    def put_float(arr: np.ndarray) -> int:
        nonlocal float_len
        start = float_len
        float_parts.append(np.ascontiguousarray(arr, dtype=np.float64).reshape(-1))
        float_len += float_parts[-1].size
        return start

    header[k.H_NUM_QUBITS] = program.num_qubits
    header[k.H_NUM_STEPS] = program.steps.shape[0]
    header[k.H_OFF_STEPS] = put_int(program.steps)
    header[k.H_NUM_FACTORS] = program.factor_param.size
    header[k.H_OFF_FACTOR_PARAM] = put_int(program.factor_param)
    header[k.H_NUM_ROWS] = program.rows.size
    header[k.H_OFF_ROWS] = put_int(program.rows)
    header[k.H_OFF_ROW_PTR] = put_int(program.row_ptr)
    header[k.H_OFF_ROW_IDENT] = put_int(program.row_ident)
    header[k.H_NUM_NNZ] = program.cols.size
    header[k.H_OFF_COLS] = put_int(program.cols)
    header[k.H_NUM_ENERGY] = measurement.energy_idx.size
    header[k.H_OFF_ENERGY_IDX] = put_int(measurement.energy_idx)
    header[k.H_NUM_TERMS] = measurement.codes.size
    header[k.H_OFF_TERM_PTR] = put_int(measurement.term_ptr)
    header[k.H_NUM_GATHER] = measurement.gather_idx.size
    header[k.H_OFF_GATHER_IDX] = put_int(measurement.gather_idx)
    header[k.H_OFF_CODES] = put_int(measurement.codes)
    header[k.H_NUM_PARAMETERS] = program.num_parameters
    header[k.H_OFF_FACTOR_MATS] = put_float(program.factor_mats)
    header[k.H_OFF_VALS] = put_float(program.vals)
    header[k.H_OFF_ENERGY_W] = put_float(measurement.energy_w)
    header[k.H_OFF_GATHER_W] = put_float(measurement.gather_w)
    return np.concatenate(int_parts), np.concatenate(float_parts)


def empty_measurement(num_qubits: int) -> CompiledMeasurement:
    """A measurement of nothing (for running a program only to get the state)."""
    return compile_measurement(PauliSum(num_qubits, [], []), None, False)
