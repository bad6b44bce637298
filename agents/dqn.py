"""Masked double DQN with n-step returns, on stable-baselines3's DQN.

Differences from ``stable_baselines3.DQN``:

* Action masks (env method ``action_masks()``, True = legal) are applied in
  the greedy branch, in the random branch (uniform over legal actions), and
  in the target's argmax, which uses the mask of the *next* state stored in
  the replay buffer.
* Double-Q target: r_n + gamma^k (1 - done) Q_target(s', argmax_{a legal in s'} Q_online(s', a)),
  where r_n sums up to n rewards and k is the number of rewards summed
  (``MaskedNStepReplayBuffer``). A next state with no legal action is treated
  as terminal.
* The hard target sync counts *gradient updates* (``target_update_interval``
  updates, as in the paper), not env steps as SB3's DQN does.
* Epsilon is either ``"multiplicative"`` (eps = max(final, initial * decay^updates),
  the paper's 1.0 -> 0.05 with decay 0.99995 per update) or ``"linear"``
  (SB3's ``exploration_fraction`` schedule over env steps).
* ``predict`` takes ``action_masks=`` and defaults to ``deterministic=True``.

Everything else (policy/QNetwork, Huber loss, logger, callbacks, save/load,
``save_replay_buffer``) is SB3's.
"""

from __future__ import annotations

import warnings
from typing import Any

import gymnasium as gym
import numpy as np
import torch as th
from stable_baselines3 import DQN
from stable_baselines3.common.type_aliases import GymEnv, Schedule
from stable_baselines3.common.utils import polyak_update
from stable_baselines3.common.vec_env import VecEnv
from stable_baselines3.dqn.policies import DQNPolicy
from torch.nn import functional as F

from agents.masks import TERMINAL_MASK_KEY, TerminalMaskInfo, check_masks, has_masks, sample_legal, vec_masks
from agents.nstep_buffer import MaskedNStepReplayBuffer, MaskedReplayBufferSamples

EPSILON_SCHEDULES = ("multiplicative", "linear")


