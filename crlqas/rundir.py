"""The run folder: what a training run writes, and how it is read back.

Layout of ``runs/<name>-<time>/``::

    config.toml          the resolved configuration (enough to resume or re-evaluate)
    episodes.csv         one row per finished episode (see EPISODE_FIELDS)
    tb/                  TensorBoard scalars
    checkpoint/          agent, replay buffer, curriculum and RNG states (replaced atomically)
    best_circuit.json    the lowest-error circuit found, with its angles
    best_circuit.qasm    the same circuit in OpenQASM 3
    smallest_circuit.*   the smallest circuit (fewest CNOTs, then gates) of an episode at chemical accuracy
    summary.json         the run's outcome
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from crlqas.config import ConfigError, RunConfig, from_dict, load_toml

EPISODE_FIELDS = (
    "episode", "steps", "energy", "error", "noiseless_error", "threshold", "gates", "cnots",
    "rotations", "depth", "reward", "success", "seconds", "timesteps",
    # added later (older logs lack them; readers fall back): the trainer's chemical-accuracy verdict (0/1)
    # and the best error so far as the trainer ranks circuits (shot-free noisy error, any step)
    "chemical_accuracy", "best_error",
)
CONFIG_FILE = "config.toml"
CHECKPOINT_DIR = "checkpoint"


def new_run_dir(config: RunConfig) -> Path:
    """Create ``<output_dir>/<name>-<time>`` (unique) and write the config into it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(config.output_dir) / f"{config.run_name()}-{stamp}"
    path, k = base, 1
    while path.exists():
        k += 1
        path = base.with_name(f"{base.name}-{k}")
    path.mkdir(parents=True)
    (path / CONFIG_FILE).write_text(config.to_toml())
    return path


def load_run_config(run_dir: str | Path) -> RunConfig:
    """The config of an existing run folder; a clear error if it is not one."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ConfigError(f"run folder {str(run_dir)!r} does not exist")
    if not (run_dir / CONFIG_FILE).is_file():
        raise ConfigError(f"{str(run_dir)!r} is not a run folder (it has no {CONFIG_FILE})")
    return from_dict(load_toml(run_dir / CONFIG_FILE))


class EpisodeLog:
    """Appends one CSV row per episode (flushed, so a killed run keeps its rows)."""

    def __init__(self, path: Path):
        self.path = path
        fresh = not path.exists()
        self._fh = open(path, "a", newline="")
        self._writer = csv.DictWriter(self._fh, fieldnames=EPISODE_FIELDS)
        if fresh:
            self._writer.writeheader()
            self._fh.flush()

    def write(self, row: dict[str, Any]) -> None:
        self._writer.writerow({k: row.get(k, "") for k in EPISODE_FIELDS})
        self._fh.flush()

    def truncate_to(self, episodes: int) -> None:
        """Drop rows past ``episodes`` (rows written after the last checkpoint, before a crash)."""
        self._fh.close()
        rows = read_episodes(self.path)[:episodes]
        with open(self.path, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=EPISODE_FIELDS)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
        self._fh = open(self.path, "a", newline="")
        self._writer = csv.DictWriter(self._fh, fieldnames=EPISODE_FIELDS)

    def close(self) -> None:
        self._fh.close()


def read_episodes(path: str | Path) -> list[dict[str, str]]:
    path = Path(path)
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def write_json(path: Path, data: Any) -> None:
    """Write JSON through a temporary file, so readers never see half a file."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, path)


def replace_dir(tmp: Path, final: Path) -> None:
    """Swap a freshly written folder into place (the old one survives until the new one is complete)."""
    old = final.with_name(final.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    if old.exists():
        shutil.rmtree(old)
