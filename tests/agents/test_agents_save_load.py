"""Save/load round trips: agent predictions, hyperparameters, replay buffer."""

import numpy as np

from agents import load_agent, make_agent
from agents.toy_envs import MaskedCorridor

SMALL = dict(net_arch=[16], learning_starts=50, batch_size=16)


def greedy_actions(model):
    env = MaskedCorridor()
    obs = np.eye(env.length, dtype=np.float32)
    masks = np.array([[p > 0, True, p % 2 == 0 and p + 2 <= 5, False] for p in range(env.length)])
    q = model.q_net(model.policy.obs_to_tensor(obs)[0]).detach().numpy()
    return model.predict(obs, action_masks=masks)[0], q


def test_agent_round_trip(tmp_path):
    model = make_agent("dqn", MaskedCorridor(), seed=0, n_steps=4, gamma=0.8, epsilon_decay=0.99, **SMALL)
    model.learn(200)
    model.save(tmp_path / "agent.zip")
    loaded = load_agent("dqn", tmp_path / "agent.zip", env=MaskedCorridor())
    a0, q0 = greedy_actions(model)
    a1, q1 = greedy_actions(loaded)
    np.testing.assert_array_equal(a0, a1)
    np.testing.assert_allclose(q0, q1)
    for attr in ("n_steps", "gamma", "epsilon_decay", "epsilon_schedule", "target_update_interval", "_n_updates"):
        assert getattr(loaded, attr) == getattr(model, attr), attr
    assert loaded.exploration_rate == model.exploration_rate
    assert loaded.replay_buffer.n_steps == 4 and loaded.replay_buffer.gamma == 0.8


def test_replay_buffer_round_trip_and_resume(tmp_path):
    model = make_agent("dqn", MaskedCorridor(max_steps=5), seed=0, n_steps=3, **SMALL)
    model.learn(150)
    model.save(tmp_path / "agent.zip")
    model.save_replay_buffer(tmp_path / "buffer.pkl")
    loaded = load_agent("dqn", tmp_path / "agent.zip", env=MaskedCorridor(max_steps=5))
    loaded.load_replay_buffer(tmp_path / "buffer.pkl")
    a, b = model.replay_buffer, loaded.replay_buffer
    assert type(a) is type(b) and (a.pos, a.full, a.n_steps, a.gamma) == (b.pos, b.full, b.n_steps, b.gamma)
    for name in ("observations", "next_observations", "actions", "rewards", "dones", "timeouts", "next_action_masks"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    before = loaded._n_updates
    loaded.learn(50, reset_num_timesteps=False)
    assert loaded._n_updates == before + 50 and loaded.replay_buffer.pos == a.pos + 50
