"""Maskable PPO from sb3-contrib, wired to the env's ``action_masks()``.

Nothing is reimplemented: sb3-contrib's ``MaskablePPO`` already reads the
masks from the env during rollouts and takes ``action_masks=`` in ``predict``.
This module only checks the env and pins the device to CPU.
"""

from __future__ import annotations

from typing import Any

from sb3_contrib import MaskablePPO
from stable_baselines3.common.type_aliases import GymEnv

from agents.masks import has_masks


def make_maskable_ppo(
    env: GymEnv,
    seed: int | None = None,
    tensorboard_log: str | None = None,
    verbose: int = 0,
    policy: str = "MlpPolicy",
    **kwargs: Any,
) -> MaskablePPO:
    """Build a CPU ``MaskablePPO`` on ``env``, which must expose ``action_masks()``."""
    if not has_masks(env):
        raise ValueError("MaskablePPO needs an env with an action_masks() method (True = legal action)")
    return MaskablePPO(
        policy, env, seed=seed, tensorboard_log=tensorboard_log, verbose=verbose, device="cpu", **kwargs
    )
