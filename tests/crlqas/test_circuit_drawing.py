"""Layout rules of the circuit drawing in run reports."""

from __future__ import annotations

import math

import matplotlib
import pytest

import sim
from crlqas.circuit_drawing import columns, draw_circuit, wrap_angle

matplotlib.use("Agg")


def test_columns_place_gates_early_and_never_overlap_a_cnot_line():
    circuit = sim.Circuit(4).ry(1).ry(2).cx(3, 0).cx(2, 1).rx(0)
    # the CNOT 3->0 crosses wires 1 and 2, so it waits for both rotations and the CNOT 2->1 comes after it
    assert columns(circuit) == [0, 0, 1, 2, 2]
    assert columns(sim.Circuit(3).rx(0).rx(2).cx(0, 1).rz(2)) == [0, 0, 1, 1]


@pytest.mark.parametrize("angle, expected", [(0.3, 0.3), (2 * math.pi + 0.3, 0.3), (-28.2738, -28.2738 + 8 * math.pi),
                                             (math.pi, math.pi), (-math.pi, math.pi), (3 * math.pi, math.pi)])
def test_wrap_angle_lands_in_minus_pi_to_pi(angle, expected):
    assert wrap_angle(angle) == pytest.approx(expected, abs=1e-12)
    assert -math.pi < wrap_angle(angle) <= math.pi


def test_draw_circuit_labels_every_rotation_with_its_wrapped_angle():
    import matplotlib.pyplot as plt

    circuit = sim.Circuit(2).ry(0, 7.0).cx(0, 1).rz(1)
    fig, ax = plt.subplots()
    draw_circuit(circuit, ax, params=[0.5])
    labels = sorted(t.get_text() for t in ax.texts)
    plt.close(fig)
    assert labels == sorted(["q0", "q1", f"RY\n{wrap_angle(7.0):+.2f}", "RZ\n+0.50"])
