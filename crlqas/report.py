"""PNG plots of a run folder: error and threshold, circuit size, success rate, best circuit."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from crlqas.rundir import load_run_config, read_episodes


def _column(rows: list[dict[str, str]], key: str) -> np.ndarray:
    return np.array([float(r[key]) if r.get(key) not in (None, "") else np.nan for r in rows])


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
    written: list[Path] = []

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.semilogy(episode, _column(rows, "error"), ".", ms=3, label="final error of episode")
    ax.semilogy(episode, np.fmin.accumulate(_column(rows, "error")), "-", label="best so far")
    ax.semilogy(episode, np.abs(_column(rows, "threshold")), "--", label="curriculum threshold")
    ax.axhline(1.6e-3, color="k", lw=0.8, ls=":", label="chemical accuracy")
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
    chem = (_column(rows, "error") < 1.6e-3).astype(float)
    ax.plot(episode, _moving_mean(chem), label="chemical accuracy")
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

    circuit = sim.Circuit.from_dict(best["circuit"])
    try:
        qc = circuit.to_qiskit()
        fig = qc.draw(output="mpl")
    except Exception:  # drawing needs qiskit's optional pieces; fall back to a text drawing
        fig, ax = plt.subplots(figsize=(8, 0.6 * circuit.num_qubits + 1))
        ax.axis("off")
        text = "\n".join(f"{op.name}{list(op.qubits)} {'' if op.angle is None else f'{op.angle:+.4f}'}"
                         for op in circuit)
        ax.text(0, 1, text or "(empty circuit)", family="monospace", va="top", fontsize=8)
    fig.suptitle(f"best circuit: error {best['error']:.3e} Ha, {best['gates']} gates, depth {best['depth']}")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
