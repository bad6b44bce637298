"""``make_agent`` / ``load_agent``: build or restore an agent by name and profile."""

from __future__ import annotations

import inspect
import pathlib
from typing import Any

import gymnasium as gym
from sb3_contrib import MaskablePPO
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.type_aliases import GymEnv
from stable_baselines3.common.vec_env import VecEnv
from torch import nn

from agents.dqn import MaskedDoubleDQN
from agents.masks import has_masks
from agents.ppo import make_maskable_ppo
from agents.profiles import ACTIVATIONS, PROFILES, ProfileContext

AGENTS: dict[str, type[BaseAlgorithm]] = {"dqn": MaskedDoubleDQN, "ppo": MaskablePPO}
"""Agent classes by name."""

_CONTEXT_KEYS = ("max_layers", "n_qubits", "noisy")
_POLICY_KEYS = ("net_arch", "activation_fn")
# Set by make_agent's own arguments or fixed (device is always CPU).
_RESERVED = ("self", "policy", "env", "seed", "tensorboard_log", "verbose", "device", "_init_setup_model")


def accepted_overrides(name: str) -> list[str]:
    """Override keys ``make_agent`` accepts for agent ``name``."""
    cls = _agent_class(name)
    params = [p for p in inspect.signature(cls.__init__).parameters if p not in _RESERVED]
    return sorted({*params, *_POLICY_KEYS, *_CONTEXT_KEYS})


def _agent_class(name: str) -> type[BaseAlgorithm]:
    if name not in AGENTS:
        raise ValueError(f"unknown agent {name!r}; accepted: {sorted(AGENTS)}")
    return AGENTS[name]


def _env_attr(env: GymEnv, attr: str) -> Any:
    """``env.unwrapped.<attr>`` for a plain or vectorized env, None if absent."""
    try:
        if isinstance(env, VecEnv):
            return env.get_attr(attr, indices=[0])[0]
        return getattr(env.unwrapped, attr, None)
    except (AttributeError, TypeError):
        return None


def _context(env: GymEnv, overrides: dict[str, Any]) -> ProfileContext:
    n_qubits = overrides.pop("n_qubits", None)
    if n_qubits is None:
        n_qubits = _env_attr(env, "n_qubits")
    if n_qubits is None:
        n_qubits = _env_attr(env, "num_qubits")
    max_layers = overrides.pop("max_layers", None)
    if max_layers is None:
        max_layers = _env_attr(env, "max_layers")
    noisy = overrides.pop("noisy", None)
    if noisy is None:
        noisy = _env_attr(env, "noisy")
    return ProfileContext(
        max_layers=None if max_layers is None else int(max_layers),
        n_qubits=None if n_qubits is None else int(n_qubits),
        noisy=bool(noisy),
    )


def _activation(value: Any) -> type[nn.Module]:
    if isinstance(value, str):
        if value not in ACTIVATIONS:
            raise ValueError(f"unknown activation_fn {value!r}; accepted: {sorted(ACTIVATIONS)}")
        return ACTIVATIONS[value]
    if isinstance(value, type) and issubclass(value, nn.Module):
        return value
    raise TypeError(f"activation_fn must be a name in {sorted(ACTIVATIONS)} or an nn.Module class, got {value!r}")


def resolve_profile(name: str, env: GymEnv, profile: str = "fast", **overrides: Any) -> dict[str, Any]:
    """Constructor kwargs for agent ``name``: the profile's, then ``overrides`` on top.

    ``net_arch`` and ``activation_fn`` (a class or a name such as
    ``"leaky_relu"``) go into ``policy_kwargs``; ``max_layers``, ``n_qubits``,
    ``noisy`` replace what the profile would read from the env.
    """
    _agent_class(name)
    if name == "ppo" and profile.startswith("ppo-"):
        profile = profile[len("ppo-") :]
    if profile not in PROFILES[name]:
        raise ValueError(f"unknown profile {profile!r} for agent {name!r}; accepted: {sorted(PROFILES[name])}")
    accepted = accepted_overrides(name)
    unknown = sorted(set(overrides) - set(accepted))
    if unknown:
        raise ValueError(f"unknown override(s) {unknown} for agent {name!r}; accepted: {accepted}")
    overrides = dict(overrides)
    kwargs = PROFILES[name][profile](_context(env, overrides))
    policy_kwargs = dict(kwargs.get("policy_kwargs") or {})
    policy_kwargs.update(overrides.pop("policy_kwargs", None) or {})
    if "net_arch" in overrides:
        policy_kwargs["net_arch"] = overrides.pop("net_arch")
    if "activation_fn" in overrides:
        policy_kwargs["activation_fn"] = overrides.pop("activation_fn")
    if "activation_fn" in policy_kwargs:
        policy_kwargs["activation_fn"] = _activation(policy_kwargs["activation_fn"])
    kwargs.update(overrides)
    kwargs["policy_kwargs"] = policy_kwargs
    return kwargs


def make_agent(
    name: str,
    env: GymEnv,
    profile: str = "fast",
    seed: int | None = None,
    tensorboard_log: str | None = None,
    verbose: int = 0,
    **overrides: Any,
) -> BaseAlgorithm:
    """Build agent ``name`` ("dqn" or "ppo") on a masked env (or a registered env id).

    Every hyperparameter of the profile can be overridden by keyword; unknown
    names, profiles or override keys raise ``ValueError`` listing the
    accepted ones. The agent always runs on CPU.
    """
    if isinstance(env, str):
        env = gym.make(env)
    kwargs = resolve_profile(name, env, profile, **overrides)
    if not has_masks(env):
        raise ValueError(f"agent {name!r} needs an env with an action_masks() method (True = legal action)")
    if name == "ppo":
        return make_maskable_ppo(env, seed=seed, tensorboard_log=tensorboard_log, verbose=verbose, **kwargs)
    return MaskedDoubleDQN(
        "MlpPolicy", env, seed=seed, tensorboard_log=tensorboard_log, verbose=verbose, device="cpu", **kwargs
    )


def load_agent(name: str, path: str | pathlib.Path, env: GymEnv | None = None) -> BaseAlgorithm:
    """Load an agent saved with ``agent.save(path)``, on CPU, optionally attached to ``env``."""
    return _agent_class(name).load(path, env=env, device="cpu")
