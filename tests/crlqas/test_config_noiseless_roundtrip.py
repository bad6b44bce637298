"""A noiseless run stays noiseless when its saved config is read back (resume, eval).

TOML has no null; a dropped ``noise`` key used to read back as the default preset, so a
resumed "noiseless" run silently continued under mumbai-median noise."""

from __future__ import annotations

import json
from pathlib import Path

from crlqas.cli import main
from crlqas.config import RunConfig, from_dict, load_toml
from crlqas.rundir import load_run_config
from tiny_run import tiny_config_text



def test_noiseless_config_round_trips_through_toml(tmp_path: Path):
    config = from_dict({"env": {"task": "H2-2q", "noise": None}})
    assert config.env.noise is None
    path = tmp_path / "config.toml"
    path.write_text(config.to_toml())
    assert 'noise = "none"' in path.read_text()
    assert from_dict(load_toml(path)).env.noise is None
    # a noisy config keeps its preset
    noisy = from_dict({"env": {"task": "H2-2q", "noise": "mumbai-max"}})
    path.write_text(noisy.to_toml())
    assert from_dict(load_toml(path)).env.noise == "mumbai-max"


def test_noise_none_spellings_mean_noiseless():
    for spelling in ("none", "None", "noiseless"):
        assert from_dict({"env": {"noise": spelling}}).env.noise is None
    assert RunConfig().env.noise == "mumbai-median"  # the embedded default stays noisy


def test_resumed_noiseless_run_stays_noiseless(tmp_path: Path):
    config = tmp_path / "tiny.toml"
    config.write_text(tiny_config_text(episodes=1, checkpoint_every=1, noise="none", new_angle_std=None))
    out = tmp_path / "runs"
    assert main(["train", "--config", str(config), "--output", str(out), "--no-progress"]) == 0
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    assert load_run_config(run).env.noise is None
    assert main(["train", "--resume", str(run), "--episodes", "2", "--no-progress"]) == 0
    summary = json.loads((run / "summary.json").read_text())
    assert summary["episodes"] == 2
    assert summary["noise"] is None
    assert load_run_config(run).env.noise is None
    best = summary["best"]
    # noiseless: the energy is its own noiseless re-evaluation
    assert best["noiseless_error"] is None or abs(best["error"] - best["noiseless_error"]) < 1e-12
