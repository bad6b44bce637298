"""The training runner: config -> environment + agent -> run folder.

This is the only module of ``crlqas`` (with the CLI that calls it) that
imports ``agents`` and therefore torch; it does so inside functions.

Checkpoints and resuming
------------------------
A checkpoint (``checkpoint/``, swapped in atomically) is written after the
first episode, every ``checkpoint_every`` episodes, and when the run ends
(episode budget, success target, or Ctrl-C / SIGTERM, which finish the
current step and return with stop reason "interrupted"). It holds the agent
(with its replay buffer), the curriculum, the counters (episodes, timesteps,
successes, elapsed time, best circuit) and the NumPy, Python, torch and
environment RNG states. A resume (only the episode budget may change):

* restores all of that and truncates ``episodes.csv`` to the checkpoint's
  episode count, so episodes logged after the checkpoint are replayed;
* drops an episode that was cut short by the interruption: it is not logged
  and its steps are not counted (``timesteps`` and the agent's step counter
  are rolled back to the end of the last finished episode), and the resumed
  run starts that episode afresh. What the agent learned during those steps
  (network updates, transitions in the replay buffer, the curriculum's lowest
  energy) and a best circuit found in them are kept;
* keeps the agent's schedules (exploration, learning rate) on the same
  total step budget as an uninterrupted run of the same length.

Not bit-identical to an uninterrupted run: the environment starts a fresh
episode on resume (drawing its step budget again from the restored RNG); a
checkpoint taken at an episode end is written before that episode's last
transition enters the replay buffer and before the training update of that
step, so both are missing after a resume (the last stored transition is
marked as a truncation so n-step returns do not run into the next episode);
and PPO's partial rollout is not saved. Episode numbers, the log and the
counters are consistent across a resume.
"""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
import random
import signal
import time
from pathlib import Path
from typing import Any

import numpy as np

from crlqas.config import RunConfig
from crlqas.rundir import (CHECKPOINT_DIR, EpisodeLog, load_run_config, new_run_dir, read_episodes,
                           replace_dir, write_json)


def make_env(config: RunConfig, seed: int | None = None):
    """The QAS environment a run trains on."""
    from crlqas.env import QASEnv

    return QASEnv(**config.env.env_kwargs(), seed=config.seed if seed is None else seed)


def _circuit_record(info: dict[str, Any], episode: int, step: int) -> dict[str, Any]:
    circuit = info["circuit"]
    return {
        "episode": episode,
        "step": step,
        "energy": float(info["energy"]),
        "error": float(info["error"]),
        "expected_energy": float(info.get("expected_energy", info["energy"])),
        "expected_error": abs(float(info.get("expected_error", info["error"]))),
        "noiseless_energy": _float_or_none(info.get("noiseless_energy")),
        "noiseless_error": _float_or_none(info.get("noiseless_error")),
        "gates": int(info["num_gates"]),
        "cnots": int(info["num_cnots"]),
        "rotations": int(info["num_rotations"]),
        "depth": int(info["depth"]),
        "parameters": int(info["num_rotations"]),
        "circuit": circuit.to_dict() if hasattr(circuit, "to_dict") else circuit,
    }


def _size_key(record: dict[str, Any]) -> tuple[int, int, int, float]:
    """Smaller circuits first: CNOTs (the noisy, costly gates), then gates, then depth, then error."""
    return (int(record["cnots"]), int(record["gates"]), int(record["depth"]), _rank_error(record))


def _rank_error(record: dict[str, Any]) -> float:
    """Circuits are ranked by the shot-free error of their (noisy) energy."""
    return abs(float(record.get("expected_error", record["error"])))


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def checkpoint_progress(run_dir: str | Path) -> dict[str, Any] | None:
    """The counters of a run folder's last checkpoint (episode, timesteps, successes, ...), None if none."""
    path = Path(run_dir) / CHECKPOINT_DIR / "progress.json"
    if not (path.is_file() and (path.parent / "agent.zip").is_file()):
        return None
    return json.loads(path.read_text())


class SetupError(ValueError):
    """The run could not be set up (env or agent); its run folder has been removed."""


