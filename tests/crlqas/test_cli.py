"""The command line end to end on tiny runs: train, resume, eval, report, tasks, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from crlqas.cli import main
from crlqas.rundir import read_episodes

TINY = """
episodes = {episodes}
checkpoint_every = 2
[env]
task = "H2-2q"
noise = "mumbai-median"
new_angle_std = 0.05
[env.optimizer_options]
iterations = 20
[agent]
name = "{agent}"
profile = "fast"
[agent.overrides]
{overrides}
"""
DQN_OVERRIDES = "learning_starts = 8\nbatch_size = 8"
PPO_OVERRIDES = "n_steps = 16\nbatch_size = 8"


def _write_config(tmp_path: Path, episodes: int = 4, agent: str = "dqn") -> Path:
    overrides = DQN_OVERRIDES if agent == "dqn" else PPO_OVERRIDES
    path = tmp_path / f"tiny-{agent}.toml"
    path.write_text(TINY.format(episodes=episodes, agent=agent, overrides=overrides))
    return path


def _only_run(out: Path) -> Path:
    runs = [p for p in out.iterdir() if p.is_dir()]
    assert len(runs) == 1, runs
    return runs[0]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    config = _write_config(tmp)
    assert main(["train", "--config", str(config), "--output", str(tmp / "runs"), "--no-progress"]) == 0
    return _only_run(tmp / "runs")


def test_train_writes_a_complete_run_folder(tiny_run: Path):
    for name in ("config.toml", "episodes.csv", "summary.json", "best_circuit.json", "best_circuit.qasm"):
        assert (tiny_run / name).is_file(), name
    assert (tiny_run / "checkpoint" / "agent.zip").is_file()
    assert (tiny_run / "checkpoint" / "replay_buffer.pkl").is_file()
    assert any((tiny_run / "tb").rglob("events.out.tfevents*"))
    rows = read_episodes(tiny_run / "episodes.csv")
    assert [int(r["episode"]) for r in rows] == [1, 2, 3, 4]
    summary = json.loads((tiny_run / "summary.json").read_text())
    assert summary["episodes"] == 4 and summary["task"] == "H2-2q" and summary["noise"] == "mumbai-median"
    best = json.loads((tiny_run / "best_circuit.json").read_text())
    # the best record is the minimum error over every step of every episode, so no final error beats it
    assert best["error"] <= min(float(r["error"]) for r in rows) + 1e-12
    assert "OPENQASM 3" in (tiny_run / "best_circuit.qasm").read_text()


def test_resume_continues_the_same_run(tiny_run: Path, tmp_path: Path):
    import shutil

    run = tmp_path / tiny_run.name
    shutil.copytree(tiny_run, run)
    assert main(["train", "--resume", str(run), "--episodes", "6", "--no-progress"]) == 0
    rows = read_episodes(run / "episodes.csv")
    assert [int(r["episode"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    assert json.loads((run / "summary.json").read_text())["episodes"] == 6


def test_eval_reevaluates_the_best_circuit(tiny_run: Path, capsys):
    assert main(["eval", str(tiny_run), "--shots", "200", "--repeats", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    best = json.loads((tiny_run / "best_circuit.json").read_text())
    assert result["noisy_energy"] == pytest.approx(best["energy"], abs=1e-9)
    assert result["noiseless_error"] == pytest.approx(best["noiseless_error"], abs=1e-9)
    assert result["shots"] == 200 and result["sampled_energy_std"] > 0


def test_report_writes_pngs(tiny_run: Path, capsys):
    assert main(["report", str(tiny_run)]) == 0
    paths = [Path(p) for p in capsys.readouterr().out.split()]
    assert {p.name for p in paths} >= {"report_error.png", "report_circuit_size.png", "report_success.png"}
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_ppo_tiny_run(tmp_path: Path):
    config = _write_config(tmp_path, episodes=3, agent="ppo")
    assert main(["train", "--config", str(config), "--output", str(tmp_path / "runs"), "--no-progress"]) == 0
    run = _only_run(tmp_path / "runs")
    assert len(read_episodes(run / "episodes.csv")) == 3


def test_tasks_lists_the_shipped_tasks(capsys):
    assert main(["tasks"]) == 0
    out = capsys.readouterr().out
    for name in ("H2-2q", "H2-3q", "H2-4q", "LiH-4q", "LiH-6q", "H2O-8q"):
        assert name in out


@pytest.mark.parametrize("argv, needle", [
    (["train", "--task", "He-9q"], "unknown task 'He-9q'"),
    (["train", "--noise", "mumbai-typo"], "mumbai-typo"),
    (["train", "--profile", "huge"], "unknown profile 'huge'"),
    (["eval", "/nonexistent/run"], "does not exist"),
    (["report", "."], "is not a run folder"),
    (["reproduce", "nope"], "unknown suite 'nope'"),
    (["reproduce", "h2", "--table-only", "--results", "empty"], "no collected results of suite 'h2'"),
    (["train", "--seed", "-1"], "seed must be >= 0"),
    (["train", "--seeds", "0,0"], "seeds must be distinct"),
    (["train", "--seeds", "1,-2"], "seeds must be >= 0"),
    (["train", "--seeds", ""], "no seeds given"),
    (["train", "--seed", "1", "--seeds", "2,3"], "either --seed or --seeds"),
    (["train", "--output", "a_file"], "is not a folder"),
    (["eval", "/nonexistent/run", "--shots", "0"], "--shots must be >= 1"),
    (["eval", "/nonexistent/run", "--repeats", "0"], "--repeats must be >= 1"),
    (["eval", "/nonexistent/run", "--seed", "-3"], "--seed must be >= 0"),
])
def test_bad_input_is_one_line_and_exit_2(argv, needle, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and err.startswith("crlqas: error:") and "\n" not in err
    assert not (tmp_path / "runs").exists()  # nothing half-written


def test_unknown_and_malformed_config(tmp_path: Path, capsys):
    bad_key = tmp_path / "bad_key.toml"
    bad_key.write_text("episodes = 3\n[env]\ntaks = 'H2-2q'\n")
    assert main(["train", "--config", str(bad_key)]) == 2
    assert "unknown config key 'env.taks'" in capsys.readouterr().err
    malformed = tmp_path / "malformed.toml"
    malformed.write_text("episodes = = 3\n")
    assert main(["train", "--config", str(malformed)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_python_dash_m_works():
    out = subprocess.run([sys.executable, "-m", "crlqas", "tasks", "H2-2q"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0 and out.stdout.startswith("H2-2q")


def test_reproduce_table_only_rebuilds_results_from_collected_summaries(tmp_path: Path, capsys):
    """--table-only runs nothing: it rebuilds RESULTS.md from the summaries already under results/<suite>/."""
    shipped = Path(__file__).resolve().parents[2] / "results" / "h2" / "h2-H2-2q_noiseless-s0" / "summary.json"
    run = tmp_path / "results" / "h2" / "h2-H2-2q_noiseless-s0"
    run.mkdir(parents=True)
    summary = json.loads(shipped.read_text())
    run.joinpath("summary.json").write_text(json.dumps(summary))
    assert main(["reproduce", "h2", "--table-only", "--results", str(tmp_path / "results")]) == 0
    table = (tmp_path / "results" / "h2" / "RESULTS.md").read_text()
    row = next(line for line in table.splitlines() if line.startswith("| H2-2q noiseless ("))
    assert f"{summary['best']['error']:.2e}" in row and "| 1 | 1/1 |" in row
    assert "| H2-2q mumbai-max | - | not run |" in table
    assert not (tmp_path / "runs").exists()


def test_seeds_run_in_parallel_and_write_one_summary_across_them(tmp_path: Path, capsys):
    config = _write_config(tmp_path, episodes=2)
    out = tmp_path / "runs"
    assert main(["train", "--config", str(config), "--seeds", "3,4", "--name", "tiny", "--output", str(out)]) == 0
    (combined_file,) = out.glob("tiny-seeds-*.json")
    combined = json.loads(combined_file.read_text())
    assert combined["seeds"] == [3, 4] and len(combined["per_seed"]) == 2
    for seed, run in zip((3, 4), combined["runs"]):
        assert Path(run).name.startswith(f"tiny-s{seed}-") and (Path(run) / "summary.json").is_file()
        assert json.loads((Path(run) / "summary.json").read_text())["seed"] == seed
    errors = [s["best"]["expected_error"] for s in combined["per_seed"]]
    assert combined["best_error"] == min(errors)
    assert f"seeds [3, 4]" in capsys.readouterr().out
