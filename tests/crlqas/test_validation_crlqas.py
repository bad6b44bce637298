"""Bad input to the noise presets and QASEnv gets a clear TypeError/ValueError (or a warning where it may be intended)."""

import types
import warnings

import numpy as np
import pytest

from crlqas.encoding import ActionSet
from crlqas.env import DEFAULT_REWARDS, QASEnv
from crlqas.noise_presets import (DeviceNoise, depolarizing_model, device_noise_from_backend, make_noise_model,
                                  pauli_error_depolarizing)

FAST = {"optimizer_options": {"iterations": 5}}


# ---------------------------------------------------------------------- noise presets (B4)
@pytest.mark.parametrize("spec, match", [
    ("depolarizing--0.001-0.005", r"p1 \(after every 1-qubit gate\) in noise 'depolarizing--0.001-0.005' must be a "
                                  r"Pauli-error probability in \[0, 1\], got -0.001"),
    ("depolarizing-0.001--0.005", r"p2 \(after every CNOT\) .* got -0.005"),
    ("depolarizing-0.001-1.5", r"p2 \(after every CNOT\) .*\[0, 1\], got 1.5"),
    ("depolarizing-2-0", r"p1 .*\[0, 1\], got 2.0"),
    ("depolarizing-nan-0.1", "depolarizing-<p1>-<p2>"),
])
def test_depolarizing_spec_rejects_non_physical_probabilities(spec, match):
    with pytest.raises(ValueError, match=match):
        make_noise_model(spec)


def test_depolarizing_spec_still_reads_valid_numbers():
    for spec in ("depolarizing-0.001-0.01", "depolarizing-1e-3-2E-2", "depolarizing-.5-1", "depolarizing-0-0.1"):
        assert make_noise_model(spec) is not None
    assert make_noise_model("depolarizing-0-0").is_ideal


@pytest.mark.parametrize("p1, p2, error, match", [
    (-1e-3, 0.01, ValueError, r"p1 \(after every 1-qubit gate\) must be a Pauli-error probability in \[0, 1\], got -0.001"),
    (0.01, -0.5, ValueError, r"p2 \(after every CNOT\) must be .* got -0.5"),
    (float("nan"), 0.0, ValueError, "p1 .* got nan"),
    (0.0, 1.01, ValueError, "p2 .* got 1.01"),
    ("0.1", 0.0, TypeError, "p1 .* must be a real number"),
    (True, 0.0, TypeError, "p1 .* must be a real number"),
])
def test_depolarizing_model_rejects_non_physical_probabilities(p1, p2, error, match):
    with pytest.raises(error, match=match):
        depolarizing_model(p1, p2)


def test_pauli_error_depolarizing_checks_its_arguments():
    with pytest.raises(ValueError, match=r"depolarizing probability p must be a Pauli-error probability in \[0, 1\]"):
        pauli_error_depolarizing(-0.1, 1)
    with pytest.raises(ValueError, match="num_qubits must be 1, 2 or 3, got 4"):
        pauli_error_depolarizing(0.1, 4)


@pytest.mark.parametrize("fields, error, match", [
    ({"t1_ratio_cx": -1e-3}, ValueError, "t1_ratio_cx .* must be finite and >= 0, got -0.001"),
    ({"t2_ratio_1q": float("inf")}, ValueError, "t2_ratio_1q must be finite, got inf"),
    ({"t1_ratio_1q": "1e-3"}, TypeError, "t1_ratio_1q must be a real number"),
    ({"depolarizing_1q": -0.1}, ValueError, r"depolarizing_1q must lie in \[0, 1\], got -0.1"),
    ({"depolarizing_1q": 1.5}, ValueError, r"depolarizing_1q must lie in \[0, 1\], got 1.5"),
    ({"readout_flip": -0.01}, ValueError, r"readout_flip must lie in \[0, 0.5\]"),
    ({"readout_flip": 1.2}, ValueError, r"readout_flip must lie in \[0, 0.5\]"),
    ({"excited_population": 1.5}, ValueError, r"excited_population must lie in \[0, 1\]"),
    ({"cx_pauli_fidelity": float("nan")}, ValueError, "cx_pauli_fidelity must be finite"),
    ({"cx_pauli_fidelity": None}, TypeError, "cx_pauli_fidelity must be a real number"),
])
def test_device_noise_rejects_non_physical_numbers(fields, error, match):
    base = {"name": "bad", "t1_ratio_1q": 0.0, "t2_ratio_1q": 0.0, "t1_ratio_cx": 0.0, "t2_ratio_cx": 0.0,
            "depolarizing_1q": 0.0, "cx_pauli_fidelity": 1.0, "readout_flip": 0.0}
    with pytest.raises(error, match=match):
        DeviceNoise(**{**base, **fields})


def _fake_backend(t1=50e-6, t2=70e-6, sx_duration=35e-9, sx_error=1e-4, cx_error=1e-2, measure_error=0.02):
    """A duck-typed BackendV2 with the attributes device_noise_from_backend reads."""
    props = types.SimpleNamespace
    target = {
        "sx": {(0,): props(duration=sx_duration, error=sx_error), (1,): props(duration=35e-9, error=1e-4)},
        "cx": {(0, 1): props(duration=300e-9, error=cx_error)},
        "measure": {(0,): props(duration=1e-6, error=measure_error), (1,): props(duration=1e-6, error=0.02)},
    }

    class Target(dict):
        operation_names = list(target)

    qubits = [props(t1=t1, t2=t2), props(t1=50e-6, t2=70e-6)]
    return types.SimpleNamespace(target=Target(target), num_qubits=2, name="fake",
                                 qubit_properties=lambda q: qubits[q])