class Trainer:
    """Owns one run folder: trains, logs, checkpoints, resumes."""

    def __init__(self, run_dir: Path, config: RunConfig, progress: bool = True):
        self.run_dir = Path(run_dir)
        self.config = config
        self.progress = progress
        self.env = make_env(config)
        self.task = self.env.unwrapped.task
        self.log = EpisodeLog(self.run_dir / "episodes.csv")
        self.episode = 0
        self.timesteps = 0
        #: ``timesteps`` at the end of the last finished episode (steps after it belong to a partial episode)
        self._timesteps_at_episode_end = 0
        self.successes = 0
        self.first_success: dict[str, Any] | None = None
        self.best: dict[str, Any] | None = None
        #: the smallest circuit of an episode that reached chemical accuracy (see _size_key)
        self.smallest: dict[str, Any] | None = None
        self.elapsed = 0.0
        self.stop_reason = ""
        self._stop_requested = False
        self.model = None
        import torch

        # Small networks on a 2-core CPU: one thread is several times faster than two (measured).
        torch.set_num_threads(1)

    # ------------------------------------------------------------------ agent
    def _build_model(self):
        from agents import make_agent

        cfg = self.config.agent
        self.model = make_agent(cfg.name, self.env, profile=cfg.profile, seed=self.config.seed,
                                tensorboard_log=str(self.run_dir / "tb"), **cfg.overrides)

    # ------------------------------------------------------------------ checkpoints
    def save_checkpoint(self) -> None:
        """Agent, replay buffer, curriculum, counters and RNG states, swapped in atomically."""
        tmp = self.run_dir / (CHECKPOINT_DIR + ".tmp")
        if tmp.exists():
            import shutil

            shutil.rmtree(tmp)
        tmp.mkdir()
        self.model.save(tmp / "agent.zip")
        if hasattr(self.model, "save_replay_buffer") and getattr(self.model, "replay_buffer", None) is not None:
            self.model.save_replay_buffer(tmp / "replay_buffer.pkl")
        import torch

        env = self.env.unwrapped
        state = {
            "curriculum": env.curriculum.state_dict(),
            "env_rng": env.np_random.bit_generator.state,
            "numpy_rng": np.random.get_state(),
            "python_rng": random.getstate(),
            "torch_rng": torch.get_rng_state(),
        }
        with open(tmp / "state.pkl", "wb") as fh:
            pickle.dump(state, fh)
        write_json(tmp / "progress.json", self._progress_dict())
        replace_dir(tmp, self.run_dir / CHECKPOINT_DIR)

    def _progress_dict(self) -> dict[str, Any]:
        return {"episode": self.episode, "timesteps": self.timesteps, "successes": self.successes,
                "elapsed": self.elapsed, "best": self.best, "first_success": self.first_success,
                "smallest": self.smallest}

    def load_checkpoint(self) -> None:
        from agents import load_agent

        ckpt = self.run_dir / CHECKPOINT_DIR
        if not (ckpt / "agent.zip").is_file():
            raise FileNotFoundError(f"{str(self.run_dir)!r} has no checkpoint to resume from")
        self.model = load_agent(self.config.agent.name, ckpt / "agent.zip", env=self.env)
        if (ckpt / "replay_buffer.pkl").is_file():
            self.model.load_replay_buffer(ckpt / "replay_buffer.pkl")
            _truncate_last_transition(self.model.replay_buffer)
        progress = json.loads((ckpt / "progress.json").read_text())
        self.episode = progress["episode"]
        self.timesteps = progress["timesteps"]
        self._timesteps_at_episode_end = self.timesteps
        self.successes = progress["successes"]
        self.elapsed = progress["elapsed"]
        self.best = progress["best"]
        self.first_success = progress["first_success"]
        self.smallest = progress.get("smallest")  # older checkpoints do not track it
        with open(ckpt / "state.pkl", "rb") as fh:
            state = pickle.load(fh)
        env = self.env.unwrapped
        env.curriculum.load_state_dict(state["curriculum"])
        env.np_random.bit_generator.state = state["env_rng"]
        np.random.set_state(state["numpy_rng"])
        random.setstate(state["python_rng"])
        import torch

        torch.set_rng_state(state["torch_rng"])
        self.log.truncate_to(self.episode)

    # ------------------------------------------------------------------ episode bookkeeping
    def _on_step(self, info: dict[str, Any], reward: float, done: bool, episode_state: dict) -> None:
        self.timesteps += 1
        episode_state["reward"] += reward
        episode_state["steps"] += 1
        if "circuit" in info and (self.best is None or _rank_error(info) < _rank_error(self.best)):
            self.best = _circuit_record(info, self.episode + 1, episode_state["steps"])
            self._write_best()
        if not done:
            return
        self.episode += 1
        self._timesteps_at_episode_end = self.timesteps
        success = bool(info.get("success", False))
        chemical = self._chemically_accurate(info)
        now = time.perf_counter()
        row = {
            "episode": self.episode,
            "steps": episode_state["steps"],
            "energy": f"{info['energy']:.10f}",
            "error": f"{info['error']:.6e}",
            "noiseless_error": "" if info.get("noiseless_error") is None else f"{info['noiseless_error']:.6e}",
            "threshold": f"{info['threshold']:.6e}",
            "gates": info["num_gates"],
            "cnots": info["num_cnots"],
            "rotations": info["num_rotations"],
            "depth": info["depth"],
            "reward": f"{episode_state['reward']:.6f}",
            "success": int(success),
            "seconds": f"{now - episode_state['start']:.4f}",
            "timesteps": self.timesteps,
            # the trainer's verdict (see _chemically_accurate) and the best error so far as circuits are ranked
            "chemical_accuracy": int(chemical),
            "best_error": "" if self.best is None else f"{_rank_error(self.best):.6e}",
        }
        self.log.write(row)
        if chemical:
            self.successes += 1
            if "circuit" in info:
                record = _circuit_record(info, self.episode, episode_state["steps"])
                if self.smallest is None or _size_key(record) < _size_key(self.smallest):
                    self.smallest = record
                    self._write_circuit("smallest_circuit", self.smallest)
            if self.first_success is None:
                judged = info["noiseless_error"] if self.env.unwrapped.noisy else info["error"]
                self.first_success = {"episode": self.episode, "seconds": self.elapsed + now - self._t0,
                                      "error": abs(float(judged))}
        self._record_scalars(info, episode_state, success)
        episode_state.update(reward=0.0, steps=0, start=now)
        # the first episode too, so a run killed before checkpoint_every episodes can still be resumed
        if self.episode == 1 or self.episode % self.config.checkpoint_every == 0:
            self.elapsed += now - self._t0
            self._t0 = now
            self.save_checkpoint()

    def _chemically_accurate(self, info: dict[str, Any]) -> bool:
        """Noiseless runs: the energy error. Noisy runs, as in the paper: an episode that succeeded under
        the curriculum (its noisy energy met the threshold) with a circuit whose noiseless re-evaluation is
        within chemical accuracy. (Any long random circuit re-evaluates well without noise, so the noiseless
        error alone would count episodes the agent did nothing for.)"""
        env = self.env.unwrapped
        if (env.noisy or env.shots is not None) and info.get("noiseless_error") is not None:
            return bool(info.get("success")) and abs(info["noiseless_error"]) < self.task.chemical_accuracy
        return info["error"] < self.task.chemical_accuracy

    def _record_scalars(self, info: dict[str, Any], episode_state: dict, success: bool) -> None:
        logger = self.model.logger
        logger.record("episode/error", float(info["error"]))
        logger.record("episode/log10_error", math.log10(max(float(info["error"]), 1e-16)))
        logger.record("episode/threshold", float(info["threshold"]))
        logger.record("episode/reward", float(episode_state["reward"]))
        logger.record("episode/steps", int(episode_state["steps"]))
        logger.record("episode/gates", int(info["num_gates"]))
        logger.record("episode/depth", int(info["depth"]))
        logger.record("episode/success", int(success))
        logger.dump(self.timesteps)

    def _write_best(self) -> None:
        self._write_circuit("best_circuit", self.best)

    def _write_circuit(self, stem: str, record: dict[str, Any]) -> None:
        write_json(self.run_dir / f"{stem}.json", record)
        try:
            import sim

            circuit = sim.Circuit.from_dict(record["circuit"])
            from sim.interop.qiskit import to_qasm3

            (self.run_dir / f"{stem}.qasm").write_text(to_qasm3(circuit, None))
        except ImportError:  # qiskit missing: the JSON still holds the circuit
            pass

    # ------------------------------------------------------------------ main loop
    def train(self) -> dict[str, Any]:
        from stable_baselines3.common.callbacks import BaseCallback

        if self.model is None:
            self._build_model()
        trainer = self
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=self.config.episodes, initial=self.episode, unit="ep", dynamic_ncols=True,
                       desc=self.config.run_name())

        class _Callback(BaseCallback):
            def _on_training_start(self) -> None:
                self.state = {"reward": 0.0, "steps": 0, "start": time.perf_counter()}

            def _on_step(self) -> bool:
                info = self.locals["infos"][0]
                done = bool(self.locals["dones"][0])
                before = trainer.episode
                trainer._on_step(info, float(self.locals["rewards"][0]), done, self.state)
                if bar is not None and trainer.episode != before:
                    bar.update(trainer.episode - before)
                    best = _rank_error(trainer.best) if trainer.best else float("nan")
                    bar.set_postfix(best_err=f"{best:.2e}", thr=f"{info['threshold']:.1e}",
                                    chem=trainer.successes)
                return not trainer._should_stop()

        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

        def _request_stop(signum, frame):  # finish the step, then checkpoint and leave
            self._stop_requested = True
            self.stop_reason = "interrupted"

        for sig in previous:
            signal.signal(sig, _request_stop)
        self._t0 = time.perf_counter()
        try:
            # total_timesteps is only an upper bound (the callback stops at the episode budget); counted from
            # the agent's own step counter, so a resumed run keeps the schedules of an uninterrupted one
            per_episode = self.env.unwrapped.max_layers + 1
            remaining = self.config.episodes - self.episode
            budget = max(self.config.episodes * per_episode - self.model.num_timesteps, remaining * per_episode)
            if remaining > 0:
                self.model.learn(total_timesteps=budget, callback=_Callback(), reset_num_timesteps=False,
                                 progress_bar=False)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if bar is not None:
                bar.close()
        self.elapsed += time.perf_counter() - self._t0
        self._t0 = time.perf_counter()
        if self.timesteps != self._timesteps_at_episode_end:
            # stopped inside an episode: it is dropped (not logged) and replayed on resume, so its steps
            # must not be counted as well as the replay's
            self.timesteps = self._timesteps_at_episode_end
            self.model.num_timesteps = self.timesteps
        if not self.stop_reason:
            self.stop_reason = "budget" if self.episode >= self.config.episodes else "successes"
        self.save_checkpoint()
        summary = self.summary()
        write_json(self.run_dir / "summary.json", summary)
        self.log.close()
        return summary

    def _should_stop(self) -> bool:
        if self._stop_requested:
            return True
        if self.episode >= self.config.episodes:
            return True
        target = self.config.stop_after_successes
        if target and self.successes >= target:
            self.stop_reason = f"{target} episodes at chemical accuracy"
            return True
        return False

    def summary(self) -> dict[str, Any]:
        rows = read_episodes(self.run_dir / "episodes.csv")
        env = self.env.unwrapped
        return {
            "run_dir": str(self.run_dir),
            "task": self.task.name,
            "noise": self.config.env.noise,
            "shots": self.config.env.shots,
            "agent": self.config.agent.name,
            "profile": self.config.agent.profile,
            "seed": self.config.seed,
            "episodes": self.episode,
            "timesteps": self.timesteps,
            "stop_reason": self.stop_reason,
            "seconds": round(self.elapsed, 3),
            "seconds_per_episode": round(self.elapsed / max(self.episode, 1), 4),
            "exact_energy": self.task.exact_energy,
            "chemical_accuracy": self.task.chemical_accuracy,
            "chemical_accuracy_judged_on": ("curriculum success with noiseless re-evaluation"
                                            if env.noisy or env.shots is not None else "energy"),
            "episodes_at_chemical_accuracy": self.successes,
            "success_rate": round(self.successes / max(len(rows), 1), 4),
            "first_chemical_accuracy": self.first_success,
            "final_threshold": float(env.curriculum.threshold),
            "best": None if self.best is None else {k: v for k, v in self.best.items() if k != "circuit"},
            "smallest_at_chemical_accuracy": (None if self.smallest is None else
                                              {k: v for k, v in self.smallest.items() if k != "circuit"}),
        }


