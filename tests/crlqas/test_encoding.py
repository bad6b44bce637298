"""Action set, ASAP moments, the 3D tensor and the illegal-action mask."""

import numpy as np
import pytest

import sim
from crlqas.encoding import ActionSet, CircuitEncoding, IllegalActionError


def _enc(n=3, L=10, coupling_map=None):
    actions = ActionSet(n, coupling_map)
    return actions, CircuitEncoding(actions, L)


@pytest.mark.parametrize("n, count", [(2, 8), (3, 15), (4, 24), (6, 48), (8, 80)])
def test_action_count_is_n_times_n_plus_2(n, count):
    assert len(ActionSet(n)) == count


def test_action_order_cnots_lexicographic_then_rotations_by_qubit_then_axis():
    assert ActionSet(2).names() == ["CNOT(0,1)", "CNOT(1,0)", "RX(0)", "RY(0)", "RZ(0)", "RX(1)", "RY(1)", "RZ(1)"]
    assert ActionSet(3).names()[:6] == ["CNOT(0,1)", "CNOT(0,2)", "CNOT(1,0)", "CNOT(1,2)", "CNOT(2,0)", "CNOT(2,1)"]


def test_coupling_map_keeps_given_order_and_rejects_missing_qubits():
    actions = ActionSet(3, [(2, 1), (0, 1)])
    assert actions.names()[:2] == ["CNOT(2,1)", "CNOT(0,1)"]
    assert len(actions) == 2 + 9
    with pytest.raises(ValueError, match="qubit 3"):
        ActionSet(3, [(0, 3)])
    with pytest.raises(ValueError, match="same qubit"):
        ActionSet(3, [(1, 1)])


def test_rotation_twice_is_illegal_other_axis_stays_legal():
    actions, enc = _enc()
    rx0 = actions.index("rx", (0,))
    enc.append(rx0)
    mask = enc.mask()
    assert not mask[rx0]
    assert mask[actions.index("ry", (0,))] and mask[actions.index("rx", (1,))]
    assert mask.sum() == len(actions) - 1
    with pytest.raises(IllegalActionError, match="illegal"):
        enc.append(rx0)


def test_cnot_twice_is_illegal_reverse_stays_legal():
    actions, enc = _enc()
    c01, c10 = actions.index("cx", (0, 1)), actions.index("cx", (1, 0))
    enc.append(c01)
    mask = enc.mask()
    assert not mask[c01]
    assert mask[c10]
    assert mask.sum() == len(actions) - 1


@pytest.mark.parametrize("between", [("rz", (0,)), ("rx", (1,)), ("cx", (0, 2)), ("cx", (2, 1))])
def test_cnot_legal_again_after_a_gate_on_control_or_target(between):
    actions, enc = _enc()
    c01 = actions.index("cx", (0, 1))
    enc.append(c01)
    enc.append(actions.index(*between))
    assert enc.mask()[c01]
    enc.append(c01)  # no error


def test_cnot_still_illegal_after_gate_on_an_unrelated_qubit():
    actions, enc = _enc()
    c01 = actions.index("cx", (0, 1))
    enc.append(c01)
    enc.append(actions.index("ry", (2,)))
    assert not enc.mask()[c01]


def test_out_of_range_and_non_integer_actions_are_rejected():
    actions, enc = _enc(2)
    with pytest.raises(ValueError, match="out of range"):
        enc.check_action(8)
    with pytest.raises(ValueError, match="out of range"):
        enc.check_action(-1)
    with pytest.raises(TypeError):
        enc.check_action(1.5)
    assert enc.check_action(np.int64(3)) == 3


def test_moments_depth_and_tensor_on_a_scripted_circuit():
    # 3 qubits: RX(0) -> m0; CNOT(0,1) -> m1; RY(2) -> m0; CNOT(2,1) -> max(2, 1) = 2; RZ(0) -> m2
    actions, enc = _enc(3, L=6)
    script = [("rx", (0,)), ("cx", (0, 1)), ("ry", (2,)), ("cx", (2, 1)), ("rz", (0,))]
    moments = [enc.append(actions.index(*g)) for g in script]
    assert moments == [0, 1, 0, 2, 2]
    assert enc.depth == 3
    assert (enc.num_gates, enc.num_cnots, enc.num_rotations) == (5, 2, 3)
    expected = np.zeros((6, 6, 3), dtype=np.float32)
    expected[0, 3 + 0, 0] = 1  # RX on qubit 0: row N + 0
    expected[1, 1, 0] = 1      # CNOT c=0, t=1: [m, t, c]
    expected[0, 3 + 1, 2] = 1  # RY on qubit 2
    expected[2, 1, 2] = 1      # CNOT c=2, t=1
    expected[2, 3 + 2, 0] = 1  # RZ on qubit 0
    np.testing.assert_array_equal(enc.tensor, expected)
    assert enc.tensor.dtype == np.float32
    enc.reset()
    assert enc.tensor.sum() == 0 and enc.depth == 0 and enc.mask().all()


def test_depth_agrees_with_sim_circuit_depth():
    rng = np.random.default_rng(3)
    actions, enc = _enc(4, L=40)
    for _ in range(40):
        enc.append(rng.choice(np.flatnonzero(enc.mask())))
    assert enc.depth == enc.to_circuit().depth()
    assert enc.tensor.sum() == 40


def test_to_circuit_numbers_rotation_slots_in_gate_order_after_prefix():
    actions, enc = _enc(2)
    for g in [("ry", (0,)), ("cx", (0, 1)), ("rz", (1,))]:
        enc.append(actions.index(*g))
    prefix = sim.Circuit(2).x(0)
    circuit = enc.to_circuit(prefix)
    assert [op.name for op in circuit] == ["x", "ry", "cx", "rz"]
    assert [op.param for op in circuit] == [None, 0, None, 1]
    assert circuit.num_parameters == 2
    assert len(prefix) == 1  # the prefix is not modified


def test_qasm3_export_contains_the_gates():
    pytest.importorskip("qiskit")
    from crlqas.encoding import circuit_to_qasm3

    actions, enc = _enc(2)
    enc.append(actions.index("ry", (0,)))
    enc.append(actions.index("cx", (0, 1)))
    text = circuit_to_qasm3(enc.to_circuit(), [0.25])
    assert "OPENQASM 3" in text and "cx" in text and "ry(0.25)" in text
