"""Cross-check of the PTM simulator (and the numpy reference) against Qiskit Aer's density-matrix simulator.

Aer's exact ``save_expectation_value`` ignores readout error, so exact
comparisons switch readout off on our side; readout is checked separately
against Aer's sampled counts (statistically) and against the analytic
per-qubit formula built from Aer's exact values.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

pytest.importorskip("qiskit")
pytest.importorskip("qiskit_aer")

from qiskit_aer import AerSimulator  # noqa: E402
from qiskit_aer import noise as aer_noise  # noqa: E402
from qiskit_aer.noise.noiseerror import NoiseError  # noqa: E402

from sim import channels as ch  # noqa: E402
from sim.circuit import GATE_ARITY, ROTATION_GATES, Circuit  # noqa: E402
from sim.interop.qiskit import channel_from_qiskit, circuit_to_qiskit, noise_model_to_qiskit  # noqa: E402
from sim.noise import NoiseModel  # noqa: E402
from sim.pauli import PauliSum, code_to_label  # noqa: E402
from sim import DensityMatrixSimulator, PTMSimulator, StatevectorSimulator  # noqa: E402

#: largest accepted |E_ours - E_Aer| for exact expectation values
AER_TOL = 1e-9
#: statistical acceptance for sampled Aer counts, in standard deviations
SIGMAS = 5.0
SHOTS = 50_000
SEED = 20240

ONE_QUBIT_GATES = sorted(g for g, k in GATE_ARITY.items() if k == 1)
TWO_QUBIT_GATES = sorted(g for g, k in GATE_ARITY.items() if k == 2)


# ---------------------------------------------------------------------- helpers
def aer_exact(items: list[tuple[Circuit, np.ndarray | None, PauliSum]], aer_model=None,
              density_matrix: bool = False) -> list:
    """Aer's exact noisy ``<H>`` for each ``(circuit, params, H)`` (one ``run``); optionally also rho."""
    qcs = []
    for circuit, params, ham in items:
        qc = circuit_to_qiskit(circuit, params)
        qc.save_expectation_value(ham.to_qiskit(), list(range(circuit.num_qubits)), label="e")
        if density_matrix:
            qc.save_density_matrix(label="rho")
        qcs.append(qc)
    backend = AerSimulator(method="density_matrix", noise_model=aer_model, seed_simulator=SEED)
    result = backend.run(qcs, shots=1).result()
    out = []
    for i in range(len(qcs)):
        data = result.data(i)
        value = float(np.real(data["e"]))
        out.append((value, np.asarray(data["rho"])) if density_matrix else value)
    return out


def ours_exact(model: NoiseModel | None, circuit: Circuit, params, ham: PauliSum) -> tuple[float, float]:
    """(PTM, numpy reference) exact values without readout, i.e. what Aer's expectation computes."""
    ptm = PTMSimulator(model, readout=False).expectation(circuit, ham, params)
    ref = DensityMatrixSimulator(model, readout=False).expectation(circuit, ham, params)
    return ptm, ref


def random_state_prep(circuit: Circuit, rng: np.random.Generator) -> None:
    """Fixed random angles and one entangler so that gates act on a generic mixed-basis state."""
    for q in range(circuit.num_qubits):
        circuit.ry(q, float(rng.uniform(0.2, 2.9)))
        circuit.rz(q, float(rng.uniform(-3.0, 3.0)))
    for q in range(circuit.num_qubits - 1):
        circuit.cx(q, q + 1)
    for q in range(circuit.num_qubits):
        circuit.rx(q, float(rng.uniform(-3.0, 3.0)))


def random_hamiltonian(num_qubits: int, num_terms: int, rng: np.random.Generator) -> PauliSum:
    """Random Pauli strings (X, Y and Z guaranteed to appear) with coefficients of both signs."""
    labels = {"".join(rng.choice(list("IXYZ"), size=num_qubits)) for _ in range(num_terms)}
    for p in "XYZ":
        labels.add(p * num_qubits)
    return PauliSum.from_list([(lab, float(rng.choice([-1, 1]) * rng.uniform(0.2, 1.5))) for lab in sorted(labels)])


def all_paulis(num_qubits: int, rng: np.random.Generator) -> PauliSum:
    """Every non-identity string with a random weight: any wrong Pauli component shows up."""
    codes = np.arange(1, 4**num_qubits)
    return PauliSum(num_qubits, codes, rng.uniform(0.3, 1.3, codes.size) * rng.choice([-1, 1], codes.size))