# ---------------------------------------------------------------------- entry points
def _truncate_last_transition(buffer: Any) -> None:
    """Mark the newest stored transition as a time-limit truncation (bootstrapped, not terminal).

    A checkpoint is written before the current step's transition is stored, so after a resume the newest
    transition is not followed by its successor: without the mark, n-step returns would run on into the
    first transitions of the resumed run's next episode."""
    needed = ("dones", "timeouts", "pos", "full", "buffer_size")
    if buffer is None or not all(hasattr(buffer, a) for a in needed) or not getattr(
            buffer, "handle_timeout_termination", False):
        return
    if buffer.pos == 0 and not buffer.full:
        return
    last = (buffer.pos - 1) % buffer.buffer_size
    open_ = buffer.dones[last] == 0
    buffer.timeouts[last][open_] = 1
    buffer.dones[last][open_] = 1


def train(config: RunConfig, progress: bool = True) -> dict[str, Any]:
    """Start a new run; returns its summary (also written to ``summary.json``).

    If the env or the agent cannot be built, the new run folder is removed again and ``SetupError`` (a
    ``ValueError``) is raised with the reason."""
    import shutil

    run_dir = new_run_dir(config)
    trainer = None
    try:
        trainer = Trainer(run_dir, config, progress=progress)
        trainer._build_model()
    except BaseException as exc:
        if trainer is not None:
            trainer.log.close()
            trainer.env.close()
        shutil.rmtree(run_dir, ignore_errors=True)
        if isinstance(exc, (ValueError, TypeError, KeyError, AssertionError, ImportError)):
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
            raise SetupError(f"cannot set up the run: {message}") from exc
        raise
    return trainer.train()


