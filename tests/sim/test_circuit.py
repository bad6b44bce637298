"""Circuit building, parameter slots and error messages."""

from __future__ import annotations

import numpy as np
import pytest

from sim.circuit import Circuit, Param


def test_new_slots_are_numbered_in_order_and_param_reuses():
    c = Circuit(2).rx(0).ry(1).rz(0, Param(0)).rx(1, 0.3)
    assert c.num_parameters == 2
    assert [op.param for op in c] == [0, 1, 0, None]
    assert c.operations[3].angle == 0.3


def test_param_beyond_count_extends_vector():
    c = Circuit(1).rx(0, Param(4))
    assert c.num_parameters == 5


@pytest.mark.parametrize(
    "build, pattern",
    [
        (lambda c: c.append("foo", (0,)), r"unknown gate 'foo' on qubits \(0,\)"),
        (lambda c: c.cx(0, 3), r"gate 'cx' on qubits \(0, 3\): qubit 3 is out of range"),
        (lambda c: c.cx(1, 1), r"gate 'cx' on qubits \(1, 1\): repeated qubit"),
        (lambda c: c.append("h", (0, 1)), r"gate 'h' acts on 1 qubit\(s\), got qubits \(0, 1\)"),
        (lambda c: c.append("h", (0,), 0.2), r"gate 'h' on qubits \(0,\) takes no angle"),
        (lambda c: c.rx(0, float("nan")), r"gate 'rx' on qubits \(0,\): angle must be finite"),
    ],
)
def test_errors_name_gate_and_qubits(build, pattern):
    with pytest.raises(ValueError, match=pattern):
        build(Circuit(2))


def test_check_parameters():
    c = Circuit(1).rx(0).ry(0)
    with pytest.raises(ValueError, match="pass params"):
        c.check_parameters(None)
    with pytest.raises(ValueError, match="expected 2 parameters, got 1"):
        c.check_parameters([1.0])
    with pytest.raises(ValueError, match="finite"):
        c.check_parameters([1.0, np.inf])
    assert c.check_parameters(np.zeros((3, 2))).shape == (3, 2)


def test_bind_dict_round_trip_and_depth():
    c = Circuit(3).rx(0).cx(0, 1).ry(2, 0.5).cx(1, 2).rz(0, Param(0))
    assert c.depth() == 3
    again = Circuit.from_dict(c.to_dict())
    assert again == c
    bound = c.bind([0.7])
    assert bound.num_parameters == 0
    assert [op.angle for op in bound if op.name == "rx"] == [0.7]
    assert [op.angle for op in bound if op.name == "rz"] == [0.7]
    assert c.to_dict([0.7])["params"] == [0.7]
