"""Numba kernels of the PTM engine: run a packed program on one or many parameter vectors.

State: the real Pauli vector r (length 4^n, index sum_q d_q 4^q), updated in
place step by step. A block is the 4 or 16 entries that differ only on a
step's qubits. A 2-qubit step (with the 1-qubit blocks fused into it) gathers
TILE blocks into a small tile, transforms them there (loops over the tile's
columns are contiguous and vectorise), and scatters them back; a few blocks
(tiny registers) go one at a time. A lone 1-qubit step updates its 4-entry
blocks directly. See :mod:`sim.kernels_wide` for many rows of a small register.
``fastmath`` stays off and every sum runs in a fixed order, so results are
bit-identical from call to call and between the single and the batched entry
points.

The program arrives packed in one int64 and one float64 array (see
:func:`sim.ptm.pack`), which keeps the per-call dispatch cost low.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

STEP_ONE_QUBIT = 0
STEP_TWO_QUBIT = 1
#: blocks per tile
TILE = 64
#: states with fewer 16-entry blocks than this take the scalar per-block path
SCALAR_BELOW = 16

# header slots of the packed int array (mirrored in sim.ptm.pack)
H_NUM_QUBITS = 0
H_NUM_STEPS = 1
H_OFF_STEPS = 2
H_NUM_FACTORS = 3
H_OFF_FACTOR_PARAM = 4
H_NUM_ROWS = 5
H_OFF_ROWS = 6
H_OFF_ROW_PTR = 7
H_NUM_NNZ = 8
H_OFF_COLS = 9
H_NUM_ENERGY = 10
H_OFF_ENERGY_IDX = 11
H_NUM_TERMS = 12
H_OFF_TERM_PTR = 13
H_NUM_GATHER = 14
H_OFF_GATHER_IDX = 15
H_OFF_CODES = 16
H_NUM_PARAMETERS = 17
H_OFF_FACTOR_MATS = 18
H_OFF_VALS = 19
H_OFF_ENERGY_W = 20
H_OFF_GATHER_W = 21
H_OFF_ROW_IDENT = 22
HEADER = 24
#: step columns: kind, q0, q1, start, end, then for 2-qubit steps the factor ranges of the
#: 1-qubit blocks on q0 and q1 fused into the same pass (empty range = none)
STEP_WIDTH = 9
# the float array starts with the Hamiltonian's identity coefficient
F_CONSTANT = 0


@njit(cache=True, inline="always")
def init_zero_state(r: np.ndarray, num_qubits: int) -> None:
    """Pauli vector of |0...0>: 1 on every string made of I and Z only."""
    r[:] = 0.0
    for b in range(1 << num_qubits):
        code = 0
        for q in range(num_qubits):
            if (b >> q) & 1:
                code += 3 << (2 * q)
        r[code] = 1.0


@njit(cache=True, inline="always")
def block_matrix(factor_param, factor_mats, start, end, params, m, tmp):
    """m = F_{end-1} ... F_start with F = A + cos(theta) B + sin(theta) C (A alone when the slot is -1)."""
    for f in range(start, end):
        p = factor_param[f]
        if p < 0:
            for i in range(4):
                for j in range(4):
                    tmp[i, j] = factor_mats[f, 0, i, j]
        else:
            c = np.cos(params[p])
            s = np.sin(params[p])
            for i in range(4):
                for j in range(4):
                    tmp[i, j] = factor_mats[f, 0, i, j] + c * factor_mats[f, 1, i, j] + s * factor_mats[f, 2, i, j]
        if f == start:
            for i in range(4):
                for j in range(4):
                    m[i, j] = tmp[i, j]
        else:
            # m <- tmp @ m, one column at a time
            for j in range(4):
                a0 = m[0, j]
                a1 = m[1, j]
                a2 = m[2, j]
                a3 = m[3, j]
                for i in range(4):
                    m[i, j] = tmp[i, 0] * a0 + tmp[i, 1] * a1 + tmp[i, 2] * a2 + tmp[i, 3] * a3


@njit(cache=True, inline="always")
def apply_one_qubit(r, m, qubit):
    """r <- (4x4 PTM ``m`` on ``qubit``) r; row 0 of m is e_0 (trace preserving) and is skipped."""
    size = r.shape[0]
    stride = 1 << (2 * qubit)
    m10, m11, m12, m13 = m[1, 0], m[1, 1], m[1, 2], m[1, 3]
    m20, m21, m22, m23 = m[2, 0], m[2, 1], m[2, 2], m[2, 3]
    m30, m31, m32, m33 = m[3, 0], m[3, 1], m[3, 2], m[3, 3]
    for hi in range(0, size, 4 * stride):
        for i0 in range(hi, hi + stride):
            i1 = i0 + stride
            i2 = i1 + stride
            i3 = i2 + stride
            v0 = r[i0]
            v1 = r[i1]
            v2 = r[i2]
            v3 = r[i3]
            r[i1] = m10 * v0 + m11 * v1 + m12 * v2 + m13 * v3
            r[i2] = m20 * v0 + m21 * v1 + m22 * v2 + m23 * v3
            r[i3] = m30 * v0 + m31 * v1 + m32 * v2 + m33 * v3


@njit(cache=True, inline="always")
def _tile_one_qubit(tile, m, first, step, nb):
    """Rows 1..3 of the 4x4 PTM m on tile rows first + k * step (k = 0..3), for nb columns."""
    r0 = first
    r1 = first + step
    r2 = first + 2 * step
    r3 = first + 3 * step
    m10, m11, m12, m13 = m[1, 0], m[1, 1], m[1, 2], m[1, 3]
    m20, m21, m22, m23 = m[2, 0], m[2, 1], m[2, 2], m[2, 3]
    m30, m31, m32, m33 = m[3, 0], m[3, 1], m[3, 2], m[3, 3]
    for g in range(nb):
        v0 = tile[r0, g]
        v1 = tile[r1, g]
        v2 = tile[r2, g]
        v3 = tile[r3, g]
        tile[r1, g] = m10 * v0 + m11 * v1 + m12 * v2 + m13 * v3
        tile[r2, g] = m20 * v0 + m21 * v1 + m22 * v2 + m23 * v3
        tile[r3, g] = m30 * v0 + m31 * v1 + m32 * v2 + m33 * v3


@njit(cache=True)
def _two_qubit_tile(r, offsets, rows, row_ptr, cols, vals, row_ident, start, end, ma, mb, use_a, use_b, tile, out,
                    bases, nb):
    for k in range(16):
        o = offsets[k]
        for g in range(nb):
            tile[k, g] = r[bases[g] + o]
    if use_a:
        for db in range(4):
            _tile_one_qubit(tile, ma, 4 * db, 1, nb)
    if use_b:
        for da in range(4):
            _tile_one_qubit(tile, mb, da, 4, nb)
    pre = use_a or use_b
    for i in range(start, end):
        o = offsets[rows[i]]
        if row_ident[i]:
            if pre:
                d = rows[i]
                for g in range(nb):
                    r[bases[g] + o] = tile[d, g]
            continue
        for g in range(nb):
            out[g] = 0.0
        for e in range(row_ptr[i], row_ptr[i + 1]):
            c = cols[e]
            w = vals[e]
            for g in range(nb):
                out[g] += w * tile[c, g]
        for g in range(nb):
            r[bases[g] + o] = out[g]


@njit(cache=True, inline="always")
def _two_qubit_blocks_scalar(r, offsets, rows, row_ptr, cols, vals, row_ident, start, end, ma, mb, use_a, use_b, v,
                             bases, nb):
    """The same arithmetic as :func:`_two_qubit_tile`, one block at a time (cheaper for a handful of blocks)."""
    pre = use_a or use_b
    for g in range(nb):
        base = bases[g]
        for k in range(16):
            v[k] = r[base + offsets[k]]
        if use_a:
            for db in range(4):
                f = 4 * db
                v0 = v[f]
                v1 = v[f + 1]
                v2 = v[f + 2]
                v3 = v[f + 3]
                v[f + 1] = ma[1, 0] * v0 + ma[1, 1] * v1 + ma[1, 2] * v2 + ma[1, 3] * v3
                v[f + 2] = ma[2, 0] * v0 + ma[2, 1] * v1 + ma[2, 2] * v2 + ma[2, 3] * v3
                v[f + 3] = ma[3, 0] * v0 + ma[3, 1] * v1 + ma[3, 2] * v2 + ma[3, 3] * v3
        if use_b:
            for da in range(4):
                v0 = v[da]
                v1 = v[da + 4]
                v2 = v[da + 8]
                v3 = v[da + 12]
                v[da + 4] = mb[1, 0] * v0 + mb[1, 1] * v1 + mb[1, 2] * v2 + mb[1, 3] * v3
                v[da + 8] = mb[2, 0] * v0 + mb[2, 1] * v1 + mb[2, 2] * v2 + mb[2, 3] * v3
                v[da + 12] = mb[3, 0] * v0 + mb[3, 1] * v1 + mb[3, 2] * v2 + mb[3, 3] * v3
        for i in range(start, end):
            d = rows[i]
            if row_ident[i]:
                if pre:
                    r[base + offsets[d]] = v[d]
                continue
            acc = 0.0
            for e in range(row_ptr[i], row_ptr[i + 1]):
                acc += vals[e] * v[cols[e]]
            r[base + offsets[d]] = acc


@njit(cache=True, inline="always")
def apply_two_qubit(r, qa, qb, rows, row_ptr, cols, vals, row_ident, start, end, ma, mb, use_a, use_b, offsets, tile,
                    out, bases):
    """r <- M (mb (x) ma) r on qubits (qa, qb): first the 1-qubit blocks ``ma`` on qa and ``mb`` on qb
    (when ``use_a`` / ``use_b``), then the sparse 16x16 PTM M (local index d_a + 4 d_b), all in one pass.

    M's rows 1..15 are ``rows[start:end]``; identity rows (``row_ident``) cost nothing
    unless a 1-qubit block changed them.
    """
    size = r.shape[0]
    sa = 1 << (2 * qa)
    sb = 1 << (2 * qb)
    for da in range(4):
        for db in range(4):
            offsets[da + 4 * db] = da * sa + db * sb
    s_lo = min(sa, sb)
    s_hi = max(sa, sb)
    cap = bases.shape[0]
    if size < 16 * SCALAR_BELOW:
        nb = 0
        for x in range(0, size, 4 * s_hi):
            for y in range(x, x + s_hi, 4 * s_lo):
                for base in range(y, y + s_lo):
                    bases[nb] = base
                    nb += 1
        _two_qubit_blocks_scalar(r, offsets, rows, row_ptr, cols, vals, row_ident, start, end, ma, mb, use_a, use_b,
                                 out, bases, nb)
        return
    nb = 0
    for x in range(0, size, 4 * s_hi):
        for y in range(x, x + s_hi, 4 * s_lo):
            for base in range(y, y + s_lo):
                bases[nb] = base
                nb += 1
                if nb == cap:
                    _two_qubit_tile(r, offsets, rows, row_ptr, cols, vals, row_ident, start, end, ma, mb, use_a,
                                    use_b, tile, out, bases, nb)
                    nb = 0
    if nb:
        _two_qubit_tile(r, offsets, rows, row_ptr, cols, vals, row_ident, start, end, ma, mb, use_a, use_b, tile, out,
                        bases, nb)


@njit(cache=True, inline="always")
def unpack(ints, floats):
    """Views of the packed program: steps, factor slots and matrices, and the sparse 2-qubit rows."""
    n_steps = ints[H_NUM_STEPS]
    n_factors = ints[H_NUM_FACTORS]
    n_rows = ints[H_NUM_ROWS]
    nnz = ints[H_NUM_NNZ]
    o = ints[H_OFF_STEPS]
    steps = ints[o:o + STEP_WIDTH * n_steps].reshape((n_steps, STEP_WIDTH))
    o = ints[H_OFF_FACTOR_PARAM]
    factor_param = ints[o:o + n_factors]
    o = ints[H_OFF_FACTOR_MATS]
    factor_mats = floats[o:o + 48 * n_factors].reshape((n_factors, 3, 4, 4))
    o = ints[H_OFF_ROWS]
    rows = ints[o:o + n_rows]
    o = ints[H_OFF_ROW_PTR]
    row_ptr = ints[o:o + n_rows + 1]
    o = ints[H_OFF_ROW_IDENT]
    row_ident = ints[o:o + n_rows]
    o = ints[H_OFF_COLS]
    cols = ints[o:o + nnz]
    o = ints[H_OFF_VALS]
    vals = floats[o:o + nnz]
    return steps, factor_param, factor_mats, rows, row_ptr, row_ident, cols, vals


@njit(cache=True, inline="always")
def _scratch(num_qubits):
    """Per-thread work arrays (two allocations): state r, three 4x4 block matrices m, a 4x4 tmp,
    the 16 block offsets, the tile, one tile row, and the tile's block bases."""
    size = 1 << (2 * num_qubits)
    fbuf = np.empty(size + 48 + 16 + 16 * TILE + TILE)
    ibuf = np.empty(16 + TILE, dtype=np.int64)
    r = fbuf[:size]
    m = fbuf[size:size + 48].reshape((3, 4, 4))
    tmp = fbuf[size + 48:size + 64].reshape((4, 4))
    tile = fbuf[size + 64:size + 64 + 16 * TILE].reshape((16, TILE))
    out = fbuf[size + 64 + 16 * TILE:]
    return r, m, tmp, ibuf[:16], tile, out, ibuf[16:]


