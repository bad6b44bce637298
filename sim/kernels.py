"""Numba kernels of the PTM engine: run a compiled program on a batch of parameter vectors.

State: the real Pauli vector r (length 4^n, index sum_q d_q 4^q). Every step
updates r in place, block by block (a block = the 4 or 16 entries that differ
only on the step's qubits), so one state buffer per thread is enough.
``fastmath`` stays off: results must be bit-identical from call to call.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

STEP_ONE_QUBIT = 0
STEP_TWO_QUBIT = 1


@njit(cache=True)
def init_zero_state(r: np.ndarray, num_qubits: int) -> None:
    """Pauli vector of |0...0>: 1 on every string made of I and Z only."""
    r[:] = 0.0
    for b in range(1 << num_qubits):
        code = 0
        for q in range(num_qubits):
            if (b >> q) & 1:
                code += 3 << (2 * q)
        r[code] = 1.0


@njit(cache=True)
def _block_matrix(factor_param, factor_mats, start, end, params, m, tmp):
    """m = F_{end-1} ... F_start with F = A + cos(theta) B + sin(theta) C."""
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
            # m <- tmp @ m, row by row through a 4-vector
            for j in range(4):
                a0 = m[0, j]
                a1 = m[1, j]
                a2 = m[2, j]
                a3 = m[3, j]
                for i in range(4):
                    m[i, j] = tmp[i, 0] * a0 + tmp[i, 1] * a1 + tmp[i, 2] * a2 + tmp[i, 3] * a3


@njit(cache=True)
def apply_one_qubit(r: np.ndarray, m: np.ndarray, qubit: int) -> None:
    """r <- (4x4 PTM m on ``qubit``) r; row 0 of m is e_0 (trace preserving) and is skipped."""
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


@njit(cache=True)
def apply_two_qubit(r, qa, qb, rows, row_ptr, cols, vals, start, end, offsets, v):
    """r <- (sparse 16x16 PTM on qubits (qa, qb)) r; local index d_a + 4 d_b.

    Only the stored rows ``rows[start:end]`` are written; the others are
    identity rows (including row 0).
    """
    size = r.shape[0]
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
                    v[k] = r[base + offsets[k]]
                for k in range(start, end):
                    acc = 0.0
                    for e in range(row_ptr[k], row_ptr[k + 1]):
                        acc += vals[e] * v[cols[e]]
                    r[base + offsets[rows[k]]] = acc


@njit(cache=True)
def run_program(r, num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals, params, m, tmp,
                offsets, v):
    """Evolve |0...0> through the compiled steps with one parameter vector; result in r."""
    init_zero_state(r, num_qubits)
    for s in range(steps.shape[0]):
        kind = steps[s, 0]
        if kind == STEP_ONE_QUBIT:
            _block_matrix(factor_param, factor_mats, steps[s, 3], steps[s, 4], params, m, tmp)
            apply_one_qubit(r, m, steps[s, 1])
        else:
            apply_two_qubit(r, steps[s, 1], steps[s, 2], rows, row_ptr, cols, vals, steps[s, 3], steps[s, 4],
                            offsets, v)


@njit(cache=True)
def _measure(r, mode, energy_idx, energy_w, constant, term_ptr, gather_idx, gather_w, codes, out_row):
    if mode == 0:
        acc = 0.0
        for k in range(energy_idx.shape[0]):
            acc += energy_w[k] * r[energy_idx[k]]
        out_row[0] = constant + acc
    else:
        n_terms = term_ptr.shape[0] - 1
        for t in range(n_terms):
            acc = 0.0
            for k in range(term_ptr[t], term_ptr[t + 1]):
                acc += gather_w[k] * r[gather_idx[k]]
            out_row[t] = acc
            out_row[n_terms + t] = r[codes[t]]


@njit(cache=True)
def _run_rows(first, last, num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals, params_2d,
              mode, energy_idx, energy_w, constant, term_ptr, gather_idx, gather_w, codes, out):
    r = np.empty(1 << (2 * num_qubits))
    m = np.empty((4, 4))
    tmp = np.empty((4, 4))
    offsets = np.empty(16, dtype=np.int64)
    v = np.empty(16)
    for b in range(first, last):
        run_program(r, num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals, params_2d[b], m,
                    tmp, offsets, v)
        _measure(r, mode, energy_idx, energy_w, constant, term_ptr, gather_idx, gather_w, codes, out[b])


@njit(cache=True)
def evaluate_serial(num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals, params_2d,
                    mode, energy_idx, energy_w, constant, term_ptr, gather_idx, gather_w, codes, out):
    """Measured values for each row of ``params_2d`` (mode 0: energy in out[:, 0]; mode 1: per term
    measured values in out[:, :T] and raw Pauli components in out[:, T:])."""
    _run_rows(0, params_2d.shape[0], num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals,
              params_2d, mode, energy_idx, energy_w, constant, term_ptr, gather_idx, gather_w, codes, out)


@njit(cache=True, parallel=True)
def evaluate_parallel(num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals, params_2d,
                      mode, energy_idx, energy_w, constant, term_ptr, gather_idx, gather_w, codes, out, chunks):
    """:func:`evaluate_serial` with the batch split into ``chunks`` contiguous pieces run in parallel
    (one state buffer per piece; each row's arithmetic is the same as in the serial kernel)."""
    n_rows = params_2d.shape[0]
    for c in prange(chunks):
        first = (c * n_rows) // chunks
        last = ((c + 1) * n_rows) // chunks
        _run_rows(first, last, num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals,
                  params_2d, mode, energy_idx, energy_w, constant, term_ptr, gather_idx, gather_w, codes, out)


@njit(cache=True)
def final_state(num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals, params):
    """The Pauli vector after the circuit for one parameter vector."""
    r = np.empty(1 << (2 * num_qubits))
    run_program(r, num_qubits, steps, factor_param, factor_mats, rows, row_ptr, cols, vals, params,
                np.empty((4, 4)), np.empty((4, 4)), np.empty(16, dtype=np.int64), np.empty(16))
    return r
