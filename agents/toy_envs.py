"""Tiny masked Gymnasium envs for tests and docs.

Both envs raise ``ValueError`` when given an illegal action, so an agent that
ever ignores the mask fails loudly instead of silently scoring worse.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

LEFT, RIGHT, JUMP, TELEPORT = 0, 1, 2, 3


class MaskedCorridor(gym.Env):
    """Walk from cell 0 to the last cell of a corridor; some moves are illegal.

    Actions: 0 left (illegal at cell 0), 1 right, 2 jump two cells (legal only
    on even cells and when it does not overshoot), 3 teleport to the goal
    (always illegal: a tempting action that the mask must keep out).
    Reward: ``goal_reward`` on reaching the goal (terminated), ``step_reward``
    otherwise; truncated after ``max_steps`` steps. Observation: one-hot cell.
    With the defaults (length 6) the optimal return is 1 - 2 * 0.1 = 0.8
    (jump, jump, right).
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        length: int = 6,
        max_steps: int = 20,
        step_reward: float = -0.1,
        goal_reward: float = 1.0,
    ) -> None:
        if length < 3:
            raise ValueError(f"length must be >= 3, got {length}")
        if max_steps < 1:
            raise ValueError(f"max_steps must be >= 1, got {max_steps}")
        self.length = int(length)
        self.max_steps = int(max_steps)
        self.step_reward = float(step_reward)
        self.goal_reward = float(goal_reward)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(self.length,), dtype=np.float32)
        self.action_space = spaces.Discrete(4)
        self._pos = 0
        self._t = 0

    def optimal_return(self) -> float:
        """Best achievable episode return (jumps as far as possible, then steps)."""
        goal = self.length - 1
        n_moves = goal // 2 + goal % 2
        return self.goal_reward + (n_moves - 1) * self.step_reward

    def _obs(self) -> np.ndarray:
        obs = np.zeros(self.length, dtype=np.float32)
        obs[self._pos] = 1.0
        return obs

    def action_masks(self) -> np.ndarray:
        """Boolean mask over actions, True = legal in the current state."""
        mask = np.zeros(4, dtype=bool)
        mask[LEFT] = self._pos > 0
        mask[RIGHT] = True
        mask[JUMP] = self._pos % 2 == 0 and self._pos + 2 <= self.length - 1
        return mask

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._pos = 0
        self._t = 0
        return self._obs(), {}

    def step(self, action):
        a = int(action)
        if not (0 <= a < 4) or not self.action_masks()[a]:
            raise ValueError(f"illegal action {a} at cell {self._pos} (mask {self.action_masks().tolist()})")
        self._pos += {LEFT: -1, RIGHT: 1, JUMP: 2}[a]
        self._t += 1
        terminated = self._pos == self.length - 1
        truncated = (not terminated) and self._t >= self.max_steps
        reward = self.goal_reward if terminated else self.step_reward
        return self._obs(), reward, terminated, truncated, {}


class MaskedBandit(gym.Env):
    """One-step bandit whose best arm is always illegal.

    Arm rewards default to (0.1, 0.5, 1.0, 0.2) with arm 2 masked, so the best
    legal arm is 1. Observation is a constant vector of ones.
    """

    metadata = {"render_modes": []}

    def __init__(self, rewards: tuple[float, ...] = (0.1, 0.5, 1.0, 0.2), masked_arm: int = 2) -> None:
        if not 0 <= masked_arm < len(rewards):
            raise ValueError(f"masked_arm {masked_arm} out of range for {len(rewards)} arms")
        self.rewards = tuple(float(r) for r in rewards)
        self.masked_arm = int(masked_arm)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(2,), dtype=np.float32)
        self.action_space = spaces.Discrete(len(self.rewards))

    def action_masks(self) -> np.ndarray:
        """Boolean mask over arms, True = legal."""
        mask = np.ones(len(self.rewards), dtype=bool)
        mask[self.masked_arm] = False
        return mask

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        return np.ones(2, dtype=np.float32), {}

    def step(self, action):
        a = int(action)
        if not (0 <= a < len(self.rewards)) or not self.action_masks()[a]:
            raise ValueError(f"illegal arm {a}")
        return np.ones(2, dtype=np.float32), self.rewards[a], True, False, {}


class ActionRecorder(gym.Wrapper):
    """Record every action passed to the wrapped env with the mask it was taken under."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.actions: list[int] = []
        self.masks: list[np.ndarray] = []

    def action_masks(self) -> np.ndarray:
        """Forward the wrapped env's mask."""
        return np.asarray(self.env.get_wrapper_attr("action_masks")(), dtype=bool)

    def step(self, action):
        self.masks.append(self.action_masks().copy())
        self.actions.append(int(action))
        return self.env.step(action)

    def n_illegal(self) -> int:
        """How many recorded actions were illegal under their mask."""
        return sum(not m[a] for a, m in zip(self.actions, self.masks))
