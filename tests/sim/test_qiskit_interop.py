"""Conversions between sim and Qiskit / Aer: circuits, Pauli sums, channels, noise models."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("qiskit")
pytest.importorskip("qiskit_aer")

from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister  # noqa: E402
from qiskit.circuit import Parameter, ParameterVector  # noqa: E402
from qiskit.quantum_info import Operator, SparsePauliOp, SuperOp  # noqa: E402
from qiskit_aer import noise as aer_noise  # noqa: E402

from sim import channels as ch  # noqa: E402
from sim.circuit import GATE_ARITY, ROTATION_GATES, Circuit, Param  # noqa: E402
from sim.gates import gate_unitary  # noqa: E402
from sim.interop.qiskit import (  # noqa: E402
    channel_from_qiskit,
    circuit_from_qiskit,
    circuit_to_qiskit,
    noise_model_from_qiskit,
    noise_model_to_qiskit,
    to_qasm3,
)
from sim.noise import NoiseModel  # noqa: E402
from sim.pauli import PauliSum  # noqa: E402


def _every_gate_circuit() -> Circuit:
    """Three qubits, every known gate once, fixed and slotted angles, a gap in the slots."""
    c = Circuit(3)
    for name, arity in sorted(GATE_ARITY.items()):
        qubits = (2, 0) if arity == 2 else (1,)
        if name in ROTATION_GATES:
            c.append(name, qubits)  # new slot
            c.append(name, (0,), 0.25)  # fixed angle
        else:
            c.append(name, qubits)
    c.rz(2, Param(7))  # slots 3..6 unused
    c.rx(1, Param(0))  # a slot used twice
    return c


def _unitary(qc: QuantumCircuit) -> np.ndarray:
    return Operator(qc).data


# ---------------------------------------------------------------------- circuits
def test_gate_matrices_match_qiskit():
    from qiskit.circuit import library as lib

    qiskit_gate = {"rx": lib.RXGate, "ry": lib.RYGate, "rz": lib.RZGate, "h": lib.HGate, "x": lib.XGate,
                   "y": lib.YGate, "z": lib.ZGate, "s": lib.SGate, "sdg": lib.SdgGate, "sx": lib.SXGate,
                   "id": lib.IGate, "cx": lib.CXGate, "cz": lib.CZGate, "swap": lib.SwapGate}
    assert set(qiskit_gate) == set(GATE_ARITY)
    for name, cls in qiskit_gate.items():
        angle = 0.731 if name in ROTATION_GATES else None
        theirs = Operator(cls(angle) if angle is not None else cls()).data
        np.testing.assert_allclose(gate_unitary(name, angle), theirs, atol=1e-14, err_msg=name)


def test_circuit_round_trip_keeps_everything():
    c = _every_gate_circuit()
    qc = circuit_to_qiskit(c)
    assert qc.num_qubits == 3
    assert [p.name for p in qc.parameters] == ["theta[0]", "theta[1]", "theta[2]", "theta[7]"]
    back = circuit_from_qiskit(qc)
    assert back == c
    assert back.num_parameters == c.num_parameters == 8
    # the Circuit methods delegate here
    assert Circuit.from_qiskit(c.to_qiskit()) == c


def test_bound_conversion_has_the_same_unitary():
    c = _every_gate_circuit()
    params = np.linspace(-2.0, 3.0, c.num_parameters)
    bound = circuit_to_qiskit(c, params)
    assert not bound.parameters
    unbound = circuit_to_qiskit(c)
    vector = sorted(unbound.parameters, key=lambda p: p.index)
    assigned = unbound.assign_parameters({p: params[p.index] for p in vector})
    np.testing.assert_allclose(_unitary(bound), _unitary(assigned), atol=1e-12)
    # and it equals binding on our side first
    assert circuit_from_qiskit(bound) == c.bind(params)


def test_parameter_order_mixed_parameters_follows_qc_parameters():
    a, b = Parameter("b_second"), Parameter("a_first")
    v = ParameterVector("phi", 2)
    qc = QuantumCircuit(2)
    qc.rx(a, 0)
    qc.ry(v[1], 1)
    qc.cx(1, 0)
    qc.rz(b, 1)
    qc.ry(v[0], 0)
    c = circuit_from_qiskit(qc)
    order = list(qc.parameters)
    assert [p.name for p in order] == ["a_first", "b_second", "phi[0]", "phi[1]"]
    assert [op.param for op in c if op.param is not None] == [1, 3, 0, 2]
    values = np.array([0.3, -1.1, 2.0, 0.7])
    theirs = qc.assign_parameters(dict(zip(order, values)))
    np.testing.assert_allclose(_unitary(circuit_to_qiskit(c, values)), _unitary(theirs), atol=1e-12)


def test_parameter_order_single_vector_uses_its_indices():
    v = ParameterVector("w", 5)
    qc = QuantumCircuit(2)
    qc.ry(v[4], 0)
    qc.rx(v[1], 1)
    c = circuit_from_qiskit(qc)
    assert [op.param for op in c] == [4, 1]
    assert c.num_parameters == 5


def test_registers_barriers_and_final_measurements():
    qa, qb = QuantumRegister(1, "a"), QuantumRegister(2, "b")
    qc = QuantumCircuit(qa, qb, ClassicalRegister(3))
    qc.h(qb[1])
    qc.barrier()
    qc.cx(qb[1], qa[0])
    qc.measure(range(3), range(3))
    c = circuit_from_qiskit(qc)
    assert [(op.name, op.qubits) for op in c] == [("h", (2,)), ("cx", (2, 0))]


@pytest.mark.parametrize("build, message", [
    (lambda qc: qc.u(0.1, 0.2, 0.3, 0), "'u'"),
    (lambda qc: qc.reset(1), "'reset'"),
    (lambda qc: qc.ccx(0, 1, 2), "'ccx'"),
    (lambda qc: qc.rx(2 * Parameter("t"), 0), "parameter expression"),
    (lambda qc: (qc.measure(0, 0), qc.h(0)), "mid-circuit measurement"),
])
def test_unsupported_instructions_raise(build, message):
    qc = QuantumCircuit(3, 3)
    build(qc)
    with pytest.raises(ValueError, match=message):
        circuit_from_qiskit(qc)


def test_bad_arguments_raise():
    with pytest.raises(TypeError):
        circuit_from_qiskit(Circuit(1))
    with pytest.raises(TypeError):
        circuit_to_qiskit(QuantumCircuit(1))
    c = Circuit(1).rx(0)
    with pytest.raises(ValueError):
        circuit_to_qiskit(c, [0.1, 0.2])
    with pytest.raises(ValueError):
        circuit_to_qiskit(c, [[0.1], [0.2]])


def test_to_qasm3():
    c = Circuit(2).ry(0).cx(0, 1).rz(1, 0.5)
    text = to_qasm3(c)
    assert text.startswith("OPENQASM 3")
    assert text.count("input float") == 1 and "cx q[0], q[1];" in text and "rz(0.5) q[1];" in text
    bound = to_qasm3(c, [1.25])
    assert "input" not in bound and "ry(1.25) q[0];" in bound


# ---------------------------------------------------------------------- Pauli sums
def test_pauli_sum_round_trip_and_label_order():
    op = SparsePauliOp.from_list([("XYZI", 0.5), ("IIZX", -1.25), ("YYII", 0.3), ("IIII", 2.0)])
    ours = PauliSum.from_qiskit(op)
    np.testing.assert_allclose(ours.to_matrix(), op.to_matrix(), atol=1e-14)
    back = ours.to_qiskit()
    assert back.equiv(op)
    assert PauliSum.from_qiskit(back) == ours


def test_pauli_sum_rejects_non_hermitian():
    with pytest.raises(ValueError, match="non-Hermitian"):
        PauliSum.from_qiskit(SparsePauliOp.from_list([("XZ", 1j)]))


# ---------------------------------------------------------------------- channels and noise models
def _channel_superop(channel: ch.Channel) -> np.ndarray:
    return sum(np.kron(k.conj(), k) for k in channel.kraus_operators)


def _aer_errors() -> dict[str, object]:
    """Native Aer errors of every kind, including asymmetric two-qubit ones (qubit-order check)."""
    rng = np.random.default_rng(5)
    unitary = np.linalg.qr(rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)))[0]
    return {
        "depolarizing": aer_noise.depolarizing_error(0.03, 1),
        "depolarizing2": aer_noise.depolarizing_error(0.05, 2),
        "thermal": aer_noise.thermal_relaxation_error(50e3, 70e3, 300, 0.1),
        "thermal_short_t2": aer_noise.thermal_relaxation_error(80e3, 30e3, 500),
        "amplitude": aer_noise.amplitude_damping_error(0.2, 0.1),
        "phase": aer_noise.phase_damping_error(0.15),
        "phase_amplitude": aer_noise.phase_amplitude_damping_error(0.1, 0.2),
        "pauli2": aer_noise.pauli_error([("XZ", 0.1), ("IY", 0.05), ("II", 0.85)]),
        "reset": aer_noise.reset_error(0.05, 0.02),
        "coherent2": aer_noise.coherent_unitary_error(unitary),
        "tensor": aer_noise.amplitude_damping_error(0.3).tensor(aer_noise.phase_damping_error(0.1)),
        "composed": aer_noise.depolarizing_error(0.01, 1).compose(aer_noise.thermal_relaxation_error(1e3, 1.5e3, 40)),
        **_pauli_class_errors(),
    }


def _pauli_class_errors() -> dict[str, object]:
    """Aer's newer Pauli error classes, where this Aer has them."""
    from qiskit.quantum_info import PauliList

    out = {}
    if hasattr(aer_noise, "PauliError"):
        out["pauli_error_class"] = aer_noise.PauliError(PauliList(["I", "X", "Z"]), [0.85, 0.1, 0.05])
    if hasattr(aer_noise, "PauliLindbladError"):
        out["pauli_lindblad2"] = aer_noise.PauliLindbladError(PauliList(["XI", "ZZ"]), [0.1, 0.05])
    return out


