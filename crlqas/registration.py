"""Gymnasium ids for every task: ``crlqas/<task>-v0`` (noiseless) and ``crlqas/<task>-<preset>-v0``.

Presets are mumbai-median, mumbai-max and mumbai-10max. Defaults are the
paper's settings (see :class:`crlqas.env.QASEnv`); every option can be
overridden with ``gymnasium.make(id, **kwargs)``. The env handles its own
episode budgets, so no TimeLimit wrapper is added.
"""

from __future__ import annotations

import gymnasium as gym

ENTRY_POINT = "crlqas.env:QASEnv"
NAMESPACE = "crlqas"
#: preset names, kept here (not imported from noise_presets) so registration stays import-light
DEVICE_PRESETS = ("mumbai-median", "mumbai-max", "mumbai-10max")


def env_id(task: str, noise: str | None = None) -> str:
    """The registered id for ``task`` with an optional device preset."""
    return f"{NAMESPACE}/{task}-v0" if noise is None else f"{NAMESPACE}/{task}-{noise}-v0"


def register_envs(task_names: list[str] | None = None) -> list[str]:
    """Register (once) the ids of ``task_names`` (default: every known task); returns all crlqas ids."""
    if task_names is None:
        from crlqas import tasks

        task_names = tasks.names()
    ids = []
    for task in task_names:
        for noise in (None, *DEVICE_PRESETS):
            name = env_id(task, noise)
            ids.append(name)
            if name in gym.registry:
                continue
            kwargs = {"task": task} if noise is None else {"task": task, "noise": noise}
            gym.register(id=name, entry_point=ENTRY_POINT, kwargs=kwargs, max_episode_steps=None)
    return ids


def registered_ids() -> list[str]:
    """Every crlqas id currently in the Gymnasium registry."""
    return sorted(k for k in gym.registry if k.startswith(NAMESPACE + "/"))