@njit(cache=True)
def run_program(ints, floats, params, r, m, tmp, offsets, tile, out, bases):
    """Evolve |0...0> through the packed program with one parameter vector; the result is left in r.

    ``m`` holds three 4x4 work matrices (a 1-qubit block, and the two fused into a 2-qubit pass).
    """
    steps, factor_param, factor_mats, rows, row_ptr, row_ident, cols, vals = unpack(ints, floats)
    init_zero_state(r, ints[H_NUM_QUBITS])
    for s in range(steps.shape[0]):
        if steps[s, 0] == STEP_ONE_QUBIT:
            block_matrix(factor_param, factor_mats, steps[s, 3], steps[s, 4], params, m[0], tmp)
            apply_one_qubit(r, m[0], steps[s, 1])
        else:
            use_a = steps[s, 6] > steps[s, 5]
            use_b = steps[s, 8] > steps[s, 7]
            if use_a:
                block_matrix(factor_param, factor_mats, steps[s, 5], steps[s, 6], params, m[1], tmp)
            if use_b:
                block_matrix(factor_param, factor_mats, steps[s, 7], steps[s, 8], params, m[2], tmp)
            apply_two_qubit(r, steps[s, 1], steps[s, 2], rows, row_ptr, cols, vals, row_ident, steps[s, 3],
                            steps[s, 4], m[1], m[2], use_a, use_b, offsets, tile, out, bases)


