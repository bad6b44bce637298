"""``crlqas train --resume``: allowed flags, finished runs, interruption (exit 130), early checkpoints,
and consistent step counters across a dropped partial episode."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest

from crlqas.cli import main
from crlqas.rundir import read_episodes
from crlqas.train import Trainer, checkpoint_progress
from tiny_run import write_tiny_config



def _train(tmp_path: Path, episodes: int, every: int, expect: int = 0) -> Path:
    config = write_tiny_config(tmp_path, episodes=episodes, checkpoint_every=every)
    out = tmp_path / "runs"
    assert main(["train", "--config", str(config), "--output", str(out), "--no-progress"]) == expect
    runs = [p for p in out.iterdir() if p.is_dir()]
    assert len(runs) == 1, runs
    return runs[0]


def _steps_and_timesteps(run: Path) -> tuple[list[int], list[int]]:
    rows = read_episodes(run / "episodes.csv")
    return [int(r["steps"]) for r in rows], [int(r["timesteps"]) for r in rows]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> Path:
    return _train(tmp_path_factory.mktemp("resume"), episodes=2, every=2)


# ---------------------------------------------------------------------- B8
@pytest.mark.parametrize("flags", [
    ["--task", "H2-2q"], ["--noise", "none"], ["--shots", "100"], ["--agent", "ppo"], ["--profile", "paper"],
    ["--optimizer", "spsa"], ["--curriculum", "none"], ["--halting", "none"], ["--seed", "3"],
    ["--seeds", "1,2"], ["--config", "x.toml"], ["--name", "other"], ["--output", "elsewhere"],
])
def test_resume_refuses_flags_that_change_the_run(flags, finished_run, capsys):
    before = (finished_run / "config.toml").read_text()
    assert main(["train", "--resume", str(finished_run), "--episodes", "5", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("crlqas: error:") and "\n" not in err
    assert "keeps its saved config" in err and "only --episodes" in err and flags[0] in err
    assert (finished_run / "config.toml").read_text() == before


def test_resume_with_fewer_episodes_than_done_is_an_error(finished_run, capsys):
    rows_before = read_episodes(finished_run / "episodes.csv")
    assert main(["train", "--resume", str(finished_run), "--episodes", "1", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "already done 2 episodes" in err and "larger than 2" in err
    assert read_episodes(finished_run / "episodes.csv") == rows_before


@pytest.mark.parametrize("extra", [[], ["--episodes", "2"]])
def test_resume_of_a_finished_run_says_how_to_extend_it(extra, finished_run, capsys):
    config_before = (finished_run / "config.toml").read_text()
    assert main(["train", "--resume", str(finished_run), "--no-progress", *extra]) == 0
    out = capsys.readouterr().out
    assert "already complete (2 of 2 episodes)" in out and "--episodes N (N > 2)" in out
    assert (finished_run / "config.toml").read_text() == config_before
    assert len(read_episodes(finished_run / "episodes.csv")) == 2


# ---------------------------------------------------------------------- C15 + C17
def test_interrupt_exits_130_with_hint_and_does_not_count_the_partial_episode(tmp_path, capsys, monkeypatch):
    original = Trainer._on_step
    fired: list[int] = []

    def on_step(self, info, reward, done, state):
        original(self, info, reward, done, state)
        if self.episode == 1 and not done and not fired:  # the first step of episode 2: Ctrl-C / SIGTERM
            fired.append(self.timesteps)
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(Trainer, "_on_step", on_step)
    run = _train(tmp_path, episodes=3, every=50, expect=130)
    assert fired
    err = capsys.readouterr().err
    assert f"resume with: crlqas train --resume {run}" in err
    summary = json.loads((run / "summary.json").read_text())
    assert summary["stop_reason"] == "interrupted" and summary["episodes"] == 1
    steps, timesteps = _steps_and_timesteps(run)
    assert len(steps) == 1
    # the partial episode's step(s) are not counted: they are replayed after the resume
    assert summary["timesteps"] == sum(steps) == timesteps[-1] < fired[0]
    assert checkpoint_progress(run)["timesteps"] == sum(steps)

    monkeypatch.setattr(Trainer, "_on_step", original)
    assert main(["train", "--resume", str(run), "--no-progress"]) == 0
    steps, timesteps = _steps_and_timesteps(run)
    assert len(steps) == 3
    assert timesteps == list(np.cumsum(steps))
    assert json.loads((run / "summary.json").read_text())["timesteps"] == sum(steps)


# ---------------------------------------------------------------------- C16
def test_a_run_killed_before_checkpoint_every_can_be_resumed(tmp_path, monkeypatch):
    original = Trainer._record_scalars

    def crash_in_episode_2(self, info, episode_state, success):
        if self.episode == 2:
            raise RuntimeError("simulated kill")
        original(self, info, episode_state, success)

    monkeypatch.setattr(Trainer, "_record_scalars", crash_in_episode_2)
    with pytest.raises(RuntimeError, match="simulated kill"):
        _train(tmp_path, episodes=3, every=100)
    run = next(p for p in (tmp_path / "runs").iterdir() if p.is_dir())
    progress = checkpoint_progress(run)
    assert progress is not None and progress["episode"] == 1  # checkpoint_every = 100, yet one exists
    assert not (run / "checkpoint.tmp").exists()

    monkeypatch.setattr(Trainer, "_record_scalars", original)
    assert main(["train", "--resume", str(run), "--no-progress"]) == 0
    assert [int(r["episode"]) for r in read_episodes(run / "episodes.csv")] == [1, 2, 3]
    assert checkpoint_progress(run)["episode"] == 3  # and one at the end of the run


def test_resume_marks_the_newest_replay_transition_as_a_truncation(finished_run, tmp_path):
    from crlqas.rundir import load_run_config

    run = tmp_path / finished_run.name
    shutil.copytree(finished_run, run)
    trainer = Trainer(run, load_run_config(run), progress=False)
    trainer.load_checkpoint()
    buffer = trainer.model.replay_buffer
    last = (buffer.pos - 1) % buffer.buffer_size
    assert buffer.dones[last].all() and buffer.timeouts[last].all()
    # a truncation bootstraps: n-step samples ending there carry done = 0
    assert buffer._get_samples(np.array([last])).dones.item() == 0
    assert trainer.timesteps == checkpoint_progress(run)["timesteps"]
    trainer.log.close()
    trainer.env.close()
