"""Batch-inner ("wide") kernels of the PTM engine for small registers.

For a few qubits one state is too short to keep a core busy, so a group of
W parameter vectors is evolved together: the state is a (4^n, W) array, and
every update loops over the W columns innermost (contiguous, vectorisable).
The 2-qubit sparse parts are shared by all columns; the 1-qubit blocks
differ per column (their angles) and are stored as (4, 4, W).

Each column sees exactly the arithmetic of :mod:`sim.kernels` (same
expressions, same summation order), so a row's energy is bit-identical
whichever path computed it.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from sim.kernels import (F_CONSTANT, H_NUM_ENERGY, H_NUM_QUBITS, H_NUM_TERMS, H_OFF_CODES, H_OFF_ENERGY_IDX,
                         H_OFF_ENERGY_W, H_OFF_GATHER_IDX, H_OFF_GATHER_W, H_OFF_TERM_PTR, STEP_ONE_QUBIT, block_matrix,
                         params_finite, unpack)

#: largest register for the batch-inner kernels; beyond it a (4^n, W) state leaves the caches and the
#: row-by-row kernels win (measured: n = 10 is 1.3x to 3x slower wide)
MAX_WIDE_QUBITS = 8


def group_width(num_qubits: int) -> int:
    """Columns per group for an n-qubit register (1 means: use the row-by-row kernels).

    Measured on the benchmark workload: 64 columns up to 5 qubits, 32 for 6 to 8
    (a multiple of the vector length keeps the column loops free of remainders).
    """
    if num_qubits > MAX_WIDE_QUBITS:
        return 1
    return 64 if num_qubits <= 5 else 32


def min_rows(num_qubits: int) -> int:
    """Fewest rows for which a group is worth running batch-inner (short groups leave the
    column loops mostly overhead: at 8 qubits 2 rows cost 10x more wide than row by row)."""
    if num_qubits <= 3:
        return 4
    return 16 if num_qubits <= 5 else group_width(num_qubits)


@njit(cache=True, inline="always")
def _blocks_per_column(factor_param, factor_mats, start, end, params_2d, first, w, dest, k, m, tmp):
    """dest[k, :, :, c] = block matrix of column c (row first + c)."""
    for c in range(w):
        block_matrix(factor_param, factor_mats, start, end, params_2d[first + c], m, tmp)
        for i in range(4):
            for j in range(4):
                dest[k, i, j, c] = m[i, j]


@njit(cache=True, inline="always")
def _tile_block(tile, mats, k, first, step, w):
    """Rows 1..3 of each column's 4x4 block on tile rows first + e * step."""
    r0 = first
    r1 = first + step
    r2 = first + 2 * step
    r3 = first + 3 * step
    for c in range(w):
        v0 = tile[r0, c]
        v1 = tile[r1, c]
        v2 = tile[r2, c]
        v3 = tile[r3, c]
        tile[r1, c] = mats[k, 1, 0, c] * v0 + mats[k, 1, 1, c] * v1 + mats[k, 1, 2, c] * v2 + mats[k, 1, 3, c] * v3
        tile[r2, c] = mats[k, 2, 0, c] * v0 + mats[k, 2, 1, c] * v1 + mats[k, 2, 2, c] * v2 + mats[k, 2, 3, c] * v3
        tile[r3, c] = mats[k, 3, 0, c] * v0 + mats[k, 3, 1, c] * v1 + mats[k, 3, 2, c] * v2 + mats[k, 3, 3, c] * v3