def random_kraus(num_qubits: int, rank: int, rng: np.random.Generator) -> ch.Channel:
    """A random CPTP map: Kraus operators are the blocks of a random isometry."""
    dim = 2**num_qubits
    z = rng.normal(size=(rank * dim, dim)) + 1j * rng.normal(size=(rank * dim, dim))
    iso = np.linalg.qr(z)[0]
    return ch.kraus([iso[k * dim:(k + 1) * dim] for k in range(rank)])


def every_gate_circuit(num_qubits: int, rng: np.random.Generator) -> tuple[Circuit, np.ndarray]:
    c = Circuit(num_qubits)
    random_state_prep(c, rng)
    for name in sorted(GATE_ARITY):
        qubits = tuple(int(q) for q in rng.choice(num_qubits, size=GATE_ARITY[name], replace=False))
        c.append(name, qubits)
    return c, rng.uniform(-np.pi, np.pi, c.num_parameters)


# ---------------------------------------------------------------------- single gates
def test_every_gate_alone_matches_aer():
    rng = np.random.default_rng(SEED)
    n = 3
    items = []
    for name in sorted(GATE_ARITY):
        tuples = itertools.permutations(range(n), GATE_ARITY[name])
        for qubits in tuples:
            for angle in ([-2.4, 0.7, 4.0] if name in ROTATION_GATES else [None]):
                c = Circuit(n)
                random_state_prep(c, rng)
                c.append(name, qubits, angle)
                items.append((c, None, all_paulis(n, rng)))
    assert len(items) > 40
    aer = aer_exact(items, density_matrix=True)
    for (c, _, ham), (e_aer, rho_aer) in zip(items, aer):
        ptm, ref = ours_exact(None, c, None, ham)
        label = f"{c.operations[-1]}"
        assert abs(ptm - e_aer) <= AER_TOL, label
        assert abs(ref - e_aer) <= AER_TOL, label
        np.testing.assert_allclose(PTMSimulator().density_matrix(c), rho_aer, atol=AER_TOL, err_msg=label)


