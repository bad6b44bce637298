"""Gate matrices (Qiskit conventions) and their Pauli transfer matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.circuit import GATE_ARITY, ROTATION_GATES
from sim.gates import gate_ptm, gate_unitary, rotation_ptm_parts, unitary_ptm

PAULIS = [np.eye(2), np.array([[0, 1], [1, 0]]), np.array([[0, -1j], [1j, 0]]), np.diag([1.0, -1.0])]


def pauli_string(digits: tuple[int, ...]) -> np.ndarray:
    """Matrix of a Pauli string, digits[k] on qubit k (qubit 0 = least significant bit)."""
    out = np.eye(1)
    for d in reversed(digits):
        out = np.kron(out, PAULIS[d])
    return out


def ptm_by_definition(u: np.ndarray) -> np.ndarray:
    k = int(np.log2(u.shape[0]))
    strings = list(itertools.product(range(4), repeat=k))
    index = [sum(d * 4**j for j, d in enumerate(s)) for s in strings]
    out = np.zeros((4**k, 4**k))
    for ip, p in zip(index, strings):
        for iq, q in zip(index, strings):
            out[ip, iq] = np.trace(pauli_string(p) @ u @ pauli_string(q) @ u.conj().T).real / 2**k
    return out


ALL_GATES = [(g, 0.731 if g in ROTATION_GATES else None) for g in sorted(GATE_ARITY)]


@pytest.mark.parametrize("name, angle", ALL_GATES)
def test_unitary(name, angle):
    u = gate_unitary(name, angle)
    assert u.shape == (2 ** GATE_ARITY[name],) * 2
    assert np.allclose(u @ u.conj().T, np.eye(u.shape[0]), atol=1e-14)


@pytest.mark.parametrize("name, angle", ALL_GATES)
def test_ptm_matches_definition(name, angle):
    assert np.max(np.abs(gate_ptm(name, angle) - ptm_by_definition(gate_unitary(name, angle)))) < 1e-13


@pytest.mark.parametrize("name", sorted(ROTATION_GATES))
@pytest.mark.parametrize("theta", [-2.0, 0.0, 0.4, np.pi, 5.0])
def test_rotation_parts(name, theta):
    a, b, c = rotation_ptm_parts(name)
    assert np.max(np.abs(a + np.cos(theta) * b + np.sin(theta) * c - gate_ptm(name, theta))) < 1e-14


def test_rotation_sign_is_qiskit():
    theta = 0.3
    assert np.allclose(gate_unitary("rz", theta), np.diag([np.exp(-0.5j * theta), np.exp(0.5j * theta)]))
    assert np.allclose(gate_unitary("rx", theta),
                       [[np.cos(theta / 2), -1j * np.sin(theta / 2)], [-1j * np.sin(theta / 2), np.cos(theta / 2)]])


def test_cx_control_is_least_significant_bit():
    u = gate_unitary("cx")
    # |control=1, target=0> is index 1 and goes to |1,1> = index 3
    assert u[3, 1] == 1 and u[1, 3] == 1 and u[0, 0] == 1 and u[2, 2] == 1
    r = gate_ptm("cx")
    # X on the control (index 1) spreads to X_c X_t (index 1 + 4); Z on the target (index 12) to Z_c Z_t (15)
    assert r[5, 1] == pytest.approx(1.0) and r[15, 12] == pytest.approx(1.0)


def test_angle_errors():
    with pytest.raises(ValueError, match="needs an angle"):
        gate_unitary("rx")
    with pytest.raises(ValueError, match="takes no angle"):
        gate_unitary("h", 0.1)
    with pytest.raises(ValueError, match="unknown gate"):
        gate_unitary("u3", 0.1)


def test_unitary_ptm_is_orthogonal():
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)))
    r = unitary_ptm(q)
    assert np.allclose(r @ r.T, np.eye(16), atol=1e-12)
