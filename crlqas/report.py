"""PNG plots of a run folder: error and threshold, circuit size, success rate, best circuit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from crlqas.config import RunConfig
from crlqas.rundir import load_run_config, read_episodes

#: used only when neither the task nor the run's summary gives the chemical accuracy
DEFAULT_CHEMICAL_ACCURACY = 1.6e-3


def _column(rows: list[dict[str, str]], key: str) -> np.ndarray:
    return np.array([float(r[key]) if r.get(key) not in (None, "") else np.nan for r in rows])


def _has_column(rows: list[dict[str, str]], key: str) -> bool:
    return bool(rows) and all(r.get(key) not in (None, "") for r in rows)


def chemical_accuracy_of(config: RunConfig, run_dir: str | Path | None = None) -> float:
    """The task's chemical accuracy (Ha): from the task, else the run's summary, else 1.6e-3."""
    try:
        from crlqas import tasks

        return float(tasks.get(config.env.task).chemical_accuracy)
    except (KeyError, OSError, ValueError):
        pass
    summary = Path(run_dir) / "summary.json" if run_dir is not None else None
    if summary is not None and summary.is_file():
        value = json.loads(summary.read_text()).get("chemical_accuracy")
        if value is not None:
            return float(value)
    return DEFAULT_CHEMICAL_ACCURACY


def judged_under_noise(config: RunConfig) -> bool:
    """Whether the trainer judges chemical accuracy on a noiseless re-evaluation (noise or shots)."""
    return config.env.noise is not None or config.env.shots is not None


def chemical_accuracy_per_episode(rows: list[dict[str, str]], config: RunConfig, chem: float) -> np.ndarray:
    """1.0 where an episode reached chemical accuracy as the trainer counts it, else 0.0.

    Uses the log's ``chemical_accuracy`` column; older logs without it are judged the trainer's way:
    under noise (or shots) a curriculum success whose noiseless re-evaluation is within ``chem``, else
    the final error itself."""
    if _has_column(rows, "chemical_accuracy"):
        return (_column(rows, "chemical_accuracy") > 0).astype(float)
    error = np.abs(_column(rows, "error"))
    noiseless = np.abs(_column(rows, "noiseless_error"))
    if judged_under_noise(config) and np.all(np.isfinite(noiseless)):
        return ((_column(rows, "success") > 0) & (noiseless < chem)).astype(float)
    return (error < chem).astype(float)


def best_so_far(rows: list[dict[str, str]]) -> tuple[np.ndarray, str]:
    """The run's best error after each episode and a label saying what it is.

    With the log's ``best_error`` column: the best circuit as the trainer ranks it (shot-free noisy
    error, over every step). Older logs: the lowest final-episode error so far."""
    if _has_column(rows, "best_error"):
        return np.abs(_column(rows, "best_error")), "best so far (any step, shot-free error, as ranked)"
    return np.fmin.accumulate(np.abs(_column(rows, "error"))), "lowest final error so far"


def write_report(run_dir: str | Path) -> list[Path]:
    """Write ``report_*.png`` into the run folder and return their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    config = load_run_config(run_dir)
    rows = read_episodes(run_dir / "episodes.csv")
    if not rows:
        raise FileNotFoundError(f"{str(run_dir)!r} has no finished episodes to plot yet")
    episode = _column(rows, "episode")
    title = f"{config.env.task}, noise {config.env.noise or 'none'}, {config.agent.name}, seed {config.seed}"
    chem = chemical_accuracy_of(config, run_dir)
    written: list[Path] = []

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.semilogy(episode, np.abs(_column(rows, "error")), ".", ms=3, label="final error of episode")
    best, best_label = best_so_far(rows)
    ax.semilogy(episode, best, "-", label=best_label)
    ax.semilogy(episode, np.abs(_column(rows, "threshold")), "--", label="curriculum threshold")
    ax.axhline(chem, color="k", lw=0.8, ls=":", label=f"chemical accuracy ({chem:g} Ha)")
    ax.set_xlabel("episode")
    ax.set_ylabel("energy error (Ha)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    written.append(_save(fig, run_dir / "report_error.png"))

    fig, ax = plt.subplots(figsize=(7, 4))
    for key in ("gates", "cnots", "rotations", "depth"):
        ax.plot(episode, _moving_mean(_column(rows, key)), label=key)
    ax.set_xlabel("episode")
    ax.set_ylabel("count (moving mean over 20 episodes)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    written.append(_save(fig, run_dir / "report_circuit_size.png"))

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(episode, _moving_mean(_column(rows, "success")), label="success (below threshold)")
    reached = chemical_accuracy_per_episode(rows, config, chem)
    label = (f"chemical accuracy (success, noiseless re-evaluation < {chem:g} Ha)" if judged_under_noise(config)
             else f"chemical accuracy (error < {chem:g} Ha)")
    ax.plot(episode, _moving_mean(reached), label=label)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("episode")
    ax.set_ylabel("rate (moving mean over 20 episodes)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    written.append(_save(fig, run_dir / "report_success.png"))

    best_file = run_dir / "best_circuit.json"
    if best_file.is_file():
        written.append(_draw_best(json.loads(best_file.read_text()), run_dir / "report_best_circuit.png", plt))
    return written


def _moving_mean(values: np.ndarray, window: int = 20) -> np.ndarray:
    out = np.empty_like(values)
    for i in range(values.size):
        chunk = values[max(0, i - window + 1): i + 1]
        out[i] = np.nanmean(chunk) if np.any(np.isfinite(chunk)) else np.nan
    return out


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def _draw_best(best: dict, path: Path, plt) -> Path:
    import sim
    from crlqas.circuit_drawing import draw_circuit, figure_size

    circuit = sim.Circuit.from_dict(best["circuit"])
    fig, ax = plt.subplots(figsize=figure_size(circuit))
    if len(circuit):
        draw_circuit(circuit, ax)
    else:
        ax.axis("off")
        ax.text(0.5, 0.5, "(empty circuit)", ha="center", va="center")
    fig.suptitle(f"best circuit: error {best['error']:.3e} Ha, {best['gates']} gates "
                 f"({best['cnots']} CNOT), depth {best['depth']}", fontsize=10)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