@njit(cache=True)
def _run_group(ints, floats, params_2d, first, w, mode, out, state, mats, m, tmp, tile, acc, offsets):
    num_qubits = ints[H_NUM_QUBITS]
    size = 1 << (2 * num_qubits)
    steps, factor_param, factor_mats, rows, row_ptr, row_ident, cols, vals = unpack(ints, floats)
    # |0...0>: 1 on every string of I and Z
    for i in range(size):
        for c in range(w):
            state[i, c] = 0.0
    for b in range(1 << num_qubits):
        code = 0
        for q in range(num_qubits):
            if (b >> q) & 1:
                code += 3 << (2 * q)
        for c in range(w):
            state[code, c] = 1.0
    for s in range(steps.shape[0]):
        qa = steps[s, 1]
        if steps[s, 0] == STEP_ONE_QUBIT:
            _blocks_per_column(factor_param, factor_mats, steps[s, 3], steps[s, 4], params_2d, first, w, mats, 0, m,
                               tmp)
            stride = 1 << (2 * qa)
            for hi in range(0, size, 4 * stride):
                for base in range(hi, hi + stride):
                    for e in range(4):
                        for c in range(w):
                            tile[e, c] = state[base + e * stride, c]
                    for d in range(1, 4):
                        o = base + d * stride
                        for c in range(w):
                            state[o, c] = (mats[0, d, 0, c] * tile[0, c] + mats[0, d, 1, c] * tile[1, c]
                                           + mats[0, d, 2, c] * tile[2, c] + mats[0, d, 3, c] * tile[3, c])
            continue
        qb = steps[s, 2]
        use_a = steps[s, 6] > steps[s, 5]
        use_b = steps[s, 8] > steps[s, 7]
        if use_a:
            _blocks_per_column(factor_param, factor_mats, steps[s, 5], steps[s, 6], params_2d, first, w, mats, 1, m,
                               tmp)
        if use_b:
            _blocks_per_column(factor_param, factor_mats, steps[s, 7], steps[s, 8], params_2d, first, w, mats, 2, m,
                               tmp)
        pre = use_a or use_b
        sa = 1 << (2 * qa)
        sb = 1 << (2 * qb)
        for da in range(4):
            for db in range(4):
                offsets[da + 4 * db] = da * sa + db * sb
        s_lo = min(sa, sb)
        s_hi = max(sa, sb)
        for x in range(0, size, 4 * s_hi):
            for y in range(x, x + s_hi, 4 * s_lo):
                for base in range(y, y + s_lo):
                    for k in range(16):
                        o = base + offsets[k]
                        for c in range(w):
                            tile[k, c] = state[o, c]
                    if use_a:
                        for db in range(4):
                            _tile_block(tile, mats, 1, 4 * db, 1, w)
                    if use_b:
                        for da in range(4):
                            _tile_block(tile, mats, 2, da, 4, w)
                    for i in range(steps[s, 3], steps[s, 4]):
                        d = rows[i]
                        o = base + offsets[d]
                        if row_ident[i]:
                            if pre:
                                for c in range(w):
                                    state[o, c] = tile[d, c]
                            continue
                        for c in range(w):
                            acc[c] = 0.0
                        for e in range(row_ptr[i], row_ptr[i + 1]):
                            col = cols[e]
                            val = vals[e]
                            for c in range(w):
                                acc[c] += val * tile[col, c]
                        for c in range(w):
                            state[o, c] = acc[c]
    # measurement, column by column in the order of sim.kernels.measure_*
    if mode == 0:
        n = ints[H_NUM_ENERGY]
        oi = ints[H_OFF_ENERGY_IDX]
        of = ints[H_OFF_ENERGY_W]
        for c in range(w):
            acc[c] = 0.0
        for k in range(n):
            wk = floats[of + k]
            idx = ints[oi + k]
            for c in range(w):
                acc[c] += wk * state[idx, c]
        for c in range(w):
            out[first + c, 0] = floats[F_CONSTANT] + acc[c]
    else:
        n_terms = ints[H_NUM_TERMS]
        tp = ints[H_OFF_TERM_PTR]
        gi = ints[H_OFF_GATHER_IDX]
        gw = ints[H_OFF_GATHER_W]
        oc = ints[H_OFF_CODES]
        for t in range(n_terms):
            for c in range(w):
                acc[c] = 0.0
            for k in range(ints[tp + t], ints[tp + t + 1]):
                wk = floats[gw + k]
                idx = ints[gi + k]
                for c in range(w):
                    acc[c] += wk * state[idx, c]
            for c in range(w):
                out[first + c, t] = acc[c]
                out[first + c, n_terms + t] = state[ints[oc + t], c]


@njit(cache=True)
def _run_groups(ints, floats, params_2d, g_first, g_last, width, mode, out):
    size = 1 << (2 * ints[H_NUM_QUBITS])
    state = np.empty((size, width))
    mats = np.empty((3, 4, 4, width))
    m = np.empty((4, 4))
    tmp = np.empty((4, 4))
    tile = np.empty((16, width))
    acc = np.empty(width)
    offsets = np.empty(16, dtype=np.int64)
    n_rows = params_2d.shape[0]
    for g in range(g_first, g_last):
        first = g * width
        w = min(width, n_rows - first)
        _run_group(ints, floats, params_2d, first, w, mode, out, state, mats, m, tmp, tile, acc, offsets)


@njit(cache=True)
def evaluate_wide(ints, floats, params_2d, width, mode, out):
    """Like :func:`sim.kernels.evaluate_batch`, ``width`` rows at a time."""
    if not params_finite(params_2d):
        return False
    groups = (params_2d.shape[0] + width - 1) // width
    _run_groups(ints, floats, params_2d, 0, groups, width, mode, out)
    return True


@njit(cache=True, parallel=True)
def evaluate_wide_parallel(ints, floats, params_2d, width, mode, out, chunks):
    """:func:`evaluate_wide` with the groups split into ``chunks`` contiguous pieces run in parallel."""
    if not params_finite(params_2d):
        return False
    groups = (params_2d.shape[0] + width - 1) // width
    for c in prange(chunks):
        _run_groups(ints, floats, params_2d, (c * groups) // chunks, ((c + 1) * groups) // chunks, width, mode, out)
    return True