@njit(cache=True)
def measure_energy(ints, floats, r):
    """constant + sum_k w_k r[idx_k] (readout folded into the weights)."""
    n = ints[H_NUM_ENERGY]
    oi = ints[H_OFF_ENERGY_IDX]
    of = ints[H_OFF_ENERGY_W]
    acc = 0.0
    for k in range(n):
        acc += floats[of + k] * r[ints[oi + k]]
    return floats[F_CONSTANT] + acc


@njit(cache=True)
def measure_terms(ints, floats, r, out_row):
    """out_row[t] = measured (readout-affected) value of term t; out_row[T + t] = r[code_t]."""
    n_terms = ints[H_NUM_TERMS]
    tp = ints[H_OFF_TERM_PTR]
    gi = ints[H_OFF_GATHER_IDX]
    gw = ints[H_OFF_GATHER_W]
    oc = ints[H_OFF_CODES]
    for t in range(n_terms):
        acc = 0.0
        for k in range(ints[tp + t], ints[tp + t + 1]):
            acc += floats[gw + k] * r[ints[gi + k]]
        out_row[t] = acc
        out_row[n_terms + t] = r[ints[oc + t]]


@njit(cache=True)
def params_finite(params):
    """False if any parameter is NaN or infinite."""
    for x in params.ravel():
        if not np.isfinite(x):
            return False
    return True


