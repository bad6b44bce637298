"""Wall time of QASEnv steps and episodes, split into optimizer, simulator, compile and encoding, next to the
same env with Qiskit Aer's density-matrix simulator as its inner simulator.

Settings:
  A. H2-2q under mumbai-median, Adam-SPSA with 250 iterations (the paper's noisy H2 setting),
     episodes as long as the reference-noisy halting allows;
  B. H2-4q under mumbai-median, COBYLA with at most 100 iterations, 40 steps per episode
     (the 4-qubit noisy comparison setting; the reference needed ~2.8 s per episode on a GPU).

A random masked agent picks the actions (fixed seed); the curriculum is off so episodes run
to their step budget.

Aer inside: a second env of the same setting gets, after construction, an ``_sim`` whose
``compile(circuit, hamiltonian)`` converts the circuit with ``circuit_to_qiskit`` (angles as
parameters), adds ``save_expectation_value`` of the Hamiltonian, transpiles once per step
(optimization_level=0) for ``AerSimulator(method="density_matrix")`` with the noise model from
``noise_model_to_qiskit``, and answers each objective call with ONE ``run`` binding all of the call's
parameter vectors through ``parameter_binds``. Its noiseless reference energy stays on our statevector
simulator. It replays the first ``--aer-steps`` steps of our run (same resets, same seeds, same
actions). The env mitigates readout error exactly, and Aer's exact expectation value never sees
readout, so both must give the same energies: every point Aer evaluated is re-evaluated with our
simulator and the run stops if they differ by more than 1e-8.

Usage: python benchmarks/bench_env.py [--episodes N] [--aer-steps K] [--no-aer] [--markdown]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np

import sim
from crlqas.env import QASEnv
from sim.interop.qiskit import circuit_to_qiskit, noise_model_to_qiskit

SETTINGS = {
    "A: H2-2q mumbai-median adam-spsa(250)": dict(
        task="H2-2q", noise="mumbai-median", optimizer="adam-spsa", optimizer_options={"iterations": 250},
        curriculum="none"),
    "B: H2-4q mumbai-median cobyla(100) 40 steps": dict(
        task="H2-4q", noise="mumbai-median", optimizer="cobyla", optimizer_options={"maxiter": 100},
        curriculum="none", halting="none", max_layers=40),
}

#: rows the inner optimizer submits per objective call (SPSA: the +/- pair), so the Aer thread
#: pilot sees the same batch shape as the search
POINTS_PER_CALL = {"adam-spsa": 2, "cobyla": 1}

#: Aer's OpenMP split of one small density matrix can lose to a single thread, and on a shared
#: machine it usually does, so the pilot tries each
AER_THREADS = {
    "default threads": {},
    "1 thread": {"max_parallel_threads": 1},
    "parallel experiments": {"max_parallel_experiments": 0},
}

AGREEMENT_TOL = 1e-8
SHARES = ["optimizer", "simulate", "compile", "encoding", "other"]


# ---------------------------------------------------------------------- Aer as the env's inner simulator
class AerExpectation:
    """One transpiled circuit; exact energies of a batch of parameter vectors from one Aer ``run``."""

    def __init__(self, backend, qc, circuit: sim.Circuit, log: list | None):
        self.backend = backend
        self.qc = qc
        self.circuit = circuit
        self.num_parameters = circuit.num_parameters
        # slot k of our circuit is theta[k]; binding by index does not depend on Qiskit's parameter ordering
        self._params = sorted(qc.parameters, key=lambda p: p.index)
        self._log = log

    def batch(self, params_2d, shots: int | None = None, rng: np.random.Generator | None = None) -> np.ndarray:
        if shots is not None:
            raise NotImplementedError("the Aer-backed objective is exact only (shots=None)")
        points = np.asarray(params_2d, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != self.num_parameters:
            raise ValueError(f"expected rows of {self.num_parameters} parameters, got shape {points.shape}")
        if self._params:
            binds = [{p: points[:, p.index].tolist() for p in self._params}]
            result = self._checked(self.backend.run(self.qc, parameter_binds=binds, shots=1).result())
            values = np.array([float(np.real(result.data(i)["e"])) for i in range(points.shape[0])])
        else:
            # Aer rejects parameter_binds on a circuit without parameters; every row is the same circuit
            result = self._checked(self.backend.run(self.qc, shots=1).result())
            values = np.full(points.shape[0], float(np.real(result.data(0)["e"])))
        if self._log is not None:
            self._log.append((self.circuit, points.copy(), values))
        return values

    @staticmethod
    def _checked(result):
        if not result.success:
            raise RuntimeError(f"Aer run failed: {result.status}")
        return result

    def __call__(self, params=None, shots: int | None = None, rng: np.random.Generator | None = None) -> float:
        row = np.zeros(0) if params is None else np.asarray(params, dtype=np.float64)
        return float(self.batch(row[None, :], shots, rng)[0])


class AerDensityMatrix:
    """Drop-in for ``sim.PTMSimulator`` as far as QASEnv uses it: ``compile(circuit, hamiltonian)``.

    Every batch Aer answers is kept in ``log`` (circuit, points, energies) for the agreement check.
    """

    def __init__(self, noise_model: sim.NoiseModel, backend_options: dict | None = None):
        from qiskit_aer import AerSimulator

        self.backend = AerSimulator(method="density_matrix", noise_model=noise_model_to_qiskit(noise_model),
                                    **(backend_options or {}))
        self.log: list[tuple[sim.Circuit, np.ndarray, np.ndarray]] = []
        self._observables: dict[int, tuple[object, object]] = {}

    def _observable(self, hamiltonian):
        key = id(hamiltonian)
        if key not in self._observables:
            # the Hamiltonian is kept alive with its operator, so its id cannot be reused by another object
            self._observables[key] = (hamiltonian, hamiltonian.to_qiskit())
        return self._observables[key][1]

    def compile(self, circuit: sim.Circuit, hamiltonian) -> AerExpectation:
        from qiskit import transpile

        qc = circuit_to_qiskit(circuit)
        qc.save_expectation_value(self._observable(hamiltonian), list(range(circuit.num_qubits)), label="e")
        # optimization_level=0: no gate merging, so every gate keeps the noise it has in our model
        qc = transpile(qc, self.backend, optimization_level=0)
        return AerExpectation(self.backend, qc, circuit, self.log)


def pick_aer_threads(noise_model, circuit: sim.Circuit, hamiltonian, rows: int, calls: int = 15,
                     seed: int = 0) -> tuple[str, AerDensityMatrix, dict[str, float]]:
    """The thread setting whose objective calls on ``circuit`` are fastest (ms per call for each setting).

    The pilot doubles as Aer's warm-up: each backend's first run is not timed.
    """
    points = np.random.default_rng(seed).uniform(-np.pi, np.pi, (rows, circuit.num_parameters))
    sims, times = {}, {}
    for name, options in AER_THREADS.items():
        aer = AerDensityMatrix(noise_model, options)
        compiled = aer.compile(circuit, hamiltonian)
        compiled.batch(points)
        t0 = time.perf_counter()
        for _ in range(calls):
            compiled.batch(points)
        times[name] = 1e3 * (time.perf_counter() - t0) / calls
        sims[name] = aer
    best = min(times, key=times.get)
    sims[best].log.clear()
    return best, sims[best], times


# ---------------------------------------------------------------------- runs
def run_ours(kwargs: dict, episodes: int, seed: int = 0) -> dict:
    """Our env on ``episodes`` random episodes; also the trace (resets, actions, step times) for the replay."""
    env = QASEnv(**kwargs)
    rng = np.random.default_rng(seed)
    # warm-up steps so Numba compilation is not timed: a parameter-free first step (a CNOT) would leave the
    # kernels of parametrised circuits cold, so continue until both kinds of gate have run
    env.reset(seed=seed)
    warm_actions: list[int] = []
    kinds: set[bool] = set()
    done = False
    while not done and (len(kinds) < 2 or len(warm_actions) < 3):
        action = int(rng.choice(np.flatnonzero(env.action_masks())))
        _, _, terminated, truncated, _ = env.step(action)
        warm_actions.append(action)
        kinds.add(env.action_set[action].is_cnot)
        done = terminated or truncated
    env.reset_timings()
    trace = []  # (seed of the reset before this step or None, action, step seconds, evaluations, energy, done)
    evaluations = 0
    start = time.perf_counter()
    for episode in range(episodes):
        env.reset(seed=seed + episode)
        reset_seed: int | None = seed + episode
        done = False
        while not done:
            action = int(rng.choice(np.flatnonzero(env.action_masks())))
            t0 = time.perf_counter()
            _, _, terminated, truncated, info = env.step(action)
            dt = time.perf_counter() - t0
            done = terminated or truncated
            evaluations += info["cost_evaluations"]
            trace.append((reset_seed, action, dt, info["cost_evaluations"], info["energy"], done))
            reset_seed = None
    total = time.perf_counter() - start
    parts = env.timings
    parts["other"] = total - sum(parts.values())
    return {"total": total, "steps": len(trace), "episodes": episodes, "evaluations": evaluations, **parts,
            "trace": trace, "warm": (seed, warm_actions), "env": env}


def episode_circuit(env: QASEnv, trace: list) -> sim.Circuit:
    """The unbound circuit the env holds after the last step of ``trace`` (zero-state prefix, as in SETTINGS)."""
    start = max(k for k, step in enumerate(trace) if step[0] is not None)
    circuit = sim.Circuit(env.num_qubits)
    for step in trace[start:]:
        gate = env.action_set[step[1]]
        circuit.append(gate.name, gate.qubits)
    return circuit


def run_aer(kwargs: dict, ours: dict, aer_steps: int) -> dict:
    """A fresh env with Aer inside replaying the first ``aer_steps`` steps of ``ours``."""
    env = QASEnv(**kwargs)
    trace = ours["trace"][:aer_steps]
    # the largest circuit of the replay: the one whose per-call cost dominates it
    pilot_circuit = episode_circuit(env, trace)
    rows = POINTS_PER_CALL.get(kwargs["optimizer"], 1)
    threads, aer, pilot = pick_aer_threads(env.noise_model, pilot_circuit, env.hamiltonian, rows)
    env._sim = aer
    warm_seed, warm_actions = ours["warm"]
    env.reset(seed=warm_seed)
    for action in warm_actions:
        env.step(action)
    env.reset_timings()
    seconds, evaluations, energy_gap, replayed = 0.0, 0, 0.0, 0
    for reset_seed, action, _, _, energy, done in trace:
        if reset_seed is not None:
            env.reset(seed=reset_seed)
        t0 = time.perf_counter()
        _, _, terminated, truncated, info = env.step(action)
        seconds += time.perf_counter() - t0
        evaluations += info["cost_evaluations"]
        energy_gap = max(energy_gap, abs(info["energy"] - energy))
        replayed += 1
        if (terminated or truncated) != done:
            print(f"  warning: the Aer env's episode ended differently from ours after {replayed} steps; "
                  "the replay stops here", file=sys.stderr)
            break
    ours_seconds = sum(step[2] for step in trace[:replayed])
    ours_evaluations = sum(step[3] for step in trace[:replayed])
    return {"steps": replayed, "seconds": seconds, "evaluations": evaluations, "ours_seconds": ours_seconds,
            "ours_evaluations": ours_evaluations, "threads": threads, "pilot": pilot, "energy_gap": energy_gap,
            "log": aer.log, "compile_seconds": env.timings["compile"]}


def agreement(ours_sim, hamiltonian, log) -> tuple[float, int]:
    """Largest |E_ours - E_Aer| over every point Aer evaluated, and how many points that was."""
    worst, points = 0.0, 0
    compiled = {}
    for circuit, batch, values in log:
        key = id(circuit)
        if key not in compiled:
            compiled[key] = ours_sim.compile(circuit, hamiltonian)
        worst = max(worst, float(np.max(np.abs(compiled[key].batch(batch) - values))))
        points += batch.shape[0]
    return worst, points


# ---------------------------------------------------------------------- output
HEADERS = ["setting", "steps", "ms/step ours", "s/episode ours", "evals/step"] + [f"{c} %" for c in SHARES] + [
    "ms/step Aer inside", "Aer/ours per step"]


def table_rows(results: list[tuple[str, dict, dict | None]]) -> list[list[str]]:
    out = []
    for name, r, a in results:
        row = [name, str(r["steps"]), f"{1000 * r['total'] / r['steps']:.2f}", f"{r['total'] / r['episodes']:.3f}",
               f"{r['evaluations'] / r['steps']:.1f}"]
        row += [f"{100 * r[c] / r['total']:.1f}" for c in SHARES]
        if a is None:
            row += ["-", "-"]
        else:
            aer_ms = 1000 * a["seconds"] / a["steps"]
            row += [f"{aer_ms:.1f}", f"{a['seconds'] / a['ours_seconds']:.0f}x"]
        out.append(row)
    return out


def format_plain(results) -> str:
    body = table_rows(results)
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(HEADERS)]
    align = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                                    for i, (c, w) in enumerate(zip(cells, widths)))
    lines = [align(HEADERS), "-" * (sum(widths) + 2 * (len(widths) - 1))]
    lines += [align(b) for b in body]
    return "\n".join(lines)


def format_markdown(results) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" + "--:|" * (len(HEADERS) - 1)]
    lines += ["| " + " | ".join(b) + " |" for b in table_rows(results)]
    return "\n".join(lines)


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def notes(results, with_aer: bool, load_at_start: float) -> str:
    import numba

    lines = []
    for name, _, a in results:
        if a is None:
            continue
        pilot = ", ".join(f"{k} {v:.2f}" for k, v in a["pilot"].items())
        lines.append(
            f"{name.split(':')[0]}: Aer inside timed on the first {a['steps']} steps (ours on those steps: "
            f"{1000 * a['ours_seconds'] / a['steps']:.2f} ms/step, the ratio's denominator); evals/step Aer "
            f"{a['evaluations'] / a['steps']:.1f} vs ours {a['ours_evaluations'] / a['steps']:.1f}; "
            f"circuit conversion + transpile {1000 * a['compile_seconds'] / a['steps']:.1f} ms/step of it; "
            f"Aer threads: {a['threads']} (pilot ms per objective call: {pilot}); "
            f"max |E_ours - E_Aer| = {a['max_diff']:.2e} over {a['points']} points; step energies of the two "
            f"envs differ by up to {a['energy_gap']:.1e}.")
    lines.append("optimizer = inner-optimizer bookkeeping; simulate = objective calls (batched energy evaluations) "
                 "plus the noiseless reference energy; compile = circuit + noise compilation (once per step); "
                 "encoding = tensor, mask and circuit building; other = env overhead (reward, observation, info). "
                 "Shares are of our env.")
    if with_aer:
        import qiskit
        import qiskit_aer

        lines.append("Aer inside = the same env with AerSimulator(method='density_matrix') as its inner simulator "
                     "(one run per objective call, circuit transpiled once per step; the noiseless reference "
                     "energy stays ours). The step energies of the two envs can part although every objective value "
                 "agrees: a new rotation starting at a stationary point gives our SPSA difference exactly 0, Aer's "
                 "a last-bit residue, and Adam's normalised step turns that into a full-size move. The work per "
                 "step (the circuit; for Adam-SPSA also the number of evaluations) does not depend on the angles.")
        versions = f", qiskit {qiskit.__version__}, qiskit-aer {qiskit_aer.__version__}"
    else:
        versions = ""
    lines.append(f"CPUs: {os.cpu_count()}, numba threads {numba.get_num_threads()}, load average (1 min) at "
                 f"start / end {load_at_start:.2f} / {load_average():.2f}. Python {platform.python_version()}, "
                 f"numpy {np.__version__}, numba {numba.__version__}{versions}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=3)
    parser.add_argument("--aer-steps", type=int, default=10,
                        help="steps per setting timed with Aer inside (the first steps of our run)")
    parser.add_argument("--no-aer", action="store_true", help="skip the Aer-inside env")
    parser.add_argument("--markdown", action="store_true", help="also print the table as markdown")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error("--episodes must be >= 1")
    if args.aer_steps < 1:
        parser.error("--aer-steps must be >= 1 (use --no-aer to skip Aer)")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    load_at_start = load_average()
    results = []
    for name, kwargs in SETTINGS.items():
        log(f"{name}: ours, {args.episodes} episodes ...")
        r = run_ours(kwargs, args.episodes)
        a = None
        if not args.no_aer:
            log(f"{name}: Aer inside, {min(args.aer_steps, r['steps'])} steps ...")
            a = run_aer(kwargs, r, args.aer_steps)
            a["max_diff"], a["points"] = agreement(r["env"]._sim, r["env"].hamiltonian, a["log"])
            log(f"  max |E_ours - E_Aer| = {a['max_diff']:.3e} over {a['points']} points")
            if not a["max_diff"] <= AGREEMENT_TOL:
                raise AssertionError(f"{name}: Aer and our simulator disagree by {a['max_diff']:.3e} "
                                     f"(> {AGREEMENT_TOL:g}) on the same points")
        results.append((name, r, a))
    text = notes(results, not args.no_aer, load_at_start)
    print(format_plain(results))
    print()
    print(text)
    if args.markdown:
        print()
        print(format_markdown(results))
        print()
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
