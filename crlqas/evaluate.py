"""Re-evaluate a run's best circuit: noisy (exact), noiseless, and with shot noise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from crlqas.rundir import load_run_config


def evaluate_circuit(env, circuit, shots: int = 1000, repeats: int = 20, seed: int = 0) -> dict[str, Any]:
    """Energies of a bound ``sim.Circuit`` under the env's noise model, without noise, and sampled."""
    import sim

    unwrapped = env.unwrapped
    task = unwrapped.task
    exact = float(task.exact_energy)
    noiseless = float(sim.StatevectorSimulator().expectation(circuit, task.hamiltonian))
    result: dict[str, Any] = {
        "task": task.name,
        "exact_energy": exact,
        "noiseless_energy": noiseless,
        "noiseless_error": abs(noiseless - exact),
    }
    if unwrapped.noise_model is not None:
        simulator = sim.PTMSimulator(unwrapped.noise_model, mitigate_readout=unwrapped.readout_mitigation)
        noisy = float(simulator.expectation(circuit, task.hamiltonian))
        result.update(noisy_energy=noisy, noisy_error=abs(noisy - exact),
                      readout_mitigation=bool(unwrapped.readout_mitigation))
    else:
        simulator = sim.PTMSimulator(None)
    if shots:
        rng = np.random.default_rng(seed)
        samples = np.array([simulator.expectation(circuit, task.hamiltonian, shots=shots,
                                                  seed=int(rng.integers(2**31))) for _ in range(repeats)])
        result.update(shots=shots, repeats=repeats, sampled_energy_mean=float(samples.mean()),
                      sampled_energy_std=float(samples.std(ddof=1)) if repeats > 1 else 0.0,
                      sampled_error_mean=float(np.mean(np.abs(samples - exact))))
    result["chemical_accuracy"] = task.chemical_accuracy
    return result


def evaluate_run(run_dir: str | Path, shots: int = 1000, repeats: int = 20, seed: int = 0) -> dict[str, Any]:
    """Re-evaluate ``best_circuit.json`` of a run folder under the run's own settings."""
    import sim

    from crlqas.train import make_env

    run_dir = Path(run_dir)
    config = load_run_config(run_dir)
    best_file = run_dir / "best_circuit.json"
    if not best_file.is_file():
        raise FileNotFoundError(f"{str(run_dir)!r} has no best_circuit.json yet (no step finished)")
    best = json.loads(best_file.read_text())
    circuit = sim.Circuit.from_dict(best["circuit"])
    env = make_env(config)
    try:
        result = evaluate_circuit(env, circuit, shots=shots, repeats=repeats, seed=seed)
    finally:
        env.close()
    result.update(run_dir=str(run_dir), noise=config.env.noise, gates=best["gates"], cnots=best["cnots"],
                  rotations=best["rotations"], depth=best["depth"], found_in_episode=best["episode"])
    return result
