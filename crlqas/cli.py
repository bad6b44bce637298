"""The ``crlqas`` command line: train, eval, report, tasks, reproduce, bench.

Bad input (unknown task, preset, agent or config key, malformed TOML, a
folder that is not a run, a missing optional extra) prints one line
``crlqas: error: ...`` and exits 2. An interrupted ``train`` (Ctrl-C,
SIGTERM) checkpoints, prints how to resume it and exits 130.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

from crlqas.config import ConfigError, RunConfig, from_dict, load_toml, merge

DEFAULT_CONFIG = Path(__file__).with_name("configs") / "default.toml"


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


#: exit status of a run stopped by Ctrl-C / SIGTERM (128 + SIGINT), as shells report it
EXIT_INTERRUPTED = 130


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("crlqas")
    except (ImportError, PackageNotFoundError):
        import crlqas

        return getattr(crlqas, "__version__", "unknown")


# ---------------------------------------------------------------------- parsing
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crlqas", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"crlqas {_version()}")
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
    train.add_argument("--resume", metavar="RUN_DIR",
                       help="continue a run from its last checkpoint, with its saved config (only --episodes, "
                            "the new total, and --no-progress may be given). Counters, the episode log, the "
                            "curriculum and the RNG states are restored; an episode cut short by the "
                            "interruption is dropped and replayed, so the continuation is not bit-identical "
                            "to an uninterrupted run (see crlqas.train)")
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
    repro.add_argument("--table-only", action="store_true",
                       help="only rebuild RESULTS.md from the outputs already collected; run nothing")

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
    default = load_toml(DEFAULT_CONFIG)
    user = load_toml(args.config) if args.config else {}
    flags: dict[str, Any] = {}
    for attr, (section, key) in _FLAG_KEYS.items():
        value = getattr(args, attr, None)
        if value is None:
            continue
        target = flags.setdefault(section, {}) if section else flags
        target[key] = value
    user = merge(user, flags)
    data = merge(default, user)
    # the embedded default's curriculum options are tuned for its own curriculum ("moving"); another
    # curriculum chosen by file or flag without options of its own starts from that curriculum's defaults
    env, user_env = data.get("env", {}), user.get("env", {})
    if (env.get("curriculum") != default.get("env", {}).get("curriculum")
            and "curriculum_options" not in (user_env if isinstance(user_env, dict) else {})):
        env.pop("curriculum_options", None)
    return from_dict(data)


def _message(exc: BaseException) -> str:
    """An exception's own text (a KeyError's str() adds quotes around it; its args[0] does not)."""
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc) or type(exc).__name__


def _check_env_builds(config: RunConfig) -> None:
    """Build the env and the agent once, so bad presets, options or agent overrides fail before a run
    folder is created."""
    from crlqas.train import make_env

    try:
        env = make_env(config)
    # ImportError: an optional extra (e.g. the 'ibm' extra for fake-backend presets) is missing
    except (ValueError, KeyError, TypeError, ImportError) as exc:
        raise UsageError(_message(exc)) from None
    try:
        _check_agent_builds(config, env)
    finally:
        env.close()


def _check_agent_builds(config: RunConfig, env) -> None:
    from agents import make_agent

    cfg = config.agent
    try:
        make_agent(cfg.name, env, profile=cfg.profile, seed=config.seed, **cfg.overrides)
    except (ValueError, TypeError, AssertionError) as exc:  # SB3 checks some values with assert
        raise UsageError(f"bad agent settings for {cfg.name!r} ([agent.overrides]): {_message(exc)}") from None


def _check_agent(config: RunConfig) -> None:
    from agents import PROFILES

    profiles = PROFILES.get(config.agent.name, PROFILES) if isinstance(PROFILES, dict) else PROFILES
    names = list(profiles)
    if config.agent.profile not in names:
        raise UsageError(f"unknown profile {config.agent.profile!r} for agent {config.agent.name!r}; "
                         f"accepted: {', '.join(names)}")


# ---------------------------------------------------------------------- commands
#: flags of ``train`` that may be combined with --resume (everything else would change the saved run)
_RESUME_FLAGS = ("resume", "episodes", "no_progress", "command")


def cmd_train(args: argparse.Namespace) -> int:
    from crlqas import train as runner

    if args.resume:
        return _resume(args)
    seeds = None
    if args.seeds is not None:
        if args.seed is not None:
            raise UsageError("give either --seed or --seeds, not both")
        seeds = _parse_seeds(args.seeds)
    config = build_config(args)
    _check_agent(config)
    _check_env_builds(config)
    if seeds is not None:
        try:
            combined = runner.train_seeds(config, seeds)
        except runner.SetupError as exc:
            raise UsageError(str(exc)) from None
        for summary in combined["per_seed"]:
            _print_summary(summary)
        print(f"seeds {combined['seeds']}: chemical accuracy reached in {combined['reached_chemical_accuracy']} "
              f"runs; median best error {combined['median_best_error']:.3e} Ha; summary {combined['summary_file']}")
        interrupted = [s for s in combined["per_seed"] if s.get("stop_reason") == "interrupted"]
        for summary in interrupted:
            _print_resume_hint(summary)
        return EXIT_INTERRUPTED if interrupted else 0
    _print_header(config)
    try:
        summary = runner.train(config, progress=not args.no_progress)
    except runner.SetupError as exc:
        raise UsageError(str(exc)) from None
    return _report_run(summary)


def _report_run(summary: dict[str, Any]) -> int:
    """Print a finished or interrupted run's summary; the exit status says which."""
    _print_summary(summary)
    if summary.get("stop_reason") == "interrupted":
        _print_resume_hint(summary)
        return EXIT_INTERRUPTED
    return 0