# ---------------------------------------------------------------------- channels, our constructors -> Aer
def _sim_channel_kinds() -> dict[str, ch.Channel]:
    rng = np.random.default_rng(SEED + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return {
            "depolarizing": ch.depolarizing(0.05),
            "depolarizing_full": ch.depolarizing(4 / 3),
            "depolarizing_pauli_p": ch.depolarizing_from_pauli_probability(0.02),
            "pauli": ch.pauli_channel({"X": 0.1, "Y": 0.05, "Z": 0.02, "I": 0.83}),
            "amplitude_damping": ch.amplitude_damping(0.2),
            "generalized_amplitude_damping": ch.amplitude_damping(0.2, 0.3),
            "phase_damping": ch.phase_damping(0.3),
            "thermal_t2_above_t1": ch.thermal_relaxation(50e3, 70e3, 300),
            "thermal_t2_below_t1": ch.thermal_relaxation(80e3, 30e3, 500, 0.1),
            "kraus": random_kraus(1, 3, rng),
            "composed": ch.depolarizing(0.03).compose(ch.thermal_relaxation(40e3, 60e3, 800)).compose(
                ch.amplitude_damping(0.1)),
            # two-qubit kinds: asymmetric, so a swapped qubit order would show
            "depolarizing2": ch.depolarizing(0.08, 2),
            "pauli2": ch.pauli_channel({"XZ": 0.1, "YI": 0.05, "IZ": 0.03, "II": 0.82}),
            "product2": ch.product(ch.amplitude_damping(0.3), ch.phase_damping(0.2)),
            "kraus2": random_kraus(2, 5, rng),
            "composed2": ch.depolarizing(0.02, 2).compose(
                ch.product(ch.thermal_relaxation(50e3, 40e3, 300), ch.thermal_relaxation(70e3, 100e3, 300))),
        }


def _model_with(channel: ch.Channel) -> NoiseModel:
    """``channel`` on every gate of its arity; other gates get a plain channel so both arities are noisy."""
    model = NoiseModel()
    if channel.num_qubits == 1:
        model.add_quantum_error(channel, ONE_QUBIT_GATES)
        model.add_quantum_error(ch.product(channel, ch.depolarizing(0.04)), TWO_QUBIT_GATES)
        model.add_quantum_error(ch.amplitude_damping(0.25), "ry", [1])  # a qubit-specific override
    else:
        model.add_quantum_error(ch.depolarizing(0.02), ONE_QUBIT_GATES)
        model.add_quantum_error(channel, TWO_QUBIT_GATES)
        model.add_quantum_error(ch.depolarizing(0.3, 2), "cx", [2, 0])
    return model


@pytest.mark.parametrize("kind", sorted(_sim_channel_kinds()))
def test_sim_channel_kinds_through_noise_model_to_qiskit(kind):
    rng = np.random.default_rng(SEED + 2)
    model = _model_with(_sim_channel_kinds()[kind])
    items = []
    for _ in range(2):
        c, _ = every_gate_circuit(3, rng)
        c.cx(2, 0).ry(1).cx(0, 2)
        items.append((c, rng.uniform(-np.pi, np.pi, c.num_parameters), random_hamiltonian(3, 12, rng)))
    aer = aer_exact(items, noise_model_to_qiskit(model), density_matrix=True)
    for (c, params, ham), (e_aer, rho_aer) in zip(items, aer):
        ptm, ref = ours_exact(model, c, params, ham)
        assert abs(ptm - e_aer) <= AER_TOL
        assert abs(ref - e_aer) <= AER_TOL
        np.testing.assert_allclose(PTMSimulator(model).density_matrix(c, params), rho_aer, atol=AER_TOL)


# ---------------------------------------------------------------------- channels, native Aer -> ours
def _aer_native_pairs() -> dict[str, tuple[object, ch.Channel | None]]:
    """Native Aer errors, each with our constructor for the same channel where one exists."""
    rng = np.random.default_rng(SEED + 3)
    u = np.linalg.qr(rng.normal(size=(4, 4)) + 1j * rng.normal(size=(4, 4)))[0]
    x = np.array([[0, 1], [1, 0]], dtype=complex)
    return {
        "depolarizing": (aer_noise.depolarizing_error(0.05, 1), ch.depolarizing(0.05)),
        "depolarizing2": (aer_noise.depolarizing_error(0.08, 2), ch.depolarizing(0.08, 2)),
        "thermal": (aer_noise.thermal_relaxation_error(50e3, 70e3, 300), ch.thermal_relaxation(50e3, 70e3, 300)),
        "thermal_excited": (aer_noise.thermal_relaxation_error(80e3, 30e3, 500, 0.1),
                            ch.thermal_relaxation(80e3, 30e3, 500, 0.1)),
        "amplitude_damping": (aer_noise.amplitude_damping_error(0.2, 0.3), ch.amplitude_damping(0.2, 0.3)),
        "phase_damping": (aer_noise.phase_damping_error(0.3), ch.phase_damping(0.3)),
        "pauli": (aer_noise.pauli_error([("X", 0.1), ("Y", 0.05), ("I", 0.85)]),
                  ch.pauli_channel({"X": 0.1, "Y": 0.05, "I": 0.85})),
        "pauli2": (aer_noise.pauli_error([("XZ", 0.1), ("YI", 0.05), ("II", 0.85)]),
                   ch.pauli_channel({"XZ": 0.1, "YI": 0.05, "II": 0.85})),
        "tensor2": (aer_noise.amplitude_damping_error(0.3).tensor(aer_noise.phase_damping_error(0.2)),
                    ch.product(ch.phase_damping(0.2), ch.amplitude_damping(0.3))),
        "composed": (aer_noise.depolarizing_error(0.001, 1).compose(
            aer_noise.thermal_relaxation_error(100e3, 80e3, 35)),
            ch.depolarizing(0.001).compose(ch.thermal_relaxation(100e3, 80e3, 35))),
        "phase_amplitude": (aer_noise.phase_amplitude_damping_error(0.1, 0.2), None),
        "reset": (aer_noise.reset_error(0.05, 0.02), None),
        "kraus": (aer_noise.kraus_error([np.sqrt(0.9) * np.eye(2), np.sqrt(0.1) * x]),
                  ch.kraus([np.sqrt(0.9) * np.eye(2), np.sqrt(0.1) * x])),
        "mixed_unitary2": (aer_noise.mixed_unitary_error([(u, 0.2), (np.eye(4), 0.8)]), None),
        "coherent2": (aer_noise.coherent_unitary_error(u), ch.kraus([u])),
    }


@pytest.mark.parametrize("kind", sorted(_aer_native_pairs()))
def test_native_aer_errors_through_from_qiskit(kind):
    error, ours = _aer_native_pairs()[kind]
    converted = channel_from_qiskit(error)
    if ours is not None:
        # our constructor builds the very channel Aer's does
        np.testing.assert_allclose(converted.ptm, ours.ptm, atol=1e-12)
    aer = aer_noise.NoiseModel()
    if error.num_qubits == 1:
        aer.add_all_qubit_quantum_error(error, ONE_QUBIT_GATES, warnings=False)
        aer.add_all_qubit_quantum_error(error.tensor(aer_noise.depolarizing_error(0.04, 1)), TWO_QUBIT_GATES,
                                        warnings=False)
    else:
        aer.add_all_qubit_quantum_error(aer_noise.depolarizing_error(0.02, 1), ONE_QUBIT_GATES, warnings=False)
        aer.add_all_qubit_quantum_error(error, TWO_QUBIT_GATES, warnings=False)
    aer.add_quantum_error(aer_noise.thermal_relaxation_error(30e3, 20e3, 2000), "rz", [2], warnings=False)
    model = NoiseModel.from_qiskit(aer)
    rng = np.random.default_rng(SEED + 4)
    items = []
    for _ in range(2):
        c, params = every_gate_circuit(3, rng)
        items.append((c, params, random_hamiltonian(3, 12, rng)))
    for (c, params, ham), e_aer in zip(items, aer_exact(items, aer)):
        ptm, ref = ours_exact(model, c, params, ham)
        assert abs(ptm - e_aer) <= AER_TOL
        assert abs(ref - e_aer) <= AER_TOL


# ---------------------------------------------------------------------- T2 > 2 T1
def test_t2_above_twice_t1_truncated_like_aer_device_models():
    t1, t2, time = 50e3, 120e3, 400.0
    with pytest.raises(NoiseError):
        aer_noise.thermal_relaxation_error(t1, t2, time)  # Aer's constructor refuses T2 > 2 T1
    with pytest.warns(UserWarning):
        ours = ch.thermal_relaxation(t1, t2, time)
    with pytest.raises(ValueError):
        ch.thermal_relaxation(t1, t2, time, truncate_t2=False)
    # Aer's device noise models truncate T2 to 2 T1 before building the error; so do we
    truncated = aer_noise.thermal_relaxation_error(t1, 2 * t1, time)
    np.testing.assert_allclose(ours.ptm, channel_from_qiskit(truncated).ptm, atol=1e-13)
    from qiskit_aer.noise.device import models as device_models

    device_error = getattr(device_models, "_device_thermal_relaxation_error", None)
    if device_error is not None:  # private helper: checked when present
        np.testing.assert_allclose(ours.ptm, channel_from_qiskit(device_error([0], time, [(t1, t2, None)], None)).ptm,
                                   atol=1e-13)
    model = NoiseModel().add_quantum_error(ours, ["rx", "ry"])
    rng = np.random.default_rng(SEED + 5)
    c = Circuit(2)
    random_state_prep(c, rng)
    ham = random_hamiltonian(2, 8, rng)
    aer = aer_noise.NoiseModel()
    aer.add_all_qubit_quantum_error(truncated, ["rx", "ry"])
    (e_aer,) = aer_exact([(c, None, ham)], aer)
    assert abs(PTMSimulator(model, readout=False).expectation(c, ham) - e_aer) <= AER_TOL


# ---------------------------------------------------------------------- random circuits and noise models
def random_circuit(num_qubits: int, num_gates: int, rng: np.random.Generator) -> Circuit:
    names = sorted(GATE_ARITY) if num_qubits > 1 else ONE_QUBIT_GATES
    c = Circuit(num_qubits)
    for _ in range(num_gates):
        name = str(rng.choice(names + ["rx", "ry", "rz"] * 3))  # rotations more often, as in QAS circuits
        qubits = tuple(int(q) for q in rng.choice(num_qubits, size=GATE_ARITY[name], replace=False))
        angle = None if name not in ROTATION_GATES or rng.random() < 0.8 else float(rng.uniform(-4, 4))
        c.append(name, qubits, angle)
    return c


def random_channel(num_qubits: int, rng: np.random.Generator) -> ch.Channel:
    kind = int(rng.integers(6))
    if num_qubits == 2:
        if kind == 0:
            return ch.depolarizing(float(rng.uniform(0, 0.1)), 2)
        if kind == 1:
            p = rng.dirichlet(np.ones(4)) * 0.1
            return ch.pauli_channel({"II": 0.9, "XZ": p[0], "ZY": p[1], "YI": p[2], "IX": p[3]})
        if kind == 2:
            return random_kraus(2, 2, rng)
        return ch.product(random_channel(1, rng), random_channel(1, rng))
    t1 = float(rng.uniform(20e3, 100e3))
    choices = [
        lambda: ch.depolarizing(float(rng.uniform(0, 0.05))),
        lambda: ch.amplitude_damping(float(rng.uniform(0, 0.2)), float(rng.uniform(0, 0.2))),
        lambda: ch.phase_damping(float(rng.uniform(0, 0.2))),
        lambda: ch.thermal_relaxation(t1, float(rng.uniform(0.2, 2.0)) * t1, float(rng.uniform(30, 3000)),
                                      float(rng.uniform(0, 0.1))),
        lambda: random_kraus(1, 2, rng),
        lambda: ch.depolarizing(float(rng.uniform(0, 0.02))).compose(ch.phase_damping(float(rng.uniform(0, 0.1)))),
    ]
    return choices[kind]()


def random_noise_model(num_qubits: int, rng: np.random.Generator) -> NoiseModel:
    model = NoiseModel()
    for name, arity in GATE_ARITY.items():
        if arity <= num_qubits and rng.random() < 0.8:
            model.add_quantum_error(random_channel(arity, rng), name)
    for _ in range(3):  # qubit-specific entries, some replacing all-qubit ones
        name = str(rng.choice(sorted(g for g, k in GATE_ARITY.items() if k <= num_qubits)))
        qubits = [int(q) for q in rng.choice(num_qubits, size=GATE_ARITY[name], replace=False)]
        model.add_quantum_error(random_channel(GATE_ARITY[name], rng), name, qubits)
    return model


@pytest.mark.parametrize("num_qubits", [2, 3, 4, 5, 6])
def test_random_circuits_with_random_noise(num_qubits):
    rng = np.random.default_rng(SEED + 10 * num_qubits)
    for _ in range(2):
        c = random_circuit(num_qubits, int(rng.integers(20, 61)), rng)
        model = random_noise_model(num_qubits, rng)
        ham = random_hamiltonian(num_qubits, 15, rng)
        batch = rng.uniform(-np.pi, np.pi, (3, c.num_parameters))
        ours = PTMSimulator(model, readout=False).compile(c, ham).batch(batch)
        aer = aer_exact([(c, row, ham) for row in batch], noise_model_to_qiskit(model))
        np.testing.assert_allclose(ours, aer, atol=AER_TOL, rtol=0)
        ref = DensityMatrixSimulator(model, readout=False).expectation(c, ham, batch[0])
        assert abs(ref - aer[0]) <= AER_TOL


@pytest.mark.parametrize("num_qubits", [2, 4, 6])
def test_noiseless_engines_match_aer_statevector(num_qubits):
    rng = np.random.default_rng(SEED + 100 + num_qubits)
    c = random_circuit(num_qubits, 40, rng)
    ham = random_hamiltonian(num_qubits, 20, rng)
    batch = rng.uniform(-np.pi, np.pi, (3, c.num_parameters))
    qcs = []
    for row in batch:
        qc = circuit_to_qiskit(c, row)
        qc.save_expectation_value(ham.to_qiskit(), list(range(num_qubits)), label="e")
        qc.save_statevector(label="psi")
        qcs.append(qc)
    result = AerSimulator(method="statevector", seed_simulator=SEED).run(qcs, shots=1).result()
    aer = np.array([float(np.real(result.data(i)["e"])) for i in range(len(qcs))])
    np.testing.assert_allclose(StatevectorSimulator().compile(c, ham).batch(batch), aer, atol=AER_TOL, rtol=0)
    np.testing.assert_allclose(PTMSimulator().compile(c, ham).batch(batch), aer, atol=AER_TOL, rtol=0)
    psi = np.asarray(StatevectorSimulator().state(c, batch[0]))
    overlap = abs(np.vdot(np.asarray(result.data(0)["psi"]), psi))
    assert abs(overlap - 1.0) <= AER_TOL


# ---------------------------------------------------------------------- readout
READOUT_MODEL_QUBITS = 3


def _readout_model() -> NoiseModel:
    model = NoiseModel()
    model.add_quantum_error(ch.depolarizing(0.03).compose(ch.thermal_relaxation(60e3, 50e3, 400)), ["rx", "ry", "rz"])
    model.add_quantum_error(ch.product(ch.amplitude_damping(0.05), ch.phase_damping(0.05)), "cx")
    model.add_readout_error(ch.readout_error([[0.96, 0.04], [0.11, 0.89]]))  # asymmetric
    model.add_readout_error(ch.readout_error([[0.85, 0.15], [0.07, 0.93]]), 2)
    return model


def _readout_case() -> tuple[Circuit, np.ndarray, PauliSum]:
    rng = np.random.default_rng(SEED + 6)
    c = Circuit(READOUT_MODEL_QUBITS)
    random_state_prep(c, rng)
    c.cx(2, 0).ry(1).rz(2).cx(1, 2).rx(0)
    ham = PauliSum.from_dict({"ZZI": 0.7, "XIY": -0.4, "IYX": 0.9, "ZII": 0.3, "IXI": -0.6, "YZZ": 0.5,
                              "III": 0.25})
    return c, rng.uniform(-np.pi, np.pi, c.num_parameters), ham


def _term(code: int, n: int, coeff: float = 1.0) -> PauliSum:
    return PauliSum(n, [code], [coeff])


def test_readout_matches_analytic_formula_on_aer_values():
    """Measured value of P = sum over subsets T of its support of prod_{q in T} (1-e0-e1) prod_{rest} (e1-e0) <P_T>."""
    c, params, ham = _readout_case()
    model = _readout_model()
    n = c.num_qubits
    aer_model = noise_model_to_qiskit(model)
    terms = [int(code) for code in ham.codes if code]
    items, index = [], {}
    for code in terms:
        digits = [(code // 4**q) % 4 for q in range(n)]
        support = [q for q in range(n) if digits[q]]
        for size in range(1, len(support) + 1):
            for subset in itertools.combinations(support, size):
                sub = sum(digits[q] * 4**q for q in subset)
                if sub not in index:
                    index[sub] = len(items)
                    items.append((c, params, _term(sub, n)))
    exact = aer_exact(items, aer_model)
    sim = PTMSimulator(model, readout=True)
    for code in terms:
        digits = [(code // 4**q) % 4 for q in range(n)]
        support = [q for q in range(n) if digits[q]]
        expected = 0.0
        for size in range(len(support) + 1):
            for subset in itertools.combinations(support, size):
                weight = 1.0
                for q in support:
                    err = model.readout_for(q)
                    weight *= err.z_scale if q in subset else err.z_shift
                sub = sum(digits[q] * 4**q for q in subset)
                expected += weight * (exact[index[sub]] if subset else 1.0)
        got = sim.expectation(c, _term(code, n), params)
        assert abs(got - expected) <= AER_TOL, code_to_label(code, n)
        ref = DensityMatrixSimulator(model, readout=True).expectation(c, _term(code, n), params)
        assert abs(ref - expected) <= AER_TOL, code_to_label(code, n)


def test_readout_matches_sampled_aer_counts():
    c, params, ham = _readout_case()
    model = _readout_model()
    n = c.num_qubits
    terms = [(int(code), float(coeff)) for code, coeff in zip(ham.codes, ham.coeffs) if code]
    qcs = []
    for code, _ in terms:
        qc = circuit_to_qiskit(c, params)
        for q in range(n):  # rotate the term's basis to Z (these gates carry no noise in the model)
            digit = (code // 4**q) % 4
            if digit == 1:
                qc.h(q)
            elif digit == 2:
                qc.sdg(q)
                qc.h(q)
        qc.measure_all()
        qcs.append(qc)
    backend = AerSimulator(method="density_matrix", noise_model=noise_model_to_qiskit(model), seed_simulator=SEED)
    result = backend.run(qcs, shots=SHOTS).result()
    sim = PTMSimulator(model, readout=True)
    without = PTMSimulator(model, readout=False)
    energy_aer, variance = ham.constant, 0.0
    for i, (code, coeff) in enumerate(terms):
        support = sum(1 << q for q in range(n) if (code // 4**q) % 4)
        counts = result.get_counts(i)
        estimate = sum(cnt * (1 - 2 * (bin(int(bits, 2) & support).count("1") & 1))
                       for bits, cnt in counts.items()) / SHOTS
        exact = sim.expectation(c, _term(code, n), params)
        sigma = np.sqrt(max(1 - exact**2, 1e-6) / SHOTS)
        assert abs(estimate - exact) <= SIGMAS * sigma, (code_to_label(code, n), estimate, exact)
        # not vacuous: the same counts reject the value without readout error
        assert abs(estimate - without.expectation(c, _term(code, n), params)) > SIGMAS * sigma
        energy_aer += coeff * estimate
        variance += coeff**2 * sigma**2
    energy = sim.expectation(c, ham, params)
    assert abs(energy_aer - energy) <= SIGMAS * np.sqrt(variance)
