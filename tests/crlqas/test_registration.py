"""Gymnasium registration: ids, fresh-interpreter make, kwargs overrides, no torch, random masked episodes."""

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest

import crlqas
from crlqas import tasks
from crlqas.registration import DEVICE_PRESETS, env_id, registered_ids

FAST = {"max_layers": 4, "optimizer_options": {"iterations": 2}}


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_import_does_not_import_torch():
    proc = _run("import sys, crlqas; print('torch' in sys.modules)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_make_with_module_prefix_in_a_fresh_interpreter():
    proc = _run("import gymnasium as gym\n"
                "env = gym.make('crlqas:crlqas/H2-2q-v0', optimizer_options={'iterations': 3})\n"
                "obs, info = env.reset(seed=0)\n"
                "obs, r, term, trunc, info = env.step(2)\n"
                "print(type(env.unwrapped).__name__, obs.shape, env.spec.max_episode_steps)")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["QASEnv", "(401,)", "None"]


def test_every_task_has_a_noiseless_and_three_device_ids():
    ids = registered_ids()
    for task in tasks.names():
        assert env_id(task) in ids
        for preset in DEVICE_PRESETS:
            assert env_id(task, preset) in ids
    assert "crlqas/H2-2q-mumbai-median-v0" in ids and "crlqas/LiH-4q-mumbai-median-v0" in ids
    assert len(ids) == 4 * len(tasks.names())
    assert sorted(crlqas.registration.register_envs()) == ids  # registering again is a no-op


def test_registered_defaults_and_overrides():
    env = gym.make("crlqas/H2-2q-mumbai-median-v0")
    u = env.unwrapped
    assert u.noisy and u.task.name == "H2-2q" and u.max_layers == 40
    assert (u.optimizer.a, u.optimizer.iterations) == (1.2104, 250)
    assert env.spec.max_episode_steps is None
    custom = gym.make("crlqas/H2-2q-mumbai-median-v0", noise=None, max_layers=7, curriculum="none")
    assert not custom.unwrapped.noisy and custom.unwrapped.max_layers == 7
    lih = gym.make("crlqas/LiH-4q-mumbai-median-v0").unwrapped
    assert lih.optimizer.a == 1.8658 and lih.action_space.n == 24


@pytest.mark.parametrize("env_name", [i for i in registered_ids()])
def test_random_masked_agent_runs_whole_episodes(env_name):
    env = gym.make(env_name, **FAST)
    rng = np.random.default_rng(0)
    for episode in range(2):
        obs, info = env.reset(seed=episode)
        done = False
        while not done:
            assert env.observation_space.contains(obs)
            action = int(rng.choice(np.flatnonzero(env.unwrapped.action_masks())))
            obs, reward, terminated, truncated, info = env.step(action)
            assert np.isfinite(reward) and -5 <= reward <= 5
            done = terminated or truncated
        assert info["episode_steps"] <= 4
