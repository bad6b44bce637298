"""The report judges chemical accuracy as the trainer does and plots the best error as the trainer ranks it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from crlqas.cli import main
from crlqas.config import from_dict
from crlqas.report import best_so_far, chemical_accuracy_of, chemical_accuracy_per_episode, write_report
from crlqas.rundir import read_episodes

NOISY = from_dict({"env": {"task": "H2-2q", "noise": "mumbai-median"}})
NOISELESS = from_dict({"env": {"task": "H2-2q", "noise": None}})


def _row(error, noiseless_error, success, **extra):
    return {"error": f"{error:.6e}", "noiseless_error": f"{noiseless_error:.6e}", "success": str(success), **extra}


def test_noisy_rows_use_the_trainers_criterion_not_the_noisy_error():
    # noisy errors sit above the noise floor; success + a noiseless re-evaluation within 1.6e-3 counts
    rows = [_row(0.02, 1e-4, 1), _row(0.02, 1e-4, 0), _row(0.02, 5e-3, 1), _row(1e-3, 5e-3, 0)]
    assert chemical_accuracy_per_episode(rows, NOISY, 1.6e-3).tolist() == [1, 0, 0, 0]
    assert chemical_accuracy_per_episode(rows, NOISELESS, 1.6e-3).tolist() == [0, 0, 0, 1]
    # the task's chemical accuracy, not a literal
    assert chemical_accuracy_per_episode(rows, NOISY, 1e-5).tolist() == [0, 0, 0, 0]


def test_the_logged_column_wins_over_the_fallback():
    rows = [_row(0.02, 1e-4, 1, chemical_accuracy="0"), _row(0.02, 5e-3, 0, chemical_accuracy="1")]
    assert chemical_accuracy_per_episode(rows, NOISY, 1.6e-3).tolist() == [0, 1]


def test_best_so_far_uses_the_trainers_ranking_when_logged():
    rows = [_row(0.05, 0, 0, best_error="3.0e-02"), _row(0.01, 0, 0, best_error="2.0e-02")]
    values, label = best_so_far(rows)
    assert values.tolist() == [0.03, 0.02] and "as ranked" in label
    old = [_row(0.05, 0, 0), _row(0.01, 0, 0), _row(0.04, 0, 0)]
    values, label = best_so_far(old)
    assert values.tolist() == [0.05, 0.01, 0.01] and label == "lowest final error so far"


def test_chemical_accuracy_comes_from_the_task():
    assert chemical_accuracy_of(NOISY) == pytest.approx(1.6e-3)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    config = tmp / "tiny.toml"
    config.write_text('episodes = 3\ncheckpoint_every = 2\n[env]\ntask = "H2-2q"\nnoise = "mumbai-median"\n'
                      '[env.optimizer_options]\niterations = 5\n[agent]\nname = "dqn"\n'
                      '[agent.overrides]\nlearning_starts = 8\nbatch_size = 8\n')
    assert main(["train", "--config", str(config), "--output", str(tmp / "runs"), "--no-progress"]) == 0
    return next(p for p in (tmp / "runs").iterdir() if p.is_dir())


def test_episode_log_records_the_trainers_verdict_and_best(tiny_run: Path):
    rows = read_episodes(tiny_run / "episodes.csv")
    summary = json.loads((tiny_run / "summary.json").read_text())
    assert all(r["chemical_accuracy"] in ("0", "1") for r in rows)
    assert sum(int(r["chemical_accuracy"]) for r in rows) == summary["episodes_at_chemical_accuracy"]
    best = [float(r["best_error"]) for r in rows]
    assert best == sorted(best, reverse=True)  # never gets worse
    assert best[-1] == pytest.approx(summary["best"]["expected_error"], rel=1e-5)


def test_report_of_an_older_log_without_the_new_columns(tiny_run: Path, tmp_path: Path):
    import shutil

    run = tmp_path / "old"
    shutil.copytree(tiny_run, run)
    rows = read_episodes(run / "episodes.csv")
    fields = [k for k in rows[0] if k not in ("chemical_accuracy", "best_error")]
    with open(run / "episodes.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    config = from_dict({"env": {"task": "H2-2q", "noise": "mumbai-median"}})
    old_rows = read_episodes(run / "episodes.csv")
    fallback = chemical_accuracy_per_episode(old_rows, config, 1.6e-3)
    assert np.array_equal(fallback, [float(r["chemical_accuracy"]) for r in rows])
    paths = write_report(run)
    assert {p.name for p in paths} >= {"report_error.png", "report_success.png"}