@pytest.mark.parametrize("name", sorted(_aer_errors()))
def test_channel_from_qiskit_is_exact(name):
    error = _aer_errors()[name]
    channel = channel_from_qiskit(error)
    assert channel.num_qubits == error.num_qubits
    np.testing.assert_allclose(_channel_superop(channel), SuperOp(error).data, atol=1e-12)


def test_channel_from_qiskit_keeps_rare_branches():
    # qiskit's own Kraus() drops Choi eigenvalues below 1e-8; we must not
    channel = channel_from_qiskit(aer_noise.depolarizing_error(3e-9, 1))
    np.testing.assert_allclose(channel.ptm, ch.depolarizing(3e-9).ptm, atol=1e-15, rtol=0)
    assert abs(channel.ptm[1, 1] - (1 - 3e-9)) < 1e-15


def test_two_qubit_order_matches_sim_product():
    # Aer: a.tensor(b) puts b on the gate's first qubit; sim.product(first, second) puts first there
    a, b = aer_noise.amplitude_damping_error(0.3), aer_noise.phase_damping_error(0.2)
    ours = ch.product(ch.phase_damping(0.2), ch.amplitude_damping(0.3))
    np.testing.assert_allclose(channel_from_qiskit(a.tensor(b)).ptm, ours.ptm, atol=1e-13)
    assert np.max(np.abs(channel_from_qiskit(b.tensor(a)).ptm - ours.ptm)) > 1e-2


