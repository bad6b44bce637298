"""Noise presets: the Mumbai numbers, depolarizing specs, fake-backend calibration, Aer models, bad input."""

import math

import numpy as np
import pytest

import sim
from crlqas.noise_presets import (MUMBAI_10MAX, MUMBAI_MAX, MUMBAI_MEDIAN, DeviceNoise, device_noise_from_backend,
                                  make_noise_model, preset_names)

IX, IY, IZ = 1, 2, 3  # 1q PTM indices of X, Y, Z


def _thermal_ptm(r1, r2, p1):
    """Hand-written PTM of thermal relaxation: x, y decay by exp(-t/T2); z -> e z + (1 - e)(1 - 2 p1)."""
    e = math.exp(-r1)
    ptm = np.diag([1.0, math.exp(-r2), math.exp(-r2), e])
    ptm[IZ, 0] = (1 - e) * (1 - 2 * p1)
    return ptm


def test_preset_names():
    assert preset_names() == ["mumbai-median", "mumbai-max", "mumbai-10max"]


@pytest.mark.parametrize("preset", [MUMBAI_MEDIAN, MUMBAI_MAX, MUMBAI_10MAX])
def test_one_qubit_gate_noise_is_thermal_then_depolarizing(preset):
    model = make_noise_model(preset.name)
    for gate in ("rx", "ry", "rz", "x"):
        ptm = model.errors_for(gate, (0,)).ptm
        expected = np.diag([1.0] + [1 - 4 * preset.depolarizing_1q / 3] * 3) @ _thermal_ptm(
            preset.t1_ratio_1q, preset.t2_ratio_1q, 0.0758)
        np.testing.assert_allclose(ptm, expected, atol=1e-12)


def test_mumbai_numbers():
    assert (MUMBAI_MEDIAN.t1_ratio_1q, MUMBAI_MEDIAN.t2_ratio_1q) == (2.862e-4, 2.093e-4)
    assert (MUMBAI_MEDIAN.t1_ratio_cx, MUMBAI_MEDIAN.t2_ratio_cx) == (3.402e-3, 2.488e-3)
    assert (MUMBAI_MAX.t1_ratio_cx, MUMBAI_MAX.t2_ratio_cx) == (6.048e-3, 4.423e-3)
    assert (MUMBAI_MEDIAN.readout_flip, MUMBAI_MAX.readout_flip) == (0.0225, 0.0869)
    assert (MUMBAI_MEDIAN.depolarizing_1q, MUMBAI_MAX.depolarizing_1q, MUMBAI_10MAX.depolarizing_1q) == (0, 1.4e-3, 1.46e-2)
    assert (MUMBAI_MEDIAN.cx_pauli_fidelity, MUMBAI_MAX.cx_pauli_fidelity, MUMBAI_10MAX.cx_pauli_fidelity) == (0.988, 0.972, 0.73)
    assert MUMBAI_10MAX.t1_ratio_cx == pytest.approx(10 * MUMBAI_MAX.t1_ratio_cx)
    assert MUMBAI_10MAX.t2_ratio_1q == pytest.approx(10 * MUMBAI_MAX.t2_ratio_1q)
    assert MUMBAI_MEDIAN.excited_population == 0.0758


@pytest.mark.parametrize("preset", [MUMBAI_MEDIAN, MUMBAI_MAX, MUMBAI_10MAX])
def test_cx_noise_is_independent_one_qubit_channels_on_both_qubits(preset):
    ptm = make_noise_model(preset.name).errors_for("cx", (0, 1)).ptm
    one = np.diag([1.0] + [preset.cx_pauli_fidelity] * 3) @ _thermal_ptm(preset.t1_ratio_cx, preset.t2_ratio_cx, 0.0758)
    np.testing.assert_allclose(ptm, np.kron(one, one), atol=1e-12)


@pytest.mark.parametrize("preset", [MUMBAI_MEDIAN, MUMBAI_MAX, MUMBAI_10MAX])
def test_readout_flip_on_every_qubit(preset):
    model = make_noise_model(preset.name)
    for q in range(4):
        ro = model.readout_for(q)
        assert ro.e0 == pytest.approx(preset.readout_flip) and ro.e1 == pytest.approx(preset.readout_flip)


def test_depolarizing_spec_uses_pauli_error_probabilities():
    model = make_noise_model("depolarizing-0.003-0.03")
    np.testing.assert_allclose(np.diag(model.errors_for("ry", (0,)).ptm), [1] + [1 - 4 * 0.003 / 3] * 3)
    np.testing.assert_allclose(np.diag(model.errors_for("cx", (0, 1)).ptm), [1] + [1 - 16 * 0.03 / 15] * 15)
    assert not model.has_readout
    assert make_noise_model("depolarizing-1e-3-1e-2").errors_for("cx", (1, 0)) is not None


@pytest.mark.parametrize("spec", [None, "none", "None"])
def test_noiseless_specs(spec):
    assert make_noise_model(spec) is None


def test_sim_noise_model_passes_through():
    model = sim.NoiseModel().add_quantum_error(sim.channels.depolarizing(0.1), "rx")
    assert make_noise_model(model) is model
    assert make_noise_model(sim.NoiseModel()) is None


@pytest.mark.parametrize("spec, error, match", [
    ("mumbai-mean", ValueError, "unknown noise spec"),
    ("depolarizing-0.1", ValueError, "depolarizing-<p1>-<p2>"),
    ("depolarizing-1.5-0.1", ValueError, r"\[0, 1\]"),
    ("fake-backend:", ValueError, "fake-backend:<FakeName>"),
    (3.0, TypeError, "noise must be"),
])
def test_bad_specs_get_clear_errors(spec, error, match):
    with pytest.raises(error, match=match):
        make_noise_model(spec)


