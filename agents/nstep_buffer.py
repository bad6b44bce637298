"""Replay buffer with n-step returns and next-state action masks.

Stores one-step transitions exactly like SB3's ``ReplayBuffer`` plus, per
transition, the boolean action mask of its next observation. At sampling
time a transition at index t is extended forward to

    R = sum_{j=0}^{k} gamma^j r_{t+j},   bootstrap discount gamma^(k+1),

where k+1 <= n stops early at the first episode end (terminated or truncated)
or at the newest stored transition (whose successor is not stored yet). The
next observation, next mask and done flag are those of step t+k. A
truncation (time limit) keeps ``done = 0`` so the target bootstraps from the
true last observation; a termination sets ``done = 1``.

Pickles as a whole, so SB3's ``save_replay_buffer``/``load_replay_buffer``
round-trip it including the masks.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch as th
from gymnasium import spaces
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.vec_env import VecNormalize


class MaskedReplayBufferSamples(NamedTuple):
    """A sampled batch; ``discounts`` is gamma^(steps used), per row."""

    observations: th.Tensor
    actions: th.Tensor
    next_observations: th.Tensor
    dones: th.Tensor
    rewards: th.Tensor
    discounts: th.Tensor
    next_action_masks: th.Tensor


class MaskedNStepReplayBuffer(ReplayBuffer):
    """n-step replay buffer carrying the legal-action mask of each next state.

    :param n_steps: maximal number of rewards summed per sample (n >= 1).
    :param gamma: discount used for the summed rewards and the bootstrap.
    Other parameters as in ``stable_baselines3.common.buffers.ReplayBuffer``
    (``optimize_memory_usage`` is not supported).
    """

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        device: th.device | str = "cpu",
        n_envs: int = 1,
        optimize_memory_usage: bool = False,
        handle_timeout_termination: bool = True,
        n_steps: int = 1,
        gamma: float = 0.99,
    ) -> None:
        if not isinstance(action_space, spaces.Discrete):
            raise TypeError(f"MaskedNStepReplayBuffer needs a Discrete action space, got {action_space}")
        if optimize_memory_usage:
            raise ValueError("MaskedNStepReplayBuffer does not support optimize_memory_usage=True")
        if int(n_steps) != n_steps or n_steps < 1:
            raise ValueError(f"n_steps must be an integer >= 1, got {n_steps}")
        if not 0.0 <= gamma <= 1.0:
            raise ValueError(f"gamma must lie in [0, 1], got {gamma}")
        super().__init__(
            buffer_size,
            observation_space,
            action_space,
            device=device,
            n_envs=n_envs,
            optimize_memory_usage=False,
            handle_timeout_termination=handle_timeout_termination,
        )
        self.n_steps = int(n_steps)
        self.gamma = float(gamma)
        self.n_actions = int(action_space.n)
        self.next_action_masks = np.ones((self.buffer_size, self.n_envs, self.n_actions), dtype=bool)
        self._staged_masks: np.ndarray | None = None

    def stage_next_action_masks(self, masks: np.ndarray) -> None:
        """Set the next-state masks that the following ``add`` call will store.

        Lets an algorithm hand over masks while SB3's own ``_store_transition``
        makes the ``add`` call with its fixed positional signature.
        """
        self._staged_masks = self._check_masks(masks)

    def _check_masks(self, masks: np.ndarray) -> np.ndarray:
        masks = np.asarray(masks)
        if masks.dtype != bool:
            raise TypeError(f"action masks must be boolean, got dtype {masks.dtype}")
        if masks.shape != (self.n_envs, self.n_actions):
            raise ValueError(f"action masks must have shape {(self.n_envs, self.n_actions)}, got {masks.shape}")
        return masks

    def add(
        self,
        obs: np.ndarray,
        next_obs: np.ndarray,
        action: np.ndarray,
        reward: np.ndarray,
        done: np.ndarray,
        infos: list[dict[str, Any]],
        next_action_masks: np.ndarray | None = None,
    ) -> None:
        """Store one vectorized transition and the masks of its next observations."""
        if next_action_masks is None:
            if self._staged_masks is None:
                raise ValueError(
                    "MaskedNStepReplayBuffer.add needs the next-state action masks: pass next_action_masks= "
                    "or call stage_next_action_masks() first"
                )
            next_action_masks = self._staged_masks
        masks = self._check_masks(next_action_masks)
        self._staged_masks = None
        self.next_action_masks[self.pos] = masks
        super().add(obs, next_obs, action, reward, done, infos)

    def _get_samples(self, batch_inds: np.ndarray, env: VecNormalize | None = None) -> MaskedReplayBufferSamples:
        batch_inds = np.asarray(batch_inds)
        env_inds = np.random.randint(0, self.n_envs, size=batch_inds.shape)
        n = self.n_steps
        idx = (batch_inds[:, None] + np.arange(n)[None, :]) % self.buffer_size  # [B, n]
        e = env_inds[:, None]
        # Episode end (terminated or truncated; SB3 stores both in `dones`), or
        # the newest transition, whose successor is not in the buffer: the
        # sequence must stop there, it cannot read the next (or stale) slot.
        newest = (self.pos - 1) % self.buffer_size
        stop = (self.dones[idx, e] > 0) | (idx == newest)
        stop[:, -1] = True
        last = stop.argmax(axis=1)  # first stop, inclusive
        used = np.arange(n)[None, :] <= last[:, None]
        rewards = self._normalize_reward(self.rewards[idx, e], env)
        powers = self.gamma ** np.arange(n, dtype=np.float64)
        returns = (rewards * powers[None, :] * used).sum(axis=1, keepdims=True)
        discounts = self.gamma ** (last[:, None] + 1.0)
        last_idx = idx[np.arange(len(batch_inds)), last]
        dones = self.dones[last_idx, env_inds]
        if self.handle_timeout_termination:
            dones = dones * (1.0 - self.timeouts[last_idx, env_inds])
        return MaskedReplayBufferSamples(
            observations=self.to_torch(self._normalize_obs(self.observations[batch_inds, env_inds], env)),
            actions=self.to_torch(self.actions[batch_inds, env_inds]),
            next_observations=self.to_torch(self._normalize_obs(self.next_observations[last_idx, env_inds], env)),
            dones=self.to_torch(dones.reshape(-1, 1).astype(np.float32)),
            rewards=self.to_torch(returns.astype(np.float32)),
            discounts=self.to_torch(discounts.astype(np.float32)),
            next_action_masks=th.as_tensor(self.next_action_masks[last_idx, env_inds], device=self.device),
        )
