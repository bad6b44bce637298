"""PTMSimulator against the numpy density-matrix reference and against analytic values."""

from __future__ import annotations

import numpy as np
import pytest

from sim import channels as ch
from sim.circuit import Circuit
from sim.noise import NoiseModel
from sim.pauli import PauliSum
from sim.reference import DensityMatrixSimulator
from sim.simulator import PTMSimulator

TOL = 1e-10
ONE_QUBIT = ["rx", "ry", "rz", "h", "s", "sdg", "sx", "x", "y", "z", "id"]


# ---------------------------------------------------------------------- random instances
def random_one_qubit_channel(rng):
    kind = rng.integers(5)
    if kind == 0:
        return ch.depolarizing(rng.uniform(0, 0.3))
    if kind == 1:
        return ch.amplitude_damping(rng.uniform(0, 0.3), rng.uniform(0, 0.2))
    if kind == 2:
        return ch.phase_damping(rng.uniform(0, 0.3))
    if kind == 3:
        t1 = rng.uniform(20, 100)
        return ch.thermal_relaxation(t1, rng.uniform(5, 2 * t1), rng.uniform(0, 10), rng.uniform(0, 0.2))
    p = rng.uniform(0, 0.1, 3)
    return ch.pauli_channel({"I": 1 - p.sum(), "X": p[0], "Y": p[1], "Z": p[2]})


def random_two_qubit_channel(rng):
    kind = rng.integers(4)
    if kind == 0:
        return ch.depolarizing(rng.uniform(0, 0.2), 2).compose(
            ch.product(random_one_qubit_channel(rng), random_one_qubit_channel(rng)))
    if kind == 1:
        p = rng.dirichlet(np.ones(16)) * 0.3
        p[0] += 0.7
        return ch.pauli_channel(dict(zip([a + b for a in "IXYZ" for b in "IXYZ"], p)))
    if kind == 2:
        # a generic (non-Pauli, non-product) channel from a random isometry
        iso, _ = np.linalg.qr(rng.normal(size=(8, 4)) + 1j * rng.normal(size=(8, 4)))
        return ch.kraus([iso[:4], iso[4:]])
    return ch.product(random_one_qubit_channel(rng), random_one_qubit_channel(rng))


def random_noise_model(rng, n, readout=True):
    nm = NoiseModel()
    for g in ["rx", "ry", "rz", "h", "s", "sx", "x"]:
        if rng.random() < 0.8:
            nm.add_quantum_error(random_one_qubit_channel(rng), g)
    if rng.random() < 0.5:
        nm.add_quantum_error(random_one_qubit_channel(rng), "rx")  # composes with the first
    for g in ["cx", "cz", "swap"]:
        nm.add_quantum_error(random_two_qubit_channel(rng), g)
    if n > 1:
        nm.add_quantum_error(random_two_qubit_channel(rng), "cx", (1, 0))
    nm.add_quantum_error(random_one_qubit_channel(rng), "ry", (0,))
    if readout:
        for q in range(n):
            if rng.random() < 0.7:
                e0, e1 = rng.uniform(0, 0.15, 2)
                nm.add_readout_error([[1 - e0, e0], [e1, 1 - e1]], q)
    return nm


def random_circuit(rng, n, num_gates):
    c = Circuit(n)
    for _ in range(num_gates):
        if n > 1 and rng.random() < 0.35:
            a, b = rng.choice(n, 2, replace=False)
            c.append(str(rng.choice(["cx", "cx", "cz", "swap"])), (int(a), int(b)))
        else:
            g, q = str(rng.choice(ONE_QUBIT)), int(rng.integers(n))
            if g in ("rx", "ry", "rz"):
                c.append(g, (q,), float(rng.normal()) if rng.random() < 0.2 else None)
            else:
                c.append(g, (q,))
    return c


def random_hamiltonian(rng, n, terms):
    return PauliSum(n, rng.integers(0, 4**n, terms), rng.normal(size=terms))


