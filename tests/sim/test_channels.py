"""Channels: CPTP, PTM against the Kraus definition, conventions, and parameter checks."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from sim import channels as ch
from test_gates import pauli_string

X = np.array([[0, 1], [1, 0]], dtype=complex)


def ptm_from_kraus(ops, k: int) -> np.ndarray:
    strings = list(itertools.product(range(4), repeat=k))
    index = [sum(d * 4**j for j, d in enumerate(s)) for s in strings]
    out = np.zeros((4**k, 4**k))
    for ip, p in zip(index, strings):
        for iq, q in zip(index, strings):
            image = sum(a @ pauli_string(q) @ a.conj().T for a in ops)
            out[ip, iq] = np.trace(pauli_string(p) @ image).real / 2**k
    return out


def all_channels():
    return {
        "depolarizing1": ch.depolarizing(0.2),
        "depolarizing2": ch.depolarizing(0.3, 2),
        "depolarizing_max": ch.depolarizing(4 / 3),
        "pauli_prob": ch.depolarizing_from_pauli_probability(0.05, 2),
        "pauli1": ch.pauli_channel({"I": 0.7, "X": 0.1, "Y": 0.05, "Z": 0.15}),
        "pauli2": ch.pauli_channel({"II": 0.8, "XZ": 0.2}),
        "amp": ch.amplitude_damping(0.3),
        "gad": ch.amplitude_damping(0.3, excited_population=0.2),
        "phase": ch.phase_damping(0.4),
        "thermal_t2_lt_t1": ch.thermal_relaxation(50.0, 30.0, 4.0, 0.1),
        "thermal_t2_gt_t1": ch.thermal_relaxation(50.0, 90.0, 4.0, 0.05),
        "product": ch.product(ch.amplitude_damping(0.2), ch.phase_damping(0.1)),
        "composed": ch.depolarizing(0.1, 2).compose(ch.product(ch.thermal_relaxation(40, 30, 2),
                                                               ch.amplitude_damping(0.1))),
    }


@pytest.mark.parametrize("name", sorted(all_channels()))
def test_cptp_and_ptm_matches_kraus_definition(name):
    channel = all_channels()[name]
    assert channel.is_cptp()
    expected = ptm_from_kraus(channel.kraus_operators, channel.num_qubits)
    assert np.max(np.abs(channel.ptm - expected)) < 1e-12
    # trace preservation: first row is e_0
    assert np.allclose(channel.ptm[0], np.eye(4**channel.num_qubits)[0], atol=1e-14)


@pytest.mark.parametrize("k", [1, 2])
def test_depolarizing_aer_convention(k):
    d = 2**k
    rng = np.random.default_rng(k)
    a = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = a @ a.conj().T
    rho /= np.trace(rho)
    lam = 0.37
    assert np.allclose(ch.depolarizing(lam, k).apply(rho), (1 - lam) * rho + lam * np.eye(d) / d, atol=1e-14)
    assert np.allclose(ch.depolarizing(1.0, k).apply(rho), np.eye(d) / d, atol=1e-14)


def test_depolarizing_pauli_probability_conventions():
    p = 0.06
    assert np.allclose(ch.depolarizing_from_pauli_probability(p).ptm, ch.depolarizing(4 * p / 3).ptm, atol=1e-15)
    assert np.allclose(ch.depolarizing_from_pauli_probability(p, 2).ptm, ch.depolarizing(16 * p / 15, 2).ptm,
                       atol=1e-15)
    # Cirq form rho -> (1 - p) rho + (p/3)(X rho X + Y rho Y + Z rho Z), built from its Kraus operators
    paulis = [pauli_string((d,)) for d in range(4)]
    cirq_like = ch.kraus([np.sqrt(1 - p) * paulis[0]] + [np.sqrt(p / 3) * m for m in paulis[1:]])
    assert np.allclose(ch.depolarizing_from_pauli_probability(p).ptm, cirq_like.ptm, atol=1e-15)


def test_depolarizing_limits():
    ch.depolarizing(16 / 15, 2)
    with pytest.raises(ValueError, match="depolarizing lam"):
        ch.depolarizing(4 / 3 + 1e-9)
    with pytest.raises(ValueError, match="depolarizing lam"):
        ch.depolarizing(-0.1)
    with pytest.raises(ValueError, match="Pauli error probability p"):
        ch.depolarizing_from_pauli_probability(1.01)
    assert np.allclose(ch.depolarizing_from_pauli_probability(1.0, 2).ptm, ch.depolarizing(16 / 15, 2).ptm)


def test_thermal_relaxation_bloch_map():
    t1, t2, t, p1 = 60.0, 45.0, 7.0, 0.12
    r = ch.thermal_relaxation(t1, t2, t, p1).ptm
    e1, e2 = np.exp(-t / t1), np.exp(-t / t2)
    expected = np.array([[1, 0, 0, 0], [0, e2, 0, 0], [0, 0, e2, 0], [(1 - e1) * (1 - 2 * p1), 0, 0, e1]])
    assert np.max(np.abs(r - expected)) < 1e-14


def test_thermal_relaxation_t2_above_2t1_truncates_with_warning():
    with pytest.warns(UserWarning, match="truncated to 2 t1"):
        high = ch.thermal_relaxation(10.0, 35.0, 2.0)
    assert np.max(np.abs(high.ptm - ch.thermal_relaxation(10.0, 20.0, 2.0).ptm)) < 1e-15
    with pytest.raises(ValueError, match="t2 <= 2 t1"):
        ch.thermal_relaxation(10.0, 35.0, 2.0, truncate_t2=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ch.thermal_relaxation(10.0, 20.0, 2.0)  # exactly 2 t1 is fine


def test_thermal_relaxation_infinite_times_is_identity():
    assert np.allclose(ch.thermal_relaxation(np.inf, np.inf, 5.0).ptm, np.eye(4), atol=1e-15)


@pytest.mark.parametrize(
    "make, pattern",
    [
        (lambda: ch.amplitude_damping(1.2), "amplitude damping gamma"),
        (lambda: ch.amplitude_damping(0.1, -0.1), "excited_population"),
        (lambda: ch.phase_damping(-0.01), "phase damping lam"),
        (lambda: ch.thermal_relaxation(-1.0, 1.0, 1.0), "t1 must be > 0"),
        (lambda: ch.thermal_relaxation(1.0, 0.0, 1.0), "t2 must be > 0"),
        (lambda: ch.thermal_relaxation(1.0, 1.0, -1.0), "time must be"),
        (lambda: ch.thermal_relaxation(1.0, 1.0, 1.0, 1.5), "excited_population"),
        (lambda: ch.pauli_channel({"X": 0.5, "Z": 0.6}), "sum to 1"),
        (lambda: ch.pauli_channel({"X": -0.1, "I": 1.1}), "probability of Pauli 'X'"),
        (lambda: ch.pauli_channel({"X": 0.5, "IZ": 0.5}), "same length"),
        (lambda: ch.kraus([0.9 * np.eye(2)]), "not trace preserving"),
        (lambda: ch.kraus([np.eye(3)]), "power of two"),
        (lambda: ch.readout_error([[0.9, 0.2], [0.0, 1.0]]), "row 0"),
        (lambda: ch.readout_error([[1.1, -0.1], [0.0, 1.0]]), r"readout probability P\(0\|0\)"),
        (lambda: ch.readout_error([[1.0, 0.0, 0.0]]), "2x2"),
        (lambda: ch.product(ch.depolarizing(0.1, 2), ch.depolarizing(0.1)), "first must be a 1-qubit"),
    ],
)
def test_bad_parameters_rejected(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_kraus_accepts_valid_operators():
    g = 0.3
    channel = ch.kraus([np.array([[1, 0], [0, np.sqrt(1 - g)]]), np.array([[0, np.sqrt(g)], [0, 0]])])
    assert np.allclose(channel.ptm, ch.amplitude_damping(g).ptm, atol=1e-15)


def test_compose_order_is_self_then_other():
    amp = ch.amplitude_damping(1.0)  # resets to |0>
    flip = ch.kraus([X])
    rho1 = np.diag([0.0, 1.0]).astype(complex)
    # reset then flip -> |1>; flip then reset -> |0>
    assert np.allclose(amp.compose(flip).apply(rho1), np.diag([0, 1]))
    assert np.allclose(flip.compose(amp).apply(rho1), np.diag([1, 0]))
    assert np.allclose(amp.compose(flip).ptm, flip.ptm @ amp.ptm)


def test_compose_keeps_kraus_count_minimal():
    c = ch.depolarizing(0.1, 2).compose(ch.depolarizing(0.2, 2)).compose(ch.depolarizing(0.05, 2))
    assert len(c.kraus_operators) <= 16
    assert np.allclose(c.ptm, ch.depolarizing(0.05, 2).ptm @ ch.depolarizing(0.2, 2).ptm @ ch.depolarizing(0.1, 2).ptm,
                       atol=1e-13)


def test_product_puts_first_on_qubits_0():
    reset = ch.amplitude_damping(1.0)
    ident = ch.phase_damping(0.0)
    rho_11 = np.diag([0, 0, 0, 1.0]).astype(complex)  # both qubits in |1>
    out = ch.product(reset, ident).apply(rho_11)
    # qubit 0 (least significant bit) reset: |q1=1, q0=0> = index 2
    assert np.allclose(out, np.diag([0, 0, 1.0, 0]))


def test_pauli_channel_label_order():
    # 'XI' = X on qubit 1: it flips Z on qubit 1 (index 12) but not Z on qubit 0 (index 3)
    r = ch.pauli_channel({"II": 0.5, "XI": 0.5}).ptm
    assert r[12, 12] == pytest.approx(0.0, abs=1e-15)
    assert r[3, 3] == pytest.approx(1.0)


def test_readout_error_properties():
    err = ch.readout_error([[0.9, 0.1], [0.25, 0.75]])
    assert err.e0 == 0.1 and err.e1 == 0.25
    assert err.z_scale == pytest.approx(0.65) and err.z_shift == pytest.approx(0.15)