def _sim_model() -> NoiseModel:
    model = NoiseModel()
    model.add_quantum_error(ch.depolarizing(0.01), ["rx", "ry", "rz"])
    model.add_quantum_error(ch.thermal_relaxation(100e3, 80e3, 35), ["rx", "ry", "rz"])
    model.add_quantum_error(ch.amplitude_damping(0.2, 0.05), "h", [2])
    model.add_quantum_error(ch.product(ch.phase_damping(0.1), ch.amplitude_damping(0.04)), "cx")
    model.add_quantum_error(ch.pauli_channel({"XZ": 0.1, "II": 0.9}), "cx", [1, 0])
    model.add_readout_error(ch.readout_error([[0.97, 0.03], [0.08, 0.92]]))
    model.add_readout_error(ch.readout_error([[0.9, 0.1], [0.2, 0.8]]), 1)
    return model


def _entries(model: NoiseModel) -> dict:
    return {(g, q): c for g, q, c in model.quantum_errors()}


def test_noise_model_round_trip_from_sim():
    model = _sim_model()
    aer = noise_model_to_qiskit(model)
    # every Aer error is a single Kraus circuit with probability 1, so Aer composes nothing away
    for error in list(aer._default_quantum_errors.values()) + [
            e for per in aer._local_quantum_errors.values() for e in per.values()]:
        assert len(error.circuits) == 1 and error.probabilities[0] == 1.0
    back = noise_model_from_qiskit(aer)
    ours, theirs = _entries(model), _entries(back)
    assert ours.keys() == theirs.keys()
    for key in ours:
        np.testing.assert_allclose(theirs[key].ptm, ours[key].ptm, atol=1e-13, err_msg=str(key))
    assert back.readout_errors() == model.readout_errors()


