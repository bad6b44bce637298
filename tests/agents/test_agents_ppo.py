"""Maskable PPO wiring: runs with the env's masks and never takes a masked action."""

import numpy as np
from sb3_contrib import MaskablePPO

from agents import load_agent, make_agent
from agents.toy_envs import ActionRecorder, MaskedBandit, MaskedCorridor


def test_ppo_learns_with_masks(tmp_path):
    env = ActionRecorder(MaskedCorridor(max_steps=8))
    model = make_agent("ppo", env, profile="fast", seed=0, n_steps=64, batch_size=32, net_arch=[32])
    assert isinstance(model, MaskablePPO) and str(model.device) == "cpu"
    model.learn(256)
    assert len(env.actions) >= 256 and env.n_illegal() == 0
    model.save(tmp_path / "ppo.zip")
    loaded = load_agent("ppo", tmp_path / "ppo.zip")
    obs = np.eye(6, dtype=np.float32)[2]
    mask = MaskedCorridor().action_masks()
    for _ in range(50):
        action, _ = loaded.predict(obs, deterministic=False, action_masks=mask)
        assert mask[int(action)]


def test_ppo_bandit_never_pulls_masked_arm():
    env = ActionRecorder(MaskedBandit())
    model = make_agent("ppo", env, profile="ppo-fast", seed=1, n_steps=32, batch_size=16, net_arch=[8])
    model.learn(64)
    assert 2 not in env.actions and env.n_illegal() == 0
