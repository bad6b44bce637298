"""The smallest run config the CLI tests train with: H2-2q, a few episodes, a tiny DQN."""

from __future__ import annotations

from pathlib import Path


def tiny_config_text(episodes: int = 2, checkpoint_every: int = 2, noise: str = "mumbai-median",
                     new_angle_std: float | None = 0.05, iterations: int | None = 5, extra: str = "") -> str:
    """TOML text; ``extra`` lines go at the end (inside ``[agent.overrides]``)."""
    lines = [f"episodes = {episodes}", f"checkpoint_every = {checkpoint_every}",
             "[env]", 'task = "H2-2q"', f'noise = "{noise}"']
    if new_angle_std is not None:
        lines.append(f"new_angle_std = {new_angle_std}")
    if iterations is not None:
        lines += ["[env.optimizer_options]", f"iterations = {iterations}"]
    lines += ["[agent]", 'name = "dqn"', 'profile = "fast"',
              "[agent.overrides]", "learning_starts = 8", "batch_size = 8", extra]
    return "\n".join(lines) + "\n"


def write_tiny_config(folder: Path, name: str = "tiny.toml", **options) -> Path:
    path = folder / name
    path.write_text(tiny_config_text(**options))
    return path