# ---------------------------------------------------------------------- against the reference
@pytest.mark.parametrize("seed", range(12))
def test_random_noisy_circuits_match_reference(seed):
    rng = np.random.default_rng(seed)
    n = 2 + seed % 5
    circuit = random_circuit(rng, n, int(rng.integers(20, 61)))
    ham = random_hamiltonian(rng, n, int(rng.integers(3, 25)))
    nm = random_noise_model(rng, n)
    params = rng.normal(size=(2, circuit.num_parameters)) * 2
    for readout in (True, False):
        ours = PTMSimulator(nm, readout=readout).expectation_batch(circuit, ham, params)
        ref = DensityMatrixSimulator(nm, readout=readout).expectation_batch(circuit, ham, params)
        assert np.max(np.abs(ours - ref)) < TOL
    rho = PTMSimulator(nm).density_matrix(circuit, params[0])
    assert np.max(np.abs(rho - DensityMatrixSimulator(nm).density_matrix(circuit, params[0]))) < TOL


def test_noiseless_matches_reference_and_state_is_normalised():
    rng = np.random.default_rng(99)
    circuit = random_circuit(rng, 3, 40)
    ham = random_hamiltonian(rng, 3, 20)
    p = rng.normal(size=circuit.num_parameters)
    r = PTMSimulator().state(circuit, p)
    assert r.shape == (64,) and r[0] == 1.0
    assert abs(PTMSimulator().expectation(circuit, ham, p) - DensityMatrixSimulator().expectation(circuit, ham, p)) < TOL
    # a pure state: sum_P r_P^2 = 2^n
    assert np.sum(r**2) == pytest.approx(8.0, abs=1e-10)


# ---------------------------------------------------------------------- named cases
def all_paulis(n):
    return PauliSum(n, np.arange(1, 4**n), np.ones(4**n - 1))


def test_full_depolarizing_kills_every_pauli():
    nm = NoiseModel().add_quantum_error(ch.depolarizing(1.0), ["rx", "ry"])
    nm.add_quantum_error(ch.depolarizing(1.0, 2), "cx")
    c = Circuit(3).rx(0, 0.3).cx(0, 1).ry(2, 1.1).cx(2, 1)
    r = PTMSimulator(nm).state(c)
    assert r[0] == 1.0
    assert np.max(np.abs(r[1:])) < 1e-15
    assert abs(PTMSimulator(nm).expectation(c, all_paulis(3))) < 1e-13


def test_x_then_depolarize_other_qubit_keeps_z0_exactly():
    nm = NoiseModel().add_quantum_error(ch.depolarizing(1.0), "h")
    c = Circuit(2).x(0).h(1)
    z0 = PauliSum.from_list([("IZ", 1.0)])
    assert PTMSimulator(nm).expectation(c, z0) == -1.0
    z1 = PauliSum.from_list([("ZI", 1.0)])
    assert PTMSimulator(nm).expectation(c, z1) == 0.0


def test_two_qubit_depolarizing_does_not_exchange_qubits():
    lam = 0.3
    nm = NoiseModel().add_quantum_error(ch.depolarizing(lam, 2), "cz")
    c = Circuit(2).h(0).x(1).cz(0, 1)  # |+>|1> -> |->|1>
    sim = PTMSimulator(nm)

    def e(label):
        return sim.expectation(c, PauliSum.from_list([(label, 1.0)]))

    assert e("IX") == pytest.approx(-(1 - lam), abs=1e-14)
    assert e("ZI") == pytest.approx(-(1 - lam), abs=1e-14)
    assert abs(e("IZ")) < 1e-14 and abs(e("XI")) < 1e-14


def test_readout_flip_on_zero_state():
    nm = NoiseModel().add_readout_error([[0.0, 1.0], [1.0, 0.0]])
    z = PauliSum.from_list([("Z", 1.0)])
    assert PTMSimulator(nm).expectation(Circuit(1).append("id", (0,)), z) == -1.0
    assert PTMSimulator(nm, readout=False).expectation(Circuit(1).append("id", (0,)), z) == 1.0


