"""Numba kernels of the state-vector backend (2^n complex amplitudes, index bit q = qubit q)."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

@njit(cache=True)
def _sv_block(factor_param, factor_mats, start, end, params, m, tmp):
    """m = F_{end-1} ... F_start, F = cos(theta/2) A + sin(theta/2) B (or A when the slot is -1)."""
    for f in range(start, end):
        p = factor_param[f]
        if p < 0:
            for i in range(2):
                for j in range(2):
                    tmp[i, j] = factor_mats[f, 0, i, j]
        else:
            c = np.cos(0.5 * params[p])
            s = np.sin(0.5 * params[p])
            for i in range(2):
                for j in range(2):
                    tmp[i, j] = c * factor_mats[f, 0, i, j] + s * factor_mats[f, 1, i, j]
        if f == start:
            for i in range(2):
                for j in range(2):
                    m[i, j] = tmp[i, j]
        else:
            for j in range(2):
                a0 = m[0, j]
                a1 = m[1, j]
                m[0, j] = tmp[0, 0] * a0 + tmp[0, 1] * a1
                m[1, j] = tmp[1, 0] * a0 + tmp[1, 1] * a1


@njit(cache=True)
def _sv_apply_1q(psi, m, qubit):
    stride = 1 << qubit
    m00, m01, m10, m11 = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    for hi in range(0, psi.shape[0], 2 * stride):
        for i0 in range(hi, hi + stride):
            i1 = i0 + stride
            a = psi[i0]
            b = psi[i1]
            psi[i0] = m00 * a + m01 * b
            psi[i1] = m10 * a + m11 * b


@njit(cache=True)
def _sv_apply_2q(psi, u, qa, qb):
    """4x4 ``u`` on (qa, qb); local index bit 0 = qa, bit 1 = qb."""
    sa = 1 << qa
    sb = 1 << qb
    lo = min(sa, sb)
    hi = max(sa, sb)
    size = psi.shape[0]
    v = np.empty(4, dtype=np.complex128)
    for x in range(0, size, 2 * hi):
        for y in range(x, x + hi, 2 * lo):
            for base in range(y, y + lo):
                v[0] = psi[base]
                v[1] = psi[base + sa]
                v[2] = psi[base + sb]
                v[3] = psi[base + sa + sb]
                for k in range(4):
                    acc = u[k, 0] * v[0] + u[k, 1] * v[1] + u[k, 2] * v[2] + u[k, 3] * v[3]
                    if k == 0:
                        psi[base] = acc
                    elif k == 1:
                        psi[base + sa] = acc
                    elif k == 2:
                        psi[base + sb] = acc
                    else:
                        psi[base + sa + sb] = acc


@njit(cache=True)
def _sv_run(psi, steps, factor_param, factor_mats, two_qubit, params, m, tmp):
    psi[:] = 0.0
    psi[0] = 1.0
    for s in range(steps.shape[0]):
        if steps[s, 0] == 0:
            _sv_block(factor_param, factor_mats, steps[s, 3], steps[s, 4], params, m, tmp)
            _sv_apply_1q(psi, m, steps[s, 1])
        else:
            _sv_apply_2q(psi, two_qubit[steps[s, 3]], steps[s, 1], steps[s, 2])


@njit(cache=True)
def _parity(x):
    x ^= x >> 32
    x ^= x >> 16
    x ^= x >> 8
    x ^= x >> 4
    x ^= x >> 2
    x ^= x >> 1
    return x & 1


@njit(cache=True)
def _sv_term(psi, x, z, phase):
    """<psi| P |psi> = phase sum_b conj(psi[b ^ x]) (-1)^popcount(b & z) psi[b]."""
    acc = 0.0 + 0.0j
    for b in range(psi.shape[0]):
        acc += (1.0 - 2.0 * _parity(b & z)) * (np.conj(psi[b ^ x]) * psi[b])
    return (phase * acc).real


@njit(cache=True)
def _sv_rows(first, last, num_qubits, steps, factor_param, factor_mats, two_qubit, params_2d, xmask, zmask, phase,
             coeffs, constant, mode, out):
    psi = np.empty(1 << num_qubits, dtype=np.complex128)
    m = np.empty((2, 2), dtype=np.complex128)
    tmp = np.empty((2, 2), dtype=np.complex128)
    for b in range(first, last):
        _sv_run(psi, steps, factor_param, factor_mats, two_qubit, params_2d[b], m, tmp)
        if mode == 0:
            acc = 0.0
            for t in range(xmask.shape[0]):
                acc += coeffs[t] * _sv_term(psi, xmask[t], zmask[t], phase[t])
            out[b, 0] = constant + acc
        else:
            for t in range(xmask.shape[0]):
                out[b, t] = _sv_term(psi, xmask[t], zmask[t], phase[t])


@njit(cache=True)
def sv_evaluate_one(num_qubits, steps, factor_param, factor_mats, two_qubit, params, xmask, zmask, phase, coeffs,
                    constant):
    """Energy for one parameter vector (NaN if a parameter is not finite)."""
    for x in params:
        if not np.isfinite(x):
            return np.nan
    out = np.empty((1, 1))
    _sv_rows(0, 1, num_qubits, steps, factor_param, factor_mats, two_qubit, params.reshape((1, params.shape[0])),
             xmask, zmask, phase, coeffs, constant, 0, out)
    return out[0, 0]


@njit(cache=True)
def sv_evaluate_serial(num_qubits, steps, factor_param, factor_mats, two_qubit, params_2d, xmask, zmask, phase,
                       coeffs, constant, mode, out):
    """Per row: mode 0 -> energy in out[b, 0]; mode 1 -> each term's expectation in out[b, t]."""
    _sv_rows(0, params_2d.shape[0], num_qubits, steps, factor_param, factor_mats, two_qubit, params_2d, xmask, zmask,
             phase, coeffs, constant, mode, out)


@njit(cache=True, parallel=True)
def sv_evaluate_parallel(num_qubits, steps, factor_param, factor_mats, two_qubit, params_2d, xmask, zmask, phase,
                         coeffs, constant, mode, out, chunks):
    """:func:`sv_evaluate_serial` with the batch split over ``chunks`` threads (same per-row arithmetic)."""
    n_rows = params_2d.shape[0]
    for c in prange(chunks):
        _sv_rows((c * n_rows) // chunks, ((c + 1) * n_rows) // chunks, num_qubits, steps, factor_param, factor_mats,
                 two_qubit, params_2d, xmask, zmask, phase, coeffs, constant, mode, out)


@njit(cache=True)
def sv_final_state(num_qubits, steps, factor_param, factor_mats, two_qubit, params):
    """Amplitudes after the circuit for one parameter vector."""
    psi = np.empty(1 << num_qubits, dtype=np.complex128)
    _sv_run(psi, steps, factor_param, factor_mats, two_qubit, params, np.empty((2, 2), dtype=np.complex128),
            np.empty((2, 2), dtype=np.complex128))
    return psi