def _resume(args: argparse.Namespace) -> int:
    from crlqas import train as runner
    from crlqas.rundir import load_run_config

    extra = [f"--{name.replace('_', '-')}" for name, value in vars(args).items()
             if name not in _RESUME_FLAGS and value not in (None, False)]
    if extra:
        raise UsageError(f"a resumed run keeps its saved config; only --episodes (and --no-progress) may be "
                         f"given with --resume, not {', '.join(extra)}")
    if args.episodes is not None and args.episodes < 1:
        raise UsageError(f"--episodes must be >= 1, got {args.episodes}")
    run_dir = Path(args.resume)
    config = load_run_config(run_dir)
    progress = runner.checkpoint_progress(run_dir)
    if progress is None:
        raise UsageError(f"{str(run_dir)!r} has no checkpoint to resume from; start a new run")
    done = int(progress["episode"])
    target = config.episodes if args.episodes is None else args.episodes
    if args.episodes is not None and args.episodes < done:
        raise UsageError(f"{str(run_dir)!r} has already done {done} episodes; --episodes is the new total and "
                         f"must be larger than {done} to extend the run (got {args.episodes})")
    enough = config.stop_after_successes and int(progress.get("successes", 0)) >= config.stop_after_successes
    if done >= target or enough:
        if enough:
            print(f"{run_dir} is already complete: it stopped after {progress['successes']} episodes at chemical "
                  f"accuracy (stop_after_successes = {config.stop_after_successes}); start a new run to train "
                  "further")
        else:
            print(f"{run_dir} is already complete ({done} of {target} episodes); to extend it: "
                  f"crlqas train --resume {shlex.quote(str(run_dir))} --episodes N (N > {done})")
        summary_file = run_dir / "summary.json"
        if summary_file.is_file():
            _print_summary(json.loads(summary_file.read_text()))
        return 0
    return _report_run(runner.resume(run_dir, episodes=args.episodes, progress=not args.no_progress))