def test_readout_applies_to_x_term_after_h():
    e0, e1 = 0.07, 0.2
    nm = NoiseModel().add_readout_error([[1 - e0, e0], [e1, 1 - e1]], 0)
    c = Circuit(2).h(0)
    h = PauliSum.from_list([("IX", 1.0)])
    assert PTMSimulator(nm).expectation(c, h) == pytest.approx((1 - e0 - e1) + (e1 - e0), abs=1e-15)
    # qubit 1 has no readout error: its Z stays exact
    assert PTMSimulator(nm).expectation(c, PauliSum.from_list([("ZI", 1.0)])) == 1.0


def test_readout_on_two_qubit_term_expands_into_substrings():
    e = [(0.1, 0.05), (0.02, 0.3)]
    nm = NoiseModel()
    for q, (e0, e1) in enumerate(e):
        nm.add_readout_error([[1 - e0, e0], [e1, 1 - e1]], q)
    c = Circuit(2).ry(0, 0.7).ry(1, -1.3).cx(0, 1)
    h = PauliSum.from_list([("ZX", 1.0)])
    ours = PTMSimulator(nm).expectation(c, h)
    assert abs(ours - DensityMatrixSimulator(nm).expectation(c, h)) < 1e-13
    r = PTMSimulator().state(c)
    (a0, b0), (a1, b1) = [(1 - x - y, y - x) for x, y in e]
    # ZX: X on qubit 0 (index 1), Z on qubit 1 (index 12)
    expected = a0 * a1 * r[13] + a0 * b1 * r[1] + b0 * a1 * r[12] + b0 * b1
    assert ours == pytest.approx(expected, abs=1e-14)


def test_depolarizing_then_thermal_equals_sequential_application():
    dep, th = ch.depolarizing(0.05), ch.thermal_relaxation(40.0, 50.0, 3.0, 0.1)
    both = NoiseModel().add_quantum_error(dep, ["rx", "ry"]).add_quantum_error(th, ["rx", "ry"])
    split = NoiseModel().add_quantum_error(dep, ["rx", "ry"]).add_quantum_error(th, "id")
    c1, c2 = Circuit(2), Circuit(2)
    for q, g in [(0, "rx"), (1, "ry"), (0, "ry"), (1, "rx")]:
        c1.append(g, (q,))
        c2.append(g, (q,)).append("id", (q,))
    c1.cx(0, 1)
    c2.cx(0, 1)
    h = PauliSum.from_list([("XZ", 0.4), ("ZZ", -1.0), ("YI", 0.3), ("IY", 0.2)])
    p = np.array([0.3, -1.2, 2.0, 0.9])
    assert abs(PTMSimulator(both).expectation(c1, h, p) - PTMSimulator(split).expectation(c2, h, p)) < 1e-14
    assert abs(PTMSimulator(both).expectation(c1, h, p) - DensityMatrixSimulator(both).expectation(c1, h, p)) < TOL


# ---------------------------------------------------------------------- compiled, batch, shots
@pytest.fixture
def noisy_setup():
    rng = np.random.default_rng(7)
    n = 3
    nm = random_noise_model(rng, n)
    circuit = random_circuit(rng, n, 30)
    ham = random_hamiltonian(rng, n, 10)
    return nm, circuit, ham, rng.normal(size=(9, circuit.num_parameters))


def test_exact_is_bit_identical_and_batch_equals_rows(noisy_setup):
    nm, circuit, ham, params = noisy_setup
    compiled = PTMSimulator(nm).compile(circuit, ham)
    first = compiled.batch(params)
    assert np.array_equal(first, compiled.batch(params))
    rows = np.array([compiled(p) for p in params])
    assert np.array_equal(first, rows)
    assert np.array_equal(first, PTMSimulator(nm).expectation_batch(circuit, ham, params))
    assert compiled.evaluations == 2 * len(params) + len(params)
    assert compiled.num_parameters == circuit.num_parameters


