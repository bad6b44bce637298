"""NoiseModel lookup semantics (Aer's): composition order, qubit-specific overrides, readout."""

from __future__ import annotations

import numpy as np
import pytest

from sim import channels as ch
from sim.noise import NoiseModel


def test_empty_model_is_ideal():
    nm = NoiseModel()
    assert nm.is_ideal
    assert nm.errors_for("cx", (0, 1)) is None
    assert nm.readout_for(0) is None


def test_errors_on_same_gate_compose_in_order_added():
    a, b = ch.amplitude_damping(0.4), ch.pauli_channel({"I": 0.7, "X": 0.3})
    nm = NoiseModel().add_quantum_error(a, "rx").add_quantum_error(b, ["rx", "ry"])
    assert np.allclose(nm.errors_for("rx", (2,)).ptm, b.ptm @ a.ptm, atol=1e-14)
    assert np.allclose(nm.errors_for("ry", (0,)).ptm, b.ptm, atol=1e-14)
    assert nm.errors_for("rz", (0,)) is None
    assert not nm.is_ideal


def test_qubit_specific_entry_replaces_all_qubit_entry():
    general, special = ch.depolarizing(0.1, 2), ch.depolarizing(0.3, 2)
    nm = NoiseModel().add_quantum_error(general, "cx").add_quantum_error(special, "cx", (1, 0))
    assert nm.errors_for("cx", (1, 0)) is special
    assert nm.errors_for("cx", (0, 1)) is general


@pytest.mark.parametrize(
    "args, pattern",
    [
        ((ch.depolarizing(0.1, 2), "rx"), "non-local"),
        ((ch.depolarizing(0.1), "cx"), "product"),
        ((ch.depolarizing(0.1), "u3"), "unknown gate 'u3'"),
        ((ch.depolarizing(0.1, 2), "cx", (0, 0)), "distinct"),
        ((ch.depolarizing(0.1, 2), "cx", (0,)), "acts on 2 qubit"),
    ],
)
def test_bad_entries_rejected(args, pattern):
    with pytest.raises(ValueError, match=pattern):
        NoiseModel().add_quantum_error(*args)


def test_non_channel_rejected():
    with pytest.raises(TypeError, match="Channel"):
        NoiseModel().add_quantum_error(np.eye(4), "rx")


def test_readout_lookup_and_replacement():
    everywhere = ch.readout_error([[0.95, 0.05], [0.1, 0.9]])
    nm = NoiseModel().add_readout_error(everywhere)
    nm.add_readout_error([[0.8, 0.2], [0.0, 1.0]], 1)
    assert nm.readout_for(0) is everywhere
    assert nm.readout_for(1).e0 == pytest.approx(0.2)
    with pytest.warns(UserWarning, match="qubit 1"):
        nm.add_readout_error(everywhere, 1)
    assert nm.readout_for(1) is everywhere
    with pytest.raises(ValueError, match="one qubit"):
        nm.add_readout_error(everywhere, (0, 1))
    with pytest.raises(ValueError, match="row 1"):
        nm.add_readout_error([[1.0, 0.0], [0.5, 0.6]])
