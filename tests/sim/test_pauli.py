"""PauliSum conventions: label order, merging, Hermiticity, bounds, dense matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.pauli import PauliSum, code_to_label, label_to_code

I2 = np.eye(2)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]])
Z = np.diag([1.0, -1.0]).astype(complex)
MATS = {"I": I2, "X": X, "Y": Y, "Z": Z}


def kron_label(label: str) -> np.ndarray:
    """Explicit kron in Qiskit order: the leftmost character is the most significant qubit."""
    out = np.eye(1)
    for ch in label:
        out = np.kron(out, MATS[ch])
    return out


def test_label_order_is_little_endian():
    # rightmost character = qubit 0, digit X=1 at 4^0; leftmost Z on qubit 2 at 4^2
    assert label_to_code("IIX") == 1
    assert label_to_code("ZII") == 3 * 16
    assert label_to_code("XYZ") == 3 + 2 * 4 + 1 * 16
    assert code_to_label(label_to_code("XYZI"), 4) == "XYZI"


def test_bad_label_rejected():
    with pytest.raises(ValueError, match="invalid Pauli character"):
        label_to_code("XA")


def test_duplicate_terms_merge_and_order_is_canonical():
    a = PauliSum.from_list([("ZI", 1.0), ("IX", 2.0), ("ZI", 0.5)])
    b = PauliSum.from_list([("IX", 2.0), ("ZI", 1.5)])
    assert a == b
    assert a.num_terms == 2
    assert dict(a.to_list()) == {"ZI": 1.5, "IX": 2.0}


def test_non_hermitian_rejected():
    with pytest.raises(ValueError, match="non-Hermitian"):
        PauliSum.from_list([("XY", 1.0 + 0.5j)])
    # a negligible imaginary part is accepted and dropped
    h = PauliSum.from_list([("XY", 1.0 + 1e-14j)])
    assert h.coeffs.dtype == np.float64 and h.coeffs[0] == 1.0


def test_mixed_label_lengths_rejected():
    with pytest.raises(ValueError, match="same length"):
        PauliSum.from_list([("X", 1.0), ("XX", 1.0)])


def test_lower_bound_and_constant():
    h = PauliSum.from_list([("II", -0.5), ("ZZ", 0.3), ("XI", -0.2), ("IY", 0.1)])
    assert h.constant == -0.5
    assert h.lower_bound() == pytest.approx(-0.5 - 0.6, abs=1e-15)
    assert h.lower_bound() <= h.ground_energy() + 1e-12


@pytest.mark.parametrize("n", [1, 2, 3])
def test_to_matrix_matches_explicit_kron(n):
    rng = np.random.default_rng(n)
    labels = ["".join(p) for p in itertools.product("IXYZ", repeat=n)]
    coeffs = rng.normal(size=len(labels))
    h = PauliSum.from_list(list(zip(labels, coeffs)))
    expected = sum(c * kron_label(lab) for lab, c in zip(labels, coeffs))
    assert np.max(np.abs(h.to_matrix() - expected)) < 1e-12


def test_expectation_from_pauli_vector():
    # |0><0| on one qubit: r = (1, 0, 0, 1)
    h = PauliSum.from_list([("I", 0.25), ("Z", 2.0), ("X", 5.0)])
    assert h.expectation_from_pauli_vector(np.array([1.0, 0.0, 0.0, 1.0])) == 2.25


def test_qiskit_round_trip():
    pytest.importorskip("qiskit")
    h = PauliSum.from_list([("XZ", 0.5), ("YI", -1.0)])
    assert PauliSum.from_qiskit(h.to_qiskit()) == h