def _print_resume_hint(summary: dict[str, Any]) -> None:
    print(f"crlqas: interrupted after {summary['episodes']} episodes (checkpoint saved); "
          f"resume with: crlqas train --resume {shlex.quote(str(summary['run_dir']))}", file=sys.stderr)


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
    if best.get("noiseless_error") is not None and (summary.get("noise") or summary.get("shots")):
        print(f"  best circuit under {'noise' if summary.get('noise') else 'shot noise'}: "
              f"energy {best['expected_energy']:.8f} Ha, noisy error {abs(best['expected_error']):.3e} Ha; "
              f"noiseless re-evaluation error {abs(best['noiseless_error']):.3e} Ha")
    else:
        print(f"  best circuit: energy {best['energy']:.8f} Ha, error {best['error']:.3e} Ha")
    print(f"  {best['gates']} gates ({best['cnots']} CNOT, {best['rotations']} rotations), depth {best['depth']}, "
          f"found in episode {best['episode']}")
    small = summary.get("smallest_at_chemical_accuracy")
    if small is not None and (small["cnots"], small["gates"]) != (best["cnots"], best["gates"]):
        judged = small["noiseless_error"] if small.get("noiseless_error") is not None else small["error"]
        print(f"  smallest circuit at chemical accuracy: {small['gates']} gates ({small['cnots']} CNOT, "
              f"{small['rotations']} rotations), depth {small['depth']}, noiseless error {abs(judged):.1e} Ha, "
              f"episode {small['episode']} (smallest_circuit.json)")
    print(_chemical_accuracy_verdict(summary))


def _chemical_accuracy_verdict(summary: dict[str, Any]) -> str:
    """One line, judged as the trainer counts episodes (``episodes_at_chemical_accuracy``), never on the
    best circuit alone: under noise, a curriculum success whose noiseless re-evaluation is within chemical
    accuracy; without noise, the error itself."""
    chem = float(summary["chemical_accuracy"])
    count = int(summary.get("episodes_at_chemical_accuracy") or 0)
    first = summary.get("first_chemical_accuracy")
    if count > 0:
        when = (f"first in episode {first['episode']} after {first['seconds']:.1f} s" if first
                else "first episode unknown")
        return (f"  chemical accuracy ({chem:g} Ha) reached in {count} episode{'s' * (count != 1)}, {when} "
                f"(judged on: {summary.get('chemical_accuracy_judged_on', 'energy')})")
    best = summary.get("best")
    judged_noisy = summary.get("chemical_accuracy_judged_on", "energy") != "energy"
    if best is None:
        why = "no circuit was evaluated"
    elif judged_noisy:
        noisy = abs(float(best.get("expected_error", best["error"])))
        noiseless = best.get("noiseless_error")
        why = (f"best noisy error {noisy:.3e} Ha; no curriculum success re-evaluated within it without "
               "noise")
        if noiseless is not None:
            why += f" (best circuit's noiseless error {abs(float(noiseless)):.3e} Ha)"
    else:
        why = f"best error {float(best['error']):.3e} Ha"
    return f"  chemical accuracy ({chem:g} Ha) NOT reached: {why}"


def cmd_eval(args: argparse.Namespace) -> int:
    from crlqas.evaluate import evaluate_run

    if args.shots < 1:
        raise UsageError(f"--shots must be >= 1, got {args.shots}")
    if args.repeats < 1:
        raise UsageError(f"--repeats must be >= 1, got {args.repeats}")
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0, got {args.seed}")
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
    from crlqas.config import canonical_task_name

    for name in names or tasks.names():
        print(tasks.get(canonical_task_name(name)).summary())
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
    from crlqas.reproduce import SUITES, run_suite, write_results_table

    if args.suite not in SUITES:
        raise UsageError(f"unknown suite {args.suite!r}; accepted: {', '.join(SUITES)}")
    if args.table_only:
        collected = Path(args.results) / args.suite
        if not any(collected.glob("*/summary.json")):
            raise UsageError(f"no collected results of suite {args.suite!r} in {str(collected)!r} "
                             "(run the suite first, without --table-only)")
        print(write_results_table(SUITES[args.suite], collected))
        return 0
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
    if any(seed < 0 for seed in seeds):
        raise UsageError(f"seeds must be >= 0, got {text!r}")
    if len(set(seeds)) != len(seeds):
        raise UsageError(f"seeds must be distinct, got {text!r}")
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
    # KeyError: registry lookups (unknown task/preset) raise it with a message;
    # ImportError: an optional extra is missing (its message names what to install)
    except (UsageError, ConfigError, FileNotFoundError, KeyError, ImportError) as exc:
        print(f"crlqas: error: {_message(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("crlqas: interrupted; the run folder holds a checkpoint (continue with --resume / rerun the suite)",
              file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
