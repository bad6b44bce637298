"""Wall time of QASEnv steps and episodes, split into optimizer, simulator, compile and encoding.

Settings:
  A. H2-2q under mumbai-median, Adam-SPSA with 250 iterations (the paper's noisy H2 setting),
     episodes as long as the reference-noisy halting allows;
  B. H2-4q under mumbai-median, COBYLA with at most 100 iterations, 40 steps per episode
     (the 4-qubit noisy comparison setting; the reference needed ~2.8 s per episode on a GPU).

A random masked agent picks the actions (fixed seed); the curriculum is off so episodes run
to their step budget. Usage: python benchmarks/bench_env.py [--episodes N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from crlqas.env import QASEnv

SETTINGS = {
    "A: H2-2q mumbai-median adam-spsa(250)": dict(
        task="H2-2q", noise="mumbai-median", optimizer="adam-spsa", optimizer_options={"iterations": 250},
        curriculum="none"),
    "B: H2-4q mumbai-median cobyla(100) 40 steps": dict(
        task="H2-4q", noise="mumbai-median", optimizer="cobyla", optimizer_options={"maxiter": 100},
        curriculum="none", halting="none", max_layers=40),
}


def run(kwargs: dict, episodes: int, seed: int = 0) -> dict[str, float]:
    env = QASEnv(**kwargs)
    rng = np.random.default_rng(seed)
    # one warm-up step so Numba compilation is not timed
    env.reset(seed=seed)
    env.step(int(rng.choice(np.flatnonzero(env.action_masks()))))
    env.reset_timings()
    steps = 0
    evaluations = 0
    start = time.perf_counter()
    for episode in range(episodes):
        env.reset(seed=seed + episode)
        done = False
        while not done:
            action = int(rng.choice(np.flatnonzero(env.action_masks())))
            _, _, terminated, truncated, info = env.step(action)
            evaluations += info["cost_evaluations"]
            steps += 1
            done = terminated or truncated
    total = time.perf_counter() - start
    parts = env.timings
    parts["other"] = total - sum(parts.values())
    return {"total": total, "steps": steps, "episodes": episodes, "evaluations": evaluations, **parts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=3)
    args = parser.parse_args()
    columns = ["optimizer", "simulate", "compile", "encoding", "other"]
    header = f"{'setting':46s} {'steps':>5s} {'ms/step':>8s} {'s/episode':>9s} {'evals/step':>10s} " + " ".join(
        f"{c + ' %':>10s}" for c in columns)
    print(header)
    print("-" * len(header))
    for name, kwargs in SETTINGS.items():
        r = run(kwargs, args.episodes)
        shares = " ".join(f"{100 * r[c] / r['total']:10.1f}" for c in columns)
        print(f"{name:46s} {r['steps']:5d} {1000 * r['total'] / r['steps']:8.2f} {r['total'] / r['episodes']:9.3f} "
              f"{r['evaluations'] / r['steps']:10.1f} {shares}")
    print("\noptimizer = inner-optimizer bookkeeping; simulate = objective calls (batched energy evaluations) "
          "plus the noiseless reference energy; compile = circuit + noise compilation (once per step); "
          "encoding = tensor, mask and circuit building; other = env overhead (reward, observation, info).")


if __name__ == "__main__":
    main()