def test_non_physical_device_numbers_are_rejected():
    with pytest.raises(ValueError, match="T2 > 2 T1"):
        DeviceNoise("bad", 1e-3, 1e-4, 0, 0, 0, 1, 0)
    with pytest.raises(ValueError, match="readout_flip"):
        DeviceNoise("bad", 0, 0, 0, 0, 0, 1, 0.7)
    with pytest.raises(ValueError, match=">= 0"):
        DeviceNoise("bad", -1e-3, 0, 0, 0, 0, 1, 0)
    with pytest.raises(ValueError, match="cx_pauli_fidelity"):
        DeviceNoise("bad", 0, 0, 0, 0, 0, 1.2, 0)


def test_fake_backend_without_qiskit_ibm_runtime_names_the_extra():
    try:
        import qiskit_ibm_runtime  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="'ibm' extra"):
            make_noise_model("fake-backend:FakeMumbaiV2")
    else:
        model = make_noise_model("fake-backend:FakeMumbaiV2:max")
        assert model.has_readout


def test_device_noise_from_a_backend_calibration():
    pytest.importorskip("qiskit")
    from qiskit.providers.fake_provider import GenericBackendV2

    backend = GenericBackendV2(num_qubits=4, seed=3)
    target = backend.target
    t1 = np.array([backend.qubit_properties(q).t1 for q in range(4)])
    t2 = np.minimum([backend.qubit_properties(q).t2 for q in range(4)], 2 * t1)
    sx = [target["sx"][(q,)] for q in range(4)]
    cx = dict(target["cx"].items())
    dev = device_noise_from_backend(backend, "median")
    assert dev.t1_ratio_1q == pytest.approx(np.median([sx[q].duration / t1[q] for q in range(4)]))
    assert dev.t1_ratio_cx == pytest.approx(np.median([p.duration / t1[q] for qs, p in cx.items() for q in qs]))
    assert dev.depolarizing_1q == pytest.approx(1.5 * np.median([p.error for p in sx]))
    assert dev.readout_flip == pytest.approx(np.median([target["measure"][(q,)].error for q in range(4)]))
    # two independent 1q depolarizing channels with Pauli fidelity f reproduce the median CX error
    e2 = np.median([p.error for p in cx.values()])
    f = dev.cx_pauli_fidelity
    assert 1 - (4 * ((1 + 3 * f) / 4) ** 2 + 1) / 5 == pytest.approx(e2)
    worst = device_noise_from_backend(backend, "max")
    assert worst.t1_ratio_cx >= dev.t1_ratio_cx and worst.cx_pauli_fidelity <= f
    assert worst.noise_model().has_readout
    with pytest.raises(ValueError, match="median"):
        device_noise_from_backend(backend, "mean")


def test_aer_noise_model_is_converted():
    noise = pytest.importorskip("qiskit_aer.noise")
    aer = noise.NoiseModel()
    aer.add_all_qubit_quantum_error(noise.depolarizing_error(0.05, 1), ["rx", "ry", "rz"])
    model = make_noise_model(aer, 2)
    assert isinstance(model, sim.NoiseModel)
    np.testing.assert_allclose(np.diag(model.errors_for("rx", (0,)).ptm), [1, 0.95, 0.95, 0.95], atol=1e-12)


def test_mumbai_median_matches_an_independent_qiskit_aer_model():
    """The preset's gate noise against Aer's own thermal/depolarizing errors on a 2-qubit circuit."""
    aer_noise = pytest.importorskip("qiskit_aer.noise")
    from qiskit import QuantumCircuit
    from qiskit.quantum_info import DensityMatrix
    from qiskit_aer import AerSimulator

    p = MUMBAI_MEDIAN
    aer = aer_noise.NoiseModel(basis_gates=["rx", "ry", "rz", "cx"])
    one = aer_noise.thermal_relaxation_error(1 / p.t1_ratio_1q, 1 / p.t2_ratio_1q, 1.0, p.excited_population)
    aer.add_all_qubit_quantum_error(one, ["rx", "ry", "rz"])
    cx_one = aer_noise.thermal_relaxation_error(1 / p.t1_ratio_cx, 1 / p.t2_ratio_cx, 1.0, p.excited_population).compose(
        aer_noise.depolarizing_error(1 - p.cx_pauli_fidelity, 1))
    aer.add_all_qubit_quantum_error(cx_one.tensor(cx_one), ["cx"])

    qc = QuantumCircuit(2)
    qc.ry(0.7, 0)
    qc.rx(-1.1, 1)
    qc.cx(0, 1)
    qc.rz(0.4, 1)
    qc.cx(1, 0)
    qc.ry(0.3, 0)
    qc.save_density_matrix()
    result = AerSimulator(method="density_matrix", noise_model=aer).run(qc).result()
    rho_aer = np.asarray(DensityMatrix(result.data()["density_matrix"]).data)

    circuit = sim.Circuit(2).ry(0, 0.7).rx(1, -1.1).cx(0, 1).rz(1, 0.4).cx(1, 0).ry(0, 0.3)
    rho_ours = sim.DensityMatrixSimulator(make_noise_model("mumbai-median")).density_matrix(circuit)
    np.testing.assert_allclose(rho_ours, rho_aer, atol=1e-10)