def resume(run_dir: str | Path, episodes: int | None = None, progress: bool = True) -> dict[str, Any]:
    """Continue a run from its last checkpoint (optionally with a larger episode budget, the new total).

    See the module docstring for what a resume restores and what is not bit-identical."""
    config = load_run_config(run_dir)
    progress_now = checkpoint_progress(run_dir)
    if progress_now is None:
        raise FileNotFoundError(f"{str(run_dir)!r} has no checkpoint to resume from")
    if episodes is not None:
        if episodes < progress_now["episode"]:
            raise ValueError(f"{str(run_dir)!r} has already done {progress_now['episode']} episodes; the new "
                             f"total must not be smaller (got {episodes})")
        config = dataclasses.replace(config, episodes=episodes)
        (Path(run_dir) / "config.toml").write_text(config.to_toml())
    trainer = Trainer(Path(run_dir), config, progress=progress)
    trainer.load_checkpoint()
    return trainer.train()


def _train_one_seed(args: tuple[dict, int]) -> dict[str, Any]:
    from crlqas.config import from_dict

    data, seed = args
    config = from_dict(data)
    config.seed = seed
    if config.name:  # the default name already carries the seed; a given one must too, to tell the runs apart
        config.name = f"{config.name}-s{seed}"
    return train(config, progress=False)