def test_shots_statistics_and_seed(noisy_setup):
    nm, circuit, _, params = noisy_setup
    z = PauliSum.from_list([("IZI", 1.0)])
    sim = PTMSimulator(nm)
    m = sim.expectation(circuit, z, params[0])
    shots, reps = 200, 4000
    compiled = sim.compile(circuit, z)
    samples = compiled.batch(np.repeat(params[:1], reps, axis=0), shots=shots, rng=np.random.default_rng(5))
    var = (1 - m**2) / shots
    assert abs(samples.mean() - m) < 5 * np.sqrt(var / reps)
    assert samples.var() == pytest.approx(var, rel=0.15)
    # estimates live on the grid 2k/N - 1
    assert np.allclose((samples + 1) * shots / 2, np.round((samples + 1) * shots / 2))
    a = sim.expectation(circuit, z, params[0], shots=100, seed=3)
    assert a == sim.expectation(circuit, z, params[0], shots=100, seed=3)
    many = sim.expectation_batch(circuit, z, params, shots=100, seed=3)
    assert np.array_equal(many, sim.expectation_batch(circuit, z, params, shots=100, seed=3))
    assert not np.array_equal(many, sim.expectation_batch(circuit, z, params, shots=100, seed=4))


def test_shots_sample_each_term_independently():
    # |0>: <Z> = 1 is sampled without spread, <X> = 0 with variance 1/N
    h = PauliSum.from_list([("Z", 1.0), ("X", 1.0), ("I", 0.5)])
    compiled = PTMSimulator().compile(Circuit(1).append("id", (0,)), h)
    est = compiled.batch(np.zeros((3000, 0)), shots=50, rng=np.random.default_rng(0))
    assert est.mean() == pytest.approx(1.5, abs=5 * np.sqrt(1 / 50 / 3000))
    assert est.var() == pytest.approx(1 / 50, rel=0.15)


def test_mitigated_readout_is_exact_without_shots_and_unbiased_with(noisy_setup):
    nm, circuit, ham, params = noisy_setup
    mitigated = PTMSimulator(nm, mitigate_readout=True)
    no_readout = PTMSimulator(nm, readout=False)
    exact = no_readout.expectation_batch(circuit, ham, params)
    assert np.max(np.abs(mitigated.expectation_batch(circuit, ham, params) - exact)) < 1e-12
    compiled = mitigated.compile(circuit, ham)
    reps = np.repeat(params[:1], 3000, axis=0)
    est = compiled.batch(reps, shots=400, rng=np.random.default_rng(1))
    assert abs(est.mean() - exact[0]) < 5 * est.std() / np.sqrt(len(est))
    with pytest.raises(ValueError, match="no information"):
        PTMSimulator(NoiseModel().add_readout_error([[0.5, 0.5], [0.5, 0.5]]), mitigate_readout=True).compile(
            Circuit(1).h(0), PauliSum.from_list([("Z", 1.0)]))


# ---------------------------------------------------------------------- input errors
def test_bad_inputs_raise_clear_errors():
    c = Circuit(2).rx(0).cx(0, 1)
    h = PauliSum.from_list([("ZZ", 1.0)])
    sim = PTMSimulator()
    compiled = sim.compile(c, h)
    with pytest.raises(ValueError, match="parameter slot"):
        compiled()
    with pytest.raises(ValueError, match=r"shape \(rows, 1\)"):
        compiled.batch(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="1-D"):
        compiled(np.zeros((2, 1)))
    with pytest.raises(ValueError, match="finite"):
        compiled(np.array([np.nan]))
    with pytest.raises(ValueError, match="shots"):
        compiled(np.zeros(1), shots=0)
    with pytest.raises(ValueError, match="3 qubits but the circuit has 2"):
        sim.compile(c, PauliSum.from_list([("ZZZ", 1.0)]))
    with pytest.raises(TypeError, match="PauliSum"):
        sim.compile(c, {"ZZ": 1.0})
    with pytest.raises(TypeError, match="NoiseModel"):
        PTMSimulator(noise_model="depolarizing")
    with pytest.raises(ValueError, match="limited to 10 qubits"):
        sim.density_matrix(Circuit(11).h(0))


