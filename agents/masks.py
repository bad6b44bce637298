"""Action-mask helpers shared by the agents: reading, checking, sampling.

A mask is a boolean array over the discrete actions, True = legal.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env import VecEnv

TERMINAL_MASK_KEY = "terminal_action_mask"
"""Info key holding the mask of the final observation of an episode.

A vectorized env resets as soon as an episode ends, so by the time the agent
could ask, ``action_masks()`` already describes the next episode's first
state. ``TerminalMaskInfo`` records the final mask before that reset; the
n-step target needs it to bootstrap a truncated episode from its true last
state with the right legal actions.
"""


class TerminalMaskInfo(gym.Wrapper):
    """Put the final state's action mask into ``info`` when an episode ends."""

    def action_masks(self) -> np.ndarray:
        """Forward the wrapped env's mask."""
        return np.asarray(self.env.get_wrapper_attr("action_masks")(), dtype=bool)

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        if terminated or truncated:
            info = dict(info)
            info[TERMINAL_MASK_KEY] = self.action_masks().copy()
        return obs, reward, terminated, truncated, info


def has_masks(env: gym.Env | VecEnv) -> bool:
    """Whether ``env`` (plain or vectorized) exposes ``action_masks()``."""
    if isinstance(env, VecEnv):
        return bool(env.has_attr("action_masks"))
    try:
        env.get_wrapper_attr("action_masks")
        return True
    except AttributeError:
        return False


def vec_masks(env: VecEnv, n_actions: int) -> np.ndarray:
    """Masks of the current observations of every sub-env, shape (n_envs, n_actions)."""
    masks = np.stack([np.asarray(m) for m in env.env_method("action_masks")])
    return check_masks(masks, n_actions, env.num_envs)


def check_masks(masks: Any, n_actions: int, n_rows: int) -> np.ndarray:
    """Return ``masks`` as a bool array of shape (n_rows, n_actions), or raise.

    A 1-D mask is broadcast to every row. Non-boolean input (say 0/1 ints) is
    accepted only if every entry is 0 or 1. A row without any legal action is
    an error: there is nothing the agent could do.
    """
    arr = np.asarray(masks)
    if arr.dtype != bool:
        if arr.size and not np.isin(arr, (0, 1)).all():
            raise TypeError(f"action masks must be boolean (or 0/1), got values of dtype {arr.dtype}")
        arr = arr.astype(bool)
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (n_rows, arr.shape[0])).copy()
    if arr.shape != (n_rows, n_actions):
        raise ValueError(f"action masks must have shape ({n_rows}, {n_actions}) or ({n_actions},), got {arr.shape}")
    empty = ~arr.any(axis=1)
    if empty.any():
        raise ValueError(f"no legal action in row(s) {np.flatnonzero(empty).tolist()} of the action mask")
    return arr


def sample_legal(masks: np.ndarray) -> np.ndarray:
    """One action per row, uniform among that row's legal actions.

    Draws from NumPy's global generator, which SB3 seeds from ``seed=``.
    """
    out = np.empty(masks.shape[0], dtype=np.int64)
    for i, row in enumerate(masks):
        legal = np.flatnonzero(row)
        out[i] = legal[np.random.randint(len(legal))]
    return out
