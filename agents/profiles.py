"""Hyperparameter profiles: named recipes turning an env's sizes into agent kwargs.

A profile is a function ``ProfileContext -> dict`` of constructor keyword
arguments (``policy_kwargs`` included). The context carries what the paper's
settings depend on: the layer budget L (for gamma), the qubit count (for the
net width and n), and whether the task is noisy (for the learning rate).
``make_agent`` fills it from the env (``max_layers``, ``n_qubits`` or
``num_qubits``, ``noisy`` attributes of ``env.unwrapped``) or from overrides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from torch import nn


@dataclass(frozen=True)
class ProfileContext:
    """What a profile may depend on; None means unknown."""

    max_layers: int | None = None
    n_qubits: int | None = None
    noisy: bool = False


def paper_gamma(max_layers: int) -> float:
    """The paper's discount for a layer budget L: round(0.005 ** (1 / L), 2)."""
    if int(max_layers) != max_layers or max_layers < 1:
        raise ValueError(f"max_layers must be an integer >= 1, got {max_layers}")
    return round(0.005 ** (1.0 / max_layers), 2)


def paper_width(n_qubits: int | None) -> int:
    """Hidden width used in the paper: 1000 up to 4 qubits, 2000 for 5-6, 5000 beyond."""
    if n_qubits is None or n_qubits <= 4:
        return 1000
    return 2000 if n_qubits <= 6 else 5000


def paper_n_steps(n_qubits: int | None) -> int:
    """n of the n-step return in the paper: 5 up to 4 qubits, 6 beyond."""
    return 5 if n_qubits is None or n_qubits <= 4 else 6


def _gamma(ctx: ProfileContext, profile: str, default: float | None) -> float:
    if ctx.max_layers is not None:
        return paper_gamma(ctx.max_layers)
    if default is None:
        raise ValueError(
            f"profile {profile!r} derives gamma from the layer budget: the env has no `max_layers` "
            "attribute, so pass max_layers=L (or gamma=...) to make_agent"
        )
    return default


def dqn_paper(ctx: ProfileContext) -> dict[str, Any]:
    """The paper's double DQN: MLP 5 x width LeakyReLU, batch 1000, sync every 500 updates."""
    return dict(
        learning_rate=3e-4 if ctx.noisy else 1e-4,
        buffer_size=20_000,
        learning_starts=1_000,
        batch_size=1_000,
        gamma=_gamma(ctx, "paper", None),
        train_freq=1,
        gradient_steps=1,
        n_steps=paper_n_steps(ctx.n_qubits),
        target_update_interval=500,
        epsilon_schedule="multiplicative",
        epsilon_decay=0.99995,
        exploration_initial_eps=1.0,
        exploration_final_eps=0.05,
        policy_kwargs=dict(net_arch=[paper_width(ctx.n_qubits)] * 5, activation_fn=nn.LeakyReLU),
    )


def dqn_fast(ctx: ProfileContext) -> dict[str, Any]:
    """Small double DQN for a 2-core CPU: 3 x 256, batch 64, epsilon 0.999 per update."""
    return dict(
        learning_rate=5e-4,
        buffer_size=20_000,
        learning_starts=256,
        batch_size=64,
        gamma=_gamma(ctx, "fast", 0.99),
        train_freq=1,
        gradient_steps=1,
        n_steps=5,
        target_update_interval=250,
        epsilon_schedule="multiplicative",
        epsilon_decay=0.999,
        exploration_initial_eps=1.0,
        exploration_final_eps=0.05,
        policy_kwargs=dict(net_arch=[256] * 3, activation_fn=nn.LeakyReLU),
    )


def ppo_paper(ctx: ProfileContext) -> dict[str, Any]:
    """Maskable PPO with the paper's network and discount (the paper itself uses DQN)."""
    width = paper_width(ctx.n_qubits)
    return dict(
        learning_rate=3e-4 if ctx.noisy else 1e-4,
        n_steps=2048,
        batch_size=256,
        n_epochs=10,
        gamma=_gamma(ctx, "paper", None),
        gae_lambda=0.95,
        ent_coef=0.01,
        policy_kwargs=dict(net_arch=[width] * 5, activation_fn=nn.LeakyReLU),
    )


def ppo_fast(ctx: ProfileContext) -> dict[str, Any]:
    """Small maskable PPO for a 2-core CPU: 2 x 256, rollouts of 256 steps."""
    return dict(
        learning_rate=3e-4,
        n_steps=256,
        batch_size=64,
        n_epochs=4,
        gamma=_gamma(ctx, "fast", 0.99),
        gae_lambda=0.95,
        ent_coef=0.01,
        policy_kwargs=dict(net_arch=[256] * 2, activation_fn=nn.LeakyReLU),
    )


PROFILES: dict[str, dict[str, Callable[[ProfileContext], dict[str, Any]]]] = {
    "dqn": {"paper": dqn_paper, "fast": dqn_fast},
    "ppo": {"paper": ppo_paper, "fast": ppo_fast},
}
"""Profiles per agent name: ``PROFILES[agent][profile](ctx) -> kwargs``."""

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "leaky_relu": nn.LeakyReLU,
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "gelu": nn.GELU,
}
"""Activation names accepted in overrides (handy in TOML configs)."""