def test_changing_the_noise_model_after_a_compile_is_seen():
    # the simulator caches fused PTMs and measurements; a changed model must not hit stale entries
    nm = NoiseModel().add_quantum_error(ch.depolarizing(0.1), "rx")
    sim = PTMSimulator(nm)
    c = Circuit(2).rx(0).cx(0, 1)
    h = PauliSum.from_list([("ZZ", 1.0), ("IZ", 0.5)])
    before = sim.expectation(c, h, [0.4])
    nm.add_quantum_error(ch.amplitude_damping(0.3), "rx")
    nm.add_readout_error([[0.9, 0.1], [0.2, 0.8]], 1)
    after = sim.expectation(c, h, [0.4])
    assert after != before
    assert abs(after - DensityMatrixSimulator(nm).expectation(c, h, [0.4])) < TOL


@pytest.mark.parametrize("rows, kernel", [(3, "_parallel"), (130, "_wide_parallel")])
def test_parallel_batch_is_bit_identical_to_serial(noisy_setup, monkeypatch, rows, kernel):
    # 3 rows go row by row; 130 rows (3 qubits: groups of 64) go batch-inner in two groups and a rest
    import sim.simulator as simulator_module

    nm, circuit, ham, _ = noisy_setup
    params = np.random.default_rng(rows).normal(size=(rows, circuit.num_parameters))
    monkeypatch.setattr(simulator_module, "_PARALLEL_NS", 0.0)
    for mitigate in (False, True):
        compiled = PTMSimulator(nm, mitigate_readout=mitigate).compile(circuit, ham)
        compiled._threads = 1
        serial = compiled.batch(params)
        calls = []
        parallel_kernel = getattr(compiled, kernel)

        def spy(*args, _kernel=parallel_kernel):
            calls.append(args)
            return _kernel(*args)

        setattr(compiled, kernel, spy)
        compiled._threads = 2  # force two chunks even on a one-core machine
        assert np.array_equal(compiled.batch(params), serial)
        assert calls, f"{kernel} was not used for {rows} rows"
    reference = PTMSimulator(nm, readout=False).expectation_batch(circuit, ham, params)
    assert np.max(np.abs(compiled.batch(params) - reference)) < 1e-12  # mitigation undoes readout exactly


@pytest.mark.parametrize("n, rows", [(4, 69), (7, 3), (6, 40)])
def test_batch_inner_and_row_paths_agree_bitwise(n, rows):
    # 4 qubits, 69 rows: a batch-inner group of 64, then 5 rows one by one; 7 qubits, 3 rows: one by one;
    # 6 qubits, 40 rows: a group of 32, then 8 one by one
    rng = np.random.default_rng(n)
    nm = random_noise_model(rng, n)
    circuit = random_circuit(rng, n, 25)
    ham = random_hamiltonian(rng, n, 12)
    params = rng.normal(size=(rows, circuit.num_parameters))
    compiled = PTMSimulator(nm).compile(circuit, ham)
    batch = compiled.batch(params)
    assert np.array_equal(batch, np.array([compiled(p) for p in params]))
    shots = 10_000_000
    terms = compiled.batch(params, shots=shots, rng=np.random.default_rng(0))
    # each term's estimate has variance <= 1/shots: 6 sigma of the sum of independent term errors
    sigma = np.sqrt(np.sum(np.asarray(ham.coeffs) ** 2) / shots)
    assert np.max(np.abs(terms - batch)) < 6 * sigma


def test_reference_against_analytic_values():
    # the reference is the independent check, so pin it to closed forms too
    gamma = 0.3
    nm = NoiseModel().add_quantum_error(ch.amplitude_damping(gamma), "x")
    ref = DensityMatrixSimulator(nm)
    z = PauliSum.from_list([("Z", 1.0)])
    assert ref.expectation(Circuit(1).x(0), z) == pytest.approx(2 * gamma - 1, abs=1e-15)
    flip = NoiseModel().add_readout_error([[0.0, 1.0], [1.0, 0.0]])
    assert DensityMatrixSimulator(flip).expectation(Circuit(1).append("id", (0,)), z) == pytest.approx(-1.0)
    theta = 0.9
    y = PauliSum.from_list([("Y", 1.0)])
    assert DensityMatrixSimulator().expectation(Circuit(1).rx(0, theta), y) == pytest.approx(-np.sin(theta), abs=1e-15)