@pytest.mark.parametrize("kwargs, match", [
    ({"t1": -50e-6}, r"qubit 0: T1 = -5e-05 is not physical: T1 and T2 must be positive"),
    ({"t1": 0.0}, "qubit 0: T1 = 0.0 is not physical"),
    ({"t2": None}, "qubit 0: T2 = None is not physical"),
    ({"sx_duration": -35e-9}, r"sx on qubits \(0,\): duration = -3.5e-08 is not physical: gate times must be"),
    ({"sx_error": 1.5}, r"sx on qubits \(0,\): error = 1.5 is not physical: error probabilities must lie in \[0, 1\]"),
    ({"cx_error": -0.1}, r"cx on qubits \(0, 1\): error = -0.1 is not physical"),
    ({"measure_error": 2.0}, r"measure on qubits \(0,\): error = 2.0 is not physical"),
])
def test_device_noise_from_backend_rejects_non_physical_calibrations(kwargs, match):
    assert device_noise_from_backend(_fake_backend()).readout_flip == pytest.approx(0.02)
    with pytest.raises(ValueError, match=match):
        device_noise_from_backend(_fake_backend(**kwargs))


# ---------------------------------------------------------------------- reward options (B5)
@pytest.mark.parametrize("options, error, match", [
    ({"clip": float("nan")}, ValueError, "reward option 'clip' must be finite, got nan"),
    ({"success": float("inf")}, ValueError, "reward option 'success' must be finite, got inf"),
    ({"clip": 0}, ValueError, "reward option 'clip' must be > 0, got 0.0"),
    ({"clip": -1.0}, ValueError, "reward option 'clip' must be > 0, got -1.0"),
    ({"success": -5.0}, ValueError, "reward option 'success' must be > 0, got -5.0"),
    ({"failure": 5.0}, ValueError, "reward option 'failure' must be < 0, got 5.0"),
    ({"success": "5"}, TypeError, "reward option 'success' must be a real number, got '5'"),
    ({"failure": None}, TypeError, "reward option 'failure' must be a real number, got None"),
    ({"clip": True}, TypeError, "reward option 'clip' must be a real number, got True"),
    ({"bonus": 1.0}, ValueError, r"unknown reward option 'bonus'; known: \['clip', 'failure', 'success'\]"),
    ([("success", 5.0)], TypeError, r"reward_options must be a dict with keys among \['clip', 'failure', 'success'\]"),
])
def test_reward_options_are_validated(options, error, match):
    with pytest.raises(error, match=match):
        QASEnv(task="H2-2q", reward_options=options, **FAST)


def test_valid_reward_options_are_kept_as_floats():
    env = QASEnv(task="H2-2q", reward_options={"success": np.float32(2), "failure": -1, "clip": 0.5}, **FAST)
    assert env.rewards == {"success": 2.0, "failure": -1.0, "clip": 0.5}
    assert all(type(v) is float for v in env.rewards.values())
    assert QASEnv(task="H2-2q", **FAST).rewards == DEFAULT_REWARDS


# ---------------------------------------------------------------------- coupling map (B6, C22)
@pytest.mark.parametrize("coupling_map, bad", [
    ([(0.0, 1)], "0.0"),
    ([(0, 1.0)], "1.0"),
    ([(True, 0)], "True"),
    ([("0", "1")], "'0'"),
])
def test_coupling_map_qubits_must_be_integers(coupling_map, bad):
    with pytest.raises(TypeError, match=rf"coupling map pair .*: qubit indices must be integers, got {bad}"):
        QASEnv(task="H2-2q", coupling_map=coupling_map, **FAST)


def test_coupling_map_shape_errors_and_numpy_integers():
    with pytest.raises(ValueError, match=r"\(control, target\) pairs of ints, got \(0, 1, 2\)"):
        ActionSet(3, [(0, 1, 2)])
    with pytest.raises(TypeError, match="coupling_map must be a list of"):
        ActionSet(3, "01")
    actions = ActionSet(2, np.array([[1, 0]]))
    assert actions.coupling_map == ((1, 0),) and type(actions.coupling_map[0][0]) is int


def test_coupling_map_leaving_qubits_unentangled_warns_with_the_qubits():
    with pytest.warns(UserWarning, match=r"no CNOT on qubit\(s\) \[2, 3\] of the 4-qubit task: they cannot be "
                                         "entangled"):
        QASEnv(task="H2-4q", coupling_map=[(0, 1), (1, 0)], **FAST)
    with pytest.warns(UserWarning, match=r"no CNOT on qubit\(s\) \[0, 1\]"):
        QASEnv(task="H2-2q", coupling_map=[], **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        QASEnv(task="H2-4q", coupling_map=[(0, 1), (1, 2), (2, 3)], **FAST)
        QASEnv(task="H2-4q", **FAST)
