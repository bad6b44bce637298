"""StatevectorSimulator against the density-matrix reference (noiseless)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.circuit import Circuit
from sim.noise import NoiseModel
from sim.pauli import PauliSum
from sim.reference import DensityMatrixSimulator
from sim.simulator import PTMSimulator
from sim.statevector import StatevectorSimulator
from test_simulator import random_circuit, random_hamiltonian


@pytest.mark.parametrize("seed", range(6))
def test_matches_reference(seed):
    rng = np.random.default_rng(100 + seed)
    n = 1 + seed
    circuit = random_circuit(rng, n, 40)
    ham = random_hamiltonian(rng, n, 15)
    params = rng.normal(size=(3, circuit.num_parameters))
    ours = StatevectorSimulator().expectation_batch(circuit, ham, params)
    ref = DensityMatrixSimulator().expectation_batch(circuit, ham, params)
    assert np.max(np.abs(ours - ref)) < 1e-10
    psi = StatevectorSimulator().state(circuit, params[0])
    rho = DensityMatrixSimulator().density_matrix(circuit, params[0])
    assert np.max(np.abs(np.outer(psi, psi.conj()) - rho)) < 1e-10


def test_larger_register_matches_ptm():
    rng = np.random.default_rng(1)
    circuit = random_circuit(rng, 7, 60)
    ham = random_hamiltonian(rng, 7, 30)
    p = rng.normal(size=circuit.num_parameters)
    assert abs(StatevectorSimulator().expectation(circuit, ham, p) - PTMSimulator().expectation(circuit, ham, p)) < 1e-10


def test_qiskit_order_and_rotation_sign():
    # ry(theta) on qubit 1 only: <ZI> = cos(theta), <IZ> = 1; rx(theta): <Y> = -sin(theta)
    theta = 0.83
    c = Circuit(2).ry(1, theta)
    sv = StatevectorSimulator()
    assert sv.expectation(c, PauliSum.from_list([("ZI", 1.0)])) == pytest.approx(np.cos(theta), abs=1e-15)
    assert sv.expectation(c, PauliSum.from_list([("IZ", 1.0)])) == pytest.approx(1.0, abs=1e-15)
    assert sv.expectation(Circuit(1).rx(0, theta), PauliSum.from_list([("Y", 1.0)])) == pytest.approx(
        -np.sin(theta), abs=1e-15)


def test_compiled_batch_rows_and_counter():
    rng = np.random.default_rng(3)
    circuit = random_circuit(rng, 4, 30)
    ham = random_hamiltonian(rng, 4, 10)
    params = rng.normal(size=(5, circuit.num_parameters))
    compiled = StatevectorSimulator().compile(circuit, ham)
    batch = compiled.batch(params)
    assert np.array_equal(batch, np.array([compiled(p) for p in params]))
    assert compiled.evaluations == 10
    assert compiled.num_parameters == circuit.num_parameters


def test_shots_reproducible():
    c = Circuit(2).h(0).cx(0, 1).ry(1)
    h = PauliSum.from_list([("XX", 1.0), ("ZI", 0.5)])
    sv = StatevectorSimulator()
    a = sv.expectation_batch(c, h, np.full((4, 1), 0.3), shots=64, seed=11)
    assert np.array_equal(a, sv.expectation_batch(c, h, np.full((4, 1), 0.3), shots=64, seed=11))


def test_refuses_noise_model():
    with pytest.raises(ValueError, match="noiseless"):
        StatevectorSimulator(NoiseModel())


def test_parallel_batch_is_bit_identical(monkeypatch):
    import sim.statevector as sv_module

    rng = np.random.default_rng(4)
    circuit = random_circuit(rng, 3, 25)
    ham = random_hamiltonian(rng, 3, 8)
    params = rng.normal(size=(7, circuit.num_parameters))
    compiled = StatevectorSimulator().compile(circuit, ham)
    serial = compiled.batch(params)
    monkeypatch.setattr(sv_module, "_PARALLEL_WORK", 0)
    compiled._threads = 2
    assert np.array_equal(compiled.batch(params), serial)