def train_seeds(config: RunConfig, seeds: list[int], processes: int | None = None) -> dict[str, Any]:
    """One run per seed in parallel processes, plus a summary across them."""
    import multiprocessing as mp

    processes = processes or min(len(seeds), mp.cpu_count())
    ctx = mp.get_context("spawn")
    with ctx.Pool(processes) as pool:
        summaries = pool.map(_train_one_seed, [(config.to_dict(), s) for s in seeds])
    return write_seed_summary(config, summaries)


def write_seed_summary(config: RunConfig, summaries: list[dict[str, Any]]) -> dict[str, Any]:
    errors = [s["best"].get("expected_error", s["best"]["error"]) for s in summaries if s.get("best")]
    chem = [s for s in summaries if s.get("first_chemical_accuracy")]
    combined = {
        "name": config.run_name(),
        "seeds": [s["seed"] for s in summaries],
        "runs": [s["run_dir"] for s in summaries],
        "reached_chemical_accuracy": f"{len(chem)}/{len(summaries)}",
        "median_best_error": float(np.median(errors)) if errors else None,
        "best_error": float(np.min(errors)) if errors else None,
        "per_seed": summaries,
    }
    out = Path(config.output_dir) / f"{config.run_name()}-seeds-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_json(out, combined)
    combined["summary_file"] = str(out)
    return combined