@njit(cache=True)
def evaluate_one(ints, floats, params):
    """Exact energy for one parameter vector (NaN if a parameter is not finite)."""
    if not params_finite(params):
        return np.nan
    r, m, tmp, offsets, tile, out, bases = _scratch(ints[H_NUM_QUBITS])
    run_program(ints, floats, params, r, m, tmp, offsets, tile, out, bases)
    return measure_energy(ints, floats, r)


@njit(cache=True)
def _run_rows(ints, floats, params_2d, first, last, mode, out):
    r, m, tmp, offsets, tile, acc, bases = _scratch(ints[H_NUM_QUBITS])
    for b in range(first, last):
        run_program(ints, floats, params_2d[b], r, m, tmp, offsets, tile, acc, bases)
        if mode == 0:
            out[b, 0] = measure_energy(ints, floats, r)
        else:
            measure_terms(ints, floats, r, out[b])


@njit(cache=True)
def evaluate_batch(ints, floats, params_2d, mode, out):
    """Per row: mode 0 -> energy in out[b, 0]; mode 1 -> :func:`measure_terms` into out[b]. False if
    a parameter is not finite (nothing is computed then)."""
    if not params_finite(params_2d):
        return False
    _run_rows(ints, floats, params_2d, 0, params_2d.shape[0], mode, out)
    return True


@njit(cache=True, parallel=True)
def evaluate_batch_parallel(ints, floats, params_2d, mode, out, chunks):
    """:func:`evaluate_batch` with the rows split into ``chunks`` contiguous pieces run in parallel
    (one scratch set per piece; each row's arithmetic is identical to the serial kernel's)."""
    if not params_finite(params_2d):
        return False
    n_rows = params_2d.shape[0]
    for c in prange(chunks):
        _run_rows(ints, floats, params_2d, (c * n_rows) // chunks, ((c + 1) * n_rows) // chunks, mode, out)
    return True


@njit(cache=True)
def final_state(ints, floats, params):
    """The Pauli vector after the circuit for one parameter vector."""
    r, m, tmp, offsets, tile, out, bases = _scratch(ints[H_NUM_QUBITS])
    run_program(ints, floats, params, r, m, tmp, offsets, tile, out, bases)
    return r.copy()


@njit(cache=True)
def combine_terms(values, coeffs, constant, out):
    """out[b] = constant + sum_t coeffs[t] values[b, t], summed in a fixed order per row."""
    for b in range(values.shape[0]):
        acc = 0.0
        for t in range(coeffs.shape[0]):
            acc += coeffs[t] * values[b, t]
        out[b] = constant + acc
