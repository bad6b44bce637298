"""Masked actions are never taken: greedy, random branch, warm-up and learning."""

import warnings

import numpy as np
import pytest
import torch as th
from stable_baselines3.common.vec_env import DummyVecEnv

from agents import TerminalMaskInfo, make_agent
from agents.toy_envs import ActionRecorder, MaskedBandit, MaskedCorridor

SMALL = dict(net_arch=[16], learning_starts=50, batch_size=16)


def corridor_mask(obs):
    """The corridor's mask recomputed from a one-hot observation, independently of the env."""
    pos, goal = int(np.argmax(obs)), len(obs) - 1
    return np.array([pos > 0, True, pos % 2 == 0 and pos + 2 <= goal, False])


def test_greedy_avoids_best_masked_arm():
    model = make_agent("dqn", MaskedBandit(), seed=0, **SMALL)
    last = model.q_net.q_net[-1]
    with th.no_grad():
        last.weight.zero_()
        last.bias.copy_(th.tensor([0.0, 1.0, 100.0, 0.5]))
    obs = np.ones(2, np.float32)
    assert int(model.predict(obs)[0]) == 2  # unmasked: the raw best arm
    assert int(model.predict(obs, action_masks=MaskedBandit().action_masks())[0]) == 1
    model.exploration_rate = 0.0
    action, _ = model.predict(obs, deterministic=False, action_masks=np.array([1, 0, 0, 1]))
    assert int(action) == 3


def test_random_branch_uniform_over_legal():
    model = make_agent("dqn", MaskedCorridor(), seed=0, **SMALL)
    model.exploration_rate = 1.0
    obs = np.eye(6, dtype=np.float32)[[1, 2]]  # cells 1 and 2, batched
    masks = np.stack([corridor_mask(o) for o in obs])
    seen = [set(), set()]
    for _ in range(300):
        actions, _ = model.predict(obs, deterministic=False, action_masks=masks)
        for row, a in enumerate(actions):
            seen[row].add(int(a))
    assert seen[0] == {0, 1}  # cell 1: left, right
    assert seen[1] == {0, 1, 2}  # cell 2: left, right, jump


def test_predict_rejects_bad_masks():
    model = make_agent("dqn", MaskedCorridor(), seed=0, **SMALL)
    obs = np.eye(6, dtype=np.float32)[0]
    with pytest.raises(ValueError, match="no legal action"):
        model.predict(obs, action_masks=np.zeros(4, bool))
    with pytest.raises(ValueError, match="shape"):
        model.predict(obs, action_masks=np.ones(3, bool))
    with pytest.raises(TypeError, match="boolean"):
        model.predict(obs, action_masks=np.full(4, 0.5))


def test_learn_never_takes_masked_action_and_stores_next_masks():
    env = ActionRecorder(MaskedCorridor(max_steps=4))  # frequent truncations
    model = make_agent("dqn", env, seed=0, n_steps=3, **SMALL)
    model.learn(400)
    assert len(env.actions) == 400 and env.n_illegal() == 0
    assert model._n_updates > 0
    buf = model.replay_buffer
    n = buf.pos
    # Every stored next mask is the mask of the stored next observation,
    # including the final observations of truncated and terminated episodes.
    for t in range(n):
        np.testing.assert_array_equal(buf.next_action_masks[t, 0], corridor_mask(buf.next_observations[t, 0]))
    assert buf.timeouts[:n].sum() > 0 and (buf.dones[:n] * (1 - buf.timeouts[:n])).sum() > 0


def test_vec_env_with_two_envs():
    recorders = [ActionRecorder(MaskedCorridor(max_steps=5)) for _ in range(2)]
    vec = DummyVecEnv([lambda r=r: TerminalMaskInfo(r) for r in recorders])
    model = make_agent("dqn", vec, seed=0, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the final masks are available: no warning
        model.learn(300)
    assert all(len(r.actions) == 150 and r.n_illegal() == 0 for r in recorders)


def test_warns_when_vec_env_hides_final_mask():
    vec = DummyVecEnv([lambda: MaskedCorridor(max_steps=3)])
    model = make_agent("dqn", vec, seed=0, **SMALL)
    with pytest.warns(UserWarning, match="terminal_action_mask"):
        model.learn(20)


def test_tensor_observations_are_flattened():
    # QAS envs observe a (layers, rows, qubits) tensor; the MLP flattens it.
    from gymnasium.wrappers import ReshapeObservation

    for name in ("dqn", "ppo"):
        env = ActionRecorder(ReshapeObservation(MaskedCorridor(length=12), (2, 3, 2)))
        extra = dict(learning_starts=20, batch_size=8) if name == "dqn" else dict(n_steps=32, batch_size=8)
        model = make_agent(name, env, seed=0, net_arch=[8], **extra)
        model.learn(64)
        assert env.n_illegal() == 0
        action, _ = model.predict(np.zeros((2, 3, 2), np.float32), action_masks=np.array([0, 1, 0, 0], bool))
        assert int(action) == 1