class MaskedDoubleDQN(DQN):
    """Double DQN that never picks a masked action, with n-step returns.

    Parameters are those of ``stable_baselines3.DQN`` except:

    :param n_steps: rewards summed per target (n-step return), n >= 1.
    :param target_update_interval: gradient updates between hard target syncs
        (``tau=1``; a smaller ``tau`` makes it a Polyak step at the same cadence).
    :param epsilon_schedule: ``"multiplicative"`` or ``"linear"``.
    :param epsilon_decay: per-update factor of the multiplicative schedule.
    :param device: defaults to ``"cpu"``.
    """

    def __init__(
        self,
        policy: str | type[DQNPolicy],
        env: GymEnv | str | None,
        learning_rate: float | Schedule = 1e-4,
        buffer_size: int = 20_000,
        learning_starts: int = 1_000,
        batch_size: int = 1_000,
        tau: float = 1.0,
        gamma: float = 0.99,
        train_freq: int | tuple[int, str] = 1,
        gradient_steps: int = 1,
        replay_buffer_class: type[MaskedNStepReplayBuffer] | None = None,
        replay_buffer_kwargs: dict[str, Any] | None = None,
        n_steps: int = 1,
        target_update_interval: int = 500,
        epsilon_schedule: str = "multiplicative",
        epsilon_decay: float = 0.99995,
        exploration_fraction: float = 0.1,
        exploration_initial_eps: float = 1.0,
        exploration_final_eps: float = 0.05,
        max_grad_norm: float = 10.0,
        stats_window_size: int = 100,
        tensorboard_log: str | None = None,
        policy_kwargs: dict[str, Any] | None = None,
        verbose: int = 0,
        seed: int | None = None,
        device: th.device | str = "cpu",
        _init_setup_model: bool = True,
    ) -> None:
        if epsilon_schedule not in EPSILON_SCHEDULES:
            raise ValueError(f"epsilon_schedule must be one of {EPSILON_SCHEDULES}, got {epsilon_schedule!r}")
        if not 0.0 < epsilon_decay <= 1.0:
            raise ValueError(f"epsilon_decay must lie in (0, 1], got {epsilon_decay}")
        if int(target_update_interval) != target_update_interval or target_update_interval < 1:
            raise ValueError(f"target_update_interval must be an integer >= 1, got {target_update_interval}")
        if int(n_steps) != n_steps or n_steps < 1:
            raise ValueError(f"n_steps must be an integer >= 1, got {n_steps}")
        if replay_buffer_class is not None and not issubclass(replay_buffer_class, MaskedNStepReplayBuffer):
            raise TypeError("replay_buffer_class must subclass agents.nstep_buffer.MaskedNStepReplayBuffer")
        super().__init__(
            policy,
            env,
            learning_rate=learning_rate,
            buffer_size=buffer_size,
            learning_starts=learning_starts,
            batch_size=batch_size,
            tau=tau,
            gamma=gamma,
            train_freq=train_freq,
            gradient_steps=gradient_steps,
            replay_buffer_class=replay_buffer_class or MaskedNStepReplayBuffer,
            replay_buffer_kwargs=replay_buffer_kwargs,
            target_update_interval=int(target_update_interval),
            exploration_fraction=exploration_fraction,
            exploration_initial_eps=exploration_initial_eps,
            exploration_final_eps=exploration_final_eps,
            max_grad_norm=max_grad_norm,
            stats_window_size=stats_window_size,
            tensorboard_log=tensorboard_log,
            policy_kwargs=policy_kwargs,
            verbose=verbose,
            seed=seed,
            device=device,
            _init_setup_model=False,
        )
        self.n_steps = int(n_steps)
        self.epsilon_schedule = epsilon_schedule
        self.epsilon_decay = float(epsilon_decay)
        self._last_masks: np.ndarray | None = None
        self._warned_terminal_mask = False
        if self.env is not None and not has_masks(self.env):
            raise ValueError("MaskedDoubleDQN needs an env with an action_masks() method (True = legal action)")
        if _init_setup_model:
            self._setup_model()

    # --- setup -------------------------------------------------------------

    @staticmethod
    def _wrap_env(env: GymEnv, verbose: int = 0, monitor_wrapper: bool = True) -> VecEnv:
        # A plain env gets TerminalMaskInfo so truncated episodes can bootstrap
        # with the final state's mask; a ready-made VecEnv is taken as is.
        if not isinstance(env, VecEnv) and isinstance(env, gym.Env):
            wrapped, found = env, False
            while isinstance(wrapped, gym.Wrapper):
                found = found or isinstance(wrapped, TerminalMaskInfo)
                wrapped = wrapped.env
            if not found:
                env = TerminalMaskInfo(env)
        return DQN._wrap_env(env, verbose, monitor_wrapper)

    def _setup_model(self) -> None:
        self.replay_buffer_kwargs = {**self.replay_buffer_kwargs, "n_steps": self.n_steps, "gamma": self.gamma}
        # SB3 warns that `n_steps` is ignored with a custom buffer class; ours
        # consumes it through replay_buffer_kwargs, so hide it from the base.
        n_steps, self.n_steps = self.n_steps, 1
        try:
            super()._setup_model()
        finally:
            self.n_steps = n_steps
        self.exploration_rate = self._epsilon()

    def _excluded_save_params(self) -> list[str]:
        return [*super()._excluded_save_params(), "_last_masks"]

    def _setup_learn(self, *args: Any, **kwargs: Any):
        self._last_masks = None  # the env may have been reset or replaced
        return super()._setup_learn(*args, **kwargs)

    # --- exploration and target sync ----------------------------------------

    def _epsilon(self) -> float:
        if self.epsilon_schedule == "multiplicative":
            eps = self.exploration_initial_eps * self.epsilon_decay**self._n_updates
            return float(max(self.exploration_final_eps, eps))
        return float(self.exploration_schedule(self._current_progress_remaining))

    def _on_step(self) -> None:
        # Replaces SB3's per-env-step target sync: ours runs per update in train().
        self._n_calls += 1
        self.exploration_rate = self._epsilon()
        self.logger.record("rollout/exploration_rate", self.exploration_rate)

    def _sync_target(self) -> None:
        polyak_update(self.q_net.parameters(), self.q_net_target.parameters(), self.tau)
        polyak_update(self.batch_norm_stats, self.batch_norm_stats_target, 1.0)

    # --- learning -----------------------------------------------------------

    def compute_targets(self, batch: MaskedReplayBufferSamples) -> th.Tensor:
        """Masked double-Q n-step targets for a sampled batch, shape (B, 1)."""
        with th.no_grad():
            masks = batch.next_action_masks.bool()
            online = self.q_net(batch.next_observations)
            best = online.masked_fill(~masks, -th.inf).argmax(dim=1, keepdim=True)
            next_q = th.gather(self.q_net_target(batch.next_observations), 1, best)
            # No legal action in s' means nothing to bootstrap from.
            alive = (1.0 - batch.dones) * masks.any(dim=1, keepdim=True).float()
            return batch.rewards + alive * batch.discounts * next_q

    def train(self, gradient_steps: int, batch_size: int = 100) -> None:
        """Run ``gradient_steps`` Huber-loss updates, syncing the target every
        ``target_update_interval`` updates and decaying epsilon per update."""
        self.policy.set_training_mode(True)
        self._update_learning_rate(self.policy.optimizer)
        losses = []
        for _ in range(gradient_steps):
            batch = self.replay_buffer.sample(batch_size, env=self._vec_normalize_env)  # type: ignore[union-attr]
            target = self.compute_targets(batch)
            current = th.gather(self.q_net(batch.observations), 1, batch.actions.long())
            loss = F.smooth_l1_loss(current, target)
            losses.append(loss.item())
            self.policy.optimizer.zero_grad()
            loss.backward()
            th.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm)
            self.policy.optimizer.step()
            self._n_updates += 1
            if self._n_updates % self.target_update_interval == 0:
                self._sync_target()
        self.exploration_rate = self._epsilon()
        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
        self.logger.record("train/loss", float(np.mean(losses)) if losses else float("nan"))

    # --- acting ---------------------------------------------------------------

    def _current_masks(self) -> np.ndarray:
        if self._last_masks is None:
            self._last_masks = vec_masks(self.env, int(self.action_space.n))  # type: ignore[arg-type]
        return self._last_masks

    def _sample_action(self, learning_starts: int, action_noise: Any = None, n_envs: int = 1):
        masks = self._current_masks()
        if self.num_timesteps < learning_starts:
            action = sample_legal(masks)
        else:
            action, _ = self.predict(self._last_obs, deterministic=False, action_masks=masks)  # type: ignore[arg-type]
        action = np.asarray(action).reshape(n_envs)
        return action, action

    def _store_transition(self, replay_buffer, buffer_action, new_obs, reward, dones, infos) -> None:
        masks = vec_masks(self.env, int(self.action_space.n))  # type: ignore[arg-type]
        next_masks = masks.copy()
        for i, done in enumerate(dones):
            if not done:
                continue
            final = infos[i].get(TERMINAL_MASK_KEY)
            if final is not None:
                next_masks[i] = np.asarray(final, dtype=bool)
            else:
                # Unknown final mask: harmless after a termination (no
                # bootstrap); after a truncation the target may use any action.
                next_masks[i] = True
                if infos[i].get("TimeLimit.truncated", False) and not self._warned_terminal_mask:
                    self._warned_terminal_mask = True
                    warnings.warn(
                        f"truncated episode without info[{TERMINAL_MASK_KEY!r}]: its bootstrap target is "
                        "unmasked. Pass a plain gym.Env (it gets wrapped) or wrap each sub-env in "
                        "agents.masks.TerminalMaskInfo before vectorizing.",
                        stacklevel=2,
                    )
        replay_buffer.stage_next_action_masks(next_masks)
        super()._store_transition(replay_buffer, buffer_action, new_obs, reward, dones, infos)
        self._last_masks = masks

    def predict(
        self,
        observation: np.ndarray | dict[str, np.ndarray],
        state: tuple[np.ndarray, ...] | None = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
        action_masks: np.ndarray | None = None,
    ) -> tuple[np.ndarray, tuple[np.ndarray, ...] | None]:
        """Epsilon-greedy (``deterministic=False``) or greedy action, masked if
        ``action_masks`` is given (shape (n_actions,) or (n_envs, n_actions)).
        Without masks it behaves like SB3's DQN."""
        if action_masks is None:
            return super().predict(observation, state, episode_start, deterministic)
        self.policy.set_training_mode(False)
        obs_tensor, vectorized = self.policy.obs_to_tensor(observation)
        first = next(iter(obs_tensor.values())) if isinstance(obs_tensor, dict) else obs_tensor
        n_rows = int(first.shape[0])
        masks = check_masks(action_masks, int(self.action_space.n), n_rows)
        with th.no_grad():
            q = self.q_net(obs_tensor)
        q = q.masked_fill(~th.as_tensor(masks, device=q.device), -th.inf)
        action = q.argmax(dim=1).cpu().numpy()
        if not deterministic and self.exploration_rate > 0:
            explore = np.random.rand(n_rows) < self.exploration_rate
            if explore.any():
                action[explore] = sample_legal(masks[explore])
        if not vectorized:
            action = action.squeeze(axis=0)
        return action, state

