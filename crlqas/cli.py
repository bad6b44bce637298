"""The ``crlqas`` command line: train, eval, report, tasks, bench.

Bad input (unknown task, preset, agent or config key, malformed TOML, a
folder that is not a run) prints one line ``crlqas: error: ...`` and exits 2.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

from crlqas.config import ConfigError, RunConfig, from_dict, load_toml, merge

DEFAULT_CONFIG = Path(__file__).with_name("configs") / "default.toml"


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


# ---------------------------------------------------------------------- parsing
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crlqas", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")

    train = sub.add_parser("train", help="train an agent to build circuits (default: H2-2q under mumbai-median noise)")
    train.add_argument("--config", help="TOML config file (flags override it)")
    train.add_argument("--task")
    train.add_argument("--noise", help="none, mumbai-median, mumbai-max, mumbai-10max, depolarizing-<p1>-<p2>, ...")
    train.add_argument("--shots", type=int)
    train.add_argument("--agent", choices=["dqn", "ppo"])
    train.add_argument("--profile", help="agent hyperparameter profile (fast, paper, ...)")
    train.add_argument("--episodes", type=int)
    train.add_argument("--seed", type=int)
    train.add_argument("--seeds", help="comma-separated seeds, run in parallel processes")
    train.add_argument("--optimizer", help="adam-spsa, adam-spsa-3stage, spsa, cobyla")
    train.add_argument("--curriculum", help="moving, fixed, none")
    train.add_argument("--halting", help="auto, reference-noisy, reference-noiseless, none")
    train.add_argument("--stop-after-successes", type=int, dest="stop_after_successes",
                       help="stop once this many episodes reached chemical accuracy (0 = run all episodes)")
    train.add_argument("--output", help="folder that holds the run folders (default: runs)")
    train.add_argument("--name", help="run name (default: task-noise-agent-seed)")
    train.add_argument("--resume", metavar="RUN_DIR", help="continue a run from its last checkpoint")
    train.add_argument("--no-progress", action="store_true", help="no progress bar")

    ev = sub.add_parser("eval", help="re-evaluate a run's best circuit (noisy, noiseless, with shots)")
    ev.add_argument("run_dir")
    ev.add_argument("--shots", type=int, default=1000)
    ev.add_argument("--repeats", type=int, default=20, help="shot-noise repetitions")
    ev.add_argument("--seed", type=int, default=0)

    rep = sub.add_parser("report", help="write PNG plots of a run")
    rep.add_argument("run_dir")

    tasks = sub.add_parser("tasks", help="list the tasks, or rebuild the shipped ones (needs the chem extra)")
    tasks.add_argument("names", nargs="*", metavar="[list|build] NAME",
                       help="task names to show; 'build NAME...' rebuilds them from the molecule")
    tasks.add_argument("--out", help="with build: folder to write the JSON files to")

    repro = sub.add_parser("reproduce", help="run a named suite of the paper's experiments and rebuild its results table")
    repro.add_argument("suite", help="h2, h2-4q, lih-4q, large")
    repro.add_argument("--seeds", default="0,1,2")
    repro.add_argument("--episodes", type=int, help="episode budget per run (default: the suite's)")
    repro.add_argument("--only", action="append", help="run only entries whose label contains this text")
    repro.add_argument("--runs", default="runs", help="folder for the full run folders")
    repro.add_argument("--results", default="results", help="folder for the small committed outputs")

    bench = sub.add_parser("bench", help="run the side-by-side benchmarks")
    bench.add_argument("which", nargs="?", choices=["sim", "env", "all"], default="all")
    bench.add_argument("extra", nargs=argparse.REMAINDER, help="arguments passed to the benchmark script")
    return parser


_FLAG_KEYS = {
    "task": ("env", "task"), "noise": ("env", "noise"), "shots": ("env", "shots"),
    "optimizer": ("env", "optimizer"), "curriculum": ("env", "curriculum"), "halting": ("env", "halting"),
    "agent": ("agent", "name"), "profile": ("agent", "profile"),
    "episodes": (None, "episodes"), "seed": (None, "seed"), "output": (None, "output_dir"),
    "name": (None, "name"), "stop_after_successes": (None, "stop_after_successes"),
}


def build_config(args: argparse.Namespace) -> RunConfig:
    """Embedded default <- config file <- flags."""
    data = load_toml(DEFAULT_CONFIG)
    if args.config:
        data = merge(data, load_toml(args.config))
    flags: dict[str, Any] = {}
    for attr, (section, key) in _FLAG_KEYS.items():
        value = getattr(args, attr, None)
        if value is None:
            continue
        target = flags.setdefault(section, {}) if section else flags
        target[key] = value
    return from_dict(_none_noise(merge(data, flags)))


def _none_noise(data: dict) -> dict:
    # TOML has no null: "none" in a file means noiseless, like --noise none
    env = data.get("env", {})
    if isinstance(env.get("noise"), str) and env["noise"].lower() in ("none", "noiseless"):
        env["noise"] = None
    return data


def _check_env_builds(config: RunConfig) -> None:
    """Build the env once so bad presets/options fail before a run folder is created."""
    from crlqas.train import make_env

    try:
        make_env(config).close()
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(str(exc).strip("'\"")) from None


def _check_agent(config: RunConfig) -> None:
    from agents import PROFILES

    profiles = PROFILES.get(config.agent.name, PROFILES) if isinstance(PROFILES, dict) else PROFILES
    names = list(profiles)
    if config.agent.profile not in names:
        raise UsageError(f"unknown profile {config.agent.profile!r} for agent {config.agent.name!r}; "
                         f"accepted: {', '.join(names)}")


# ---------------------------------------------------------------------- commands
def cmd_train(args: argparse.Namespace) -> int:
    from crlqas import train as runner

    if args.resume:
        summary = runner.resume(args.resume, episodes=args.episodes, progress=not args.no_progress)
        _print_summary(summary)
        return 0
    config = build_config(args)
    _check_agent(config)
    _check_env_builds(config)
    if args.seeds:
        seeds = _parse_seeds(args.seeds)
        combined = runner.train_seeds(config, seeds)
        for summary in combined["per_seed"]:
            _print_summary(summary)
        print(f"seeds {combined['seeds']}: chemical accuracy reached in {combined['reached_chemical_accuracy']} "
              f"runs; median best error {combined['median_best_error']:.3e} Ha; summary {combined['summary_file']}")
        return 0
    _print_header(config)
    summary = runner.train(config, progress=not args.no_progress)
    _print_summary(summary)
    return 0


def _print_header(config: RunConfig) -> None:
    env = config.env
    print(f"crlqas train: task {env.task}, noise {env.noise or 'none'}, shots {env.shots or 'exact'}, "
          f"agent {config.agent.name} ({config.agent.profile}), {config.episodes} episodes, seed {config.seed}")


def _print_summary(summary: dict[str, Any]) -> None:
    best = summary.get("best")
    print(f"run folder: {summary['run_dir']}")
    print(f"  {summary['episodes']} episodes in {summary['seconds']:.1f} s "
          f"({summary['seconds_per_episode']:.3f} s/episode), stopped: {summary['stop_reason']}")
    if best is None:
        print("  no circuit evaluated")
        return
    chem = summary["chemical_accuracy"]
    if best.get("noiseless_error") is not None and summary.get("noise"):
        verdict = "reached" if best["noiseless_error"] < chem else "NOT reached"
        print(f"  best circuit under noise: energy {best['expected_energy']:.8f} Ha, "
              f"noisy error {best['expected_error']:.3e} Ha; "
              f"noiseless re-evaluation error {best['noiseless_error']:.3e} Ha "
              f"(chemical accuracy {chem:g} Ha {verdict})")
    else:
        verdict = "reached" if best["error"] < chem else "NOT reached"
        print(f"  best circuit: energy {best['energy']:.8f} Ha, error {best['error']:.3e} Ha "
              f"(chemical accuracy {chem:g} Ha {verdict})")
    print(f"  {best['gates']} gates ({best['cnots']} CNOT, {best['rotations']} rotations), depth {best['depth']}, "
          f"found in episode {best['episode']}")
    first = summary.get("first_chemical_accuracy")
    if first:
        print(f"  first chemical accuracy: episode {first['episode']} after {first['seconds']:.1f} s; "
              f"{summary['episodes_at_chemical_accuracy']} episodes at chemical accuracy")


def cmd_eval(args: argparse.Namespace) -> int:
    from crlqas.evaluate import evaluate_run

    result = evaluate_run(args.run_dir, shots=args.shots, repeats=args.repeats, seed=args.seed)
    print(json.dumps(result, indent=2))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from crlqas.report import write_report

    for path in write_report(args.run_dir):
        print(path)
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    from crlqas import tasks

    names = list(args.names)
    action = names.pop(0) if names and names[0] in ("list", "build") else "list"
    if action == "build":
        from crlqas.chemistry import build_paper_tasks

        built = build_paper_tasks(names or None, out_dir=args.out)
        for task in built.values():
            print(task.summary())
        return 0
    for name in names or tasks.names():
        print(tasks.get(name).summary())
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    root = Path(__file__).resolve().parent.parent / "benchmarks"
    scripts = {"sim": ["bench_sim.py"], "env": ["bench_env.py"], "all": ["bench_sim.py", "bench_env.py"]}
    status = 0
    for script in scripts[args.which]:
        path = root / script
        if not path.is_file():
            raise UsageError(f"benchmark {script} not found (benchmarks/ ships with the source checkout)")
        status |= subprocess.call([sys.executable, str(path), *args.extra])
    return status


def cmd_reproduce(args: argparse.Namespace) -> int:
    from crlqas.reproduce import run_suite

    seeds = _parse_seeds(args.seeds)
    print(run_suite(args.suite, seeds, episodes=args.episodes, runs_dir=args.runs, results_dir=args.results,
                    only=args.only))
    return 0


def _parse_seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise UsageError(f"seeds must be comma-separated integers, got {text!r}") from None
    if not seeds:
        raise UsageError("no seeds given")
    return seeds


COMMANDS = {"reproduce": cmd_reproduce, "train": cmd_train, "eval": cmd_eval, "report": cmd_report, "tasks": cmd_tasks, "bench": cmd_bench}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command](args)
    except (UsageError, ConfigError, FileNotFoundError) as exc:
        print(f"crlqas: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crlqas: interrupted; the run folder holds a checkpoint (continue with --resume / rerun the suite)",
              file=sys.stderr)
        return 130
    except KeyError as exc:  # registry lookups (unknown task/preset) raise KeyError with a message
        print(f"crlqas: error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