def test_noise_model_round_trip_from_aer():
    errors = _aer_errors()
    aer = aer_noise.NoiseModel()
    aer.add_all_qubit_quantum_error(errors["depolarizing"], ["rx", "sx"], warnings=False)
    aer.add_all_qubit_quantum_error(errors["thermal"], ["rx"], warnings=False)  # composes with the above
    aer.add_quantum_error(errors["phase"], "rx", [3], warnings=False)  # replaces the all-qubit one there
    aer.add_all_qubit_quantum_error(errors["pauli2"], "cz", warnings=False)
    aer.add_quantum_error(errors["coherent2"], "cx", [0, 2], warnings=False)
    aer.add_all_qubit_readout_error(aer_noise.ReadoutError([[0.95, 0.05], [0.1, 0.9]]), warnings=False)
    aer.add_readout_error(aer_noise.ReadoutError([[0.8, 0.2], [0.25, 0.75]]), [2], warnings=False)
    model = noise_model_from_qiskit(aer)
    assert NoiseModel.from_qiskit(aer).noisy_gates == model.noisy_gates == ["cx", "cz", "rx", "sx"]
    np.testing.assert_allclose(_channel_superop(model.errors_for("rx", (0,))),
                               SuperOp(errors["depolarizing"].compose(errors["thermal"])).data, atol=1e-12)
    np.testing.assert_allclose(_channel_superop(model.errors_for("rx", (3,))), SuperOp(errors["phase"]).data,
                               atol=1e-12)
    assert model.errors_for("cx", (2, 0)) is None
    assert model.readout_for(0).e0 == 0.05 and model.readout_for(2).e1 == 0.25
    again = noise_model_to_qiskit(model)
    for name, error in aer._default_quantum_errors.items():
        np.testing.assert_allclose(SuperOp(again._default_quantum_errors[name]).data, SuperOp(error).data,
                                   atol=1e-12)
    for name, per in aer._local_quantum_errors.items():
        for qubits, error in per.items():
            np.testing.assert_allclose(SuperOp(again._local_quantum_errors[name][qubits]).data,
                                       SuperOp(error).data, atol=1e-12)
    assert again._default_readout_error == aer._default_readout_error
    assert again._local_readout_errors == aer._local_readout_errors
    assert model.to_qiskit()._local_readout_errors == aer._local_readout_errors


@pytest.mark.parametrize("build, message", [
    (lambda m: m.add_all_qubit_quantum_error(aer_noise.depolarizing_error(0.1, 1), "measure"), "'measure'"),
    (lambda m: m.add_all_qubit_quantum_error(aer_noise.depolarizing_error(0.1, 1), "u3"), "'u3'"),
    (lambda m: m.add_quantum_error(aer_noise.depolarizing_error(0.1, 1), "reset", [0]), "'reset'"),
    (lambda m: m.add_readout_error(aer_noise.ReadoutError(np.full((4, 4), 0.25)), [0, 1]), "correlated"),
    (lambda m: m._custom_noise_passes.append(object()), "custom noise passes"),
])
def test_unconvertible_aer_models_raise(build, message):
    aer = aer_noise.NoiseModel()
    build(aer)
    with pytest.raises(ValueError, match=message):
        noise_model_from_qiskit(aer)


def test_noiseless_override_that_aer_cannot_express_raises():
    model = NoiseModel()
    model.add_quantum_error(ch.depolarizing(0.1), "rx")
    model.add_quantum_error(ch.depolarizing(0.0), "rx", [1])
    with pytest.raises(ValueError, match="overrides an all-qubit error"):
        noise_model_to_qiskit(model)


def test_noise_model_bad_types_raise():
    with pytest.raises(TypeError):
        noise_model_from_qiskit(NoiseModel())
    with pytest.raises(TypeError):
        noise_model_to_qiskit(aer_noise.NoiseModel())


def test_bridge_imports_qiskit_lazily():
    import subprocess
    import sys

    code = ("import sys, sim, sim.interop.qiskit; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('qiskit', 'qiskit_aer')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
