"""The noise floor: the lowest noisy energy hand-built circuits reach under each noise preset.

A search under noise can only find what the noisy energy rewards. This script
fully optimises (many random starts, Nelder-Mead then Powell) two small
circuits per task and prints, for each noise preset, their noisy error and
the noiseless error of the same angles:

* ``product``: one RY per qubit, no CNOT (reaches the Hartree-Fock state);
* ``entangling``: the smallest circuit known to reach the exact ground state
  (H2-2q: RY RY CNOT RY RY; H2-4q: a double excitation with three CNOTs
  from the centre of a T-shaped coupling 0-1, 1-2, 1-3).

When the product circuit's noisy error is below the entangling one's, no
search that ranks circuits by noisy energy can prefer the correct circuit
under that preset. Readout error is mitigated, as in the environment's
default. Run: ``python benchmarks/noise_floor.py [--starts 20] [--markdown]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import minimize

import sim
from crlqas import tasks
from crlqas.noise_presets import make_noise_model


def product_circuit(n: int) -> sim.Circuit:
    circuit = sim.Circuit(n)
    for q in range(n):
        circuit.ry(q)
    return circuit


def entangling_circuit(task_name: str) -> sim.Circuit:
    if task_name == "H2-2q":
        return sim.Circuit(2).ry(0).ry(1).cx(0, 1).ry(0).ry(1)
    if task_name == "H2-4q":
        # cos|1100> + sin|0011>: RY on the centre qubit 1, copy it to 0, flip 2 and 3 (RY near pi), uncopy.
        circuit = sim.Circuit(4).ry(1).ry(2).ry(3)
        circuit.cx(1, 0).cx(1, 2).cx(1, 3)
        return circuit.ry(0)
    raise ValueError(f"no entangling reference circuit for task {task_name!r}")


def best_angles(objective, num_params: int, starts: int, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    best_x, best_f = None, np.inf
    for _ in range(starts):
        x0 = rng.uniform(-np.pi, np.pi, num_params)
        result = minimize(objective, x0, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-13,
                                                                         "maxiter": 4000})
        result = minimize(objective, result.x, method="Powell", options={"xtol": 1e-10, "ftol": 1e-13})
        if result.fun < best_f:
            best_x, best_f = result.x, float(result.fun)
    return best_x, best_f


def floor_rows(task_name: str, presets: list[str], starts: int, seed: int) -> list[dict]:
    task = tasks.get(task_name)
    noiseless = sim.StatevectorSimulator()
    rows = []
    for preset in presets:
        model = make_noise_model(preset, task.num_qubits)
        simulator = sim.PTMSimulator(model, mitigate_readout=bool(model is not None and model.readout_errors()))
        for kind, circuit in (("product", product_circuit(task.num_qubits)),
                              ("entangling", entangling_circuit(task_name))):
            noisy = simulator.compile(circuit, task.hamiltonian)
            clean = noiseless.compile(circuit, task.hamiltonian)
            x, f = best_angles(lambda p: noisy(p), circuit.num_parameters, starts, np.random.default_rng(seed))
            rows.append({"task": task_name, "noise": preset, "circuit": kind, "cnots": circuit.count_ops().get("cx", 0),
                         "noisy_error": f - task.exact_energy, "noiseless_error": clean(x) - task.exact_energy})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--starts", type=int, default=20, help="random starts per circuit and preset")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    plan = [("H2-2q", ["none", "mumbai-median", "mumbai-max", "mumbai-10max"]),
            ("H2-4q", ["none", "mumbai-median", "depolarizing-0.001-0.01", "depolarizing-0.0001-0.001"])]
    t0 = time.perf_counter()
    rows = [row for task_name, presets in plan for row in floor_rows(task_name, presets, args.starts, args.seed)]
    if args.markdown:
        print("| task | noise | circuit | CNOTs | best noisy error (Ha) | noiseless error, same angles (Ha) |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['task']} | {r['noise']} | {r['circuit']} | {r['cnots']} | {r['noisy_error']:.2e} | "
                  f"{r['noiseless_error']:.2e} |")
    else:
        for r in rows:
            print(f"{r['task']:6s} {r['noise']:26s} {r['circuit']:10s} cx={r['cnots']}  "
                  f"noisy {r['noisy_error']:.3e}  noiseless {r['noiseless_error']:.3e}")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
