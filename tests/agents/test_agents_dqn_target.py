"""Masked double-Q targets, target sync cadence and the epsilon schedules."""

import numpy as np
import pytest
import torch as th
from torch import nn

from agents import make_agent
from agents.dqn import MaskedDoubleDQN
from agents.nstep_buffer import MaskedReplayBufferSamples
from agents.toy_envs import MaskedBandit, MaskedCorridor

SMALL = dict(net_arch=[16], learning_starts=50, batch_size=16)


class Table(nn.Module):
    """A stand-in Q-network returning a fixed table, whatever the input."""

    def __init__(self, rows):
        super().__init__()
        self.rows = th.tensor(rows, dtype=th.float32)

    def forward(self, obs):
        return self.rows


def batch(rewards, dones, discounts, masks):
    col = lambda v: th.tensor(v, dtype=th.float32).reshape(-1, 1)  # noqa: E731
    n = len(rewards)
    return MaskedReplayBufferSamples(
        observations=th.zeros(n, 2), actions=th.zeros(n, 1, dtype=th.long), next_observations=th.zeros(n, 2),
        dones=col(dones), rewards=col(rewards), discounts=col(discounts), next_action_masks=th.tensor(masks),
    )


def test_target_hand_computed():
    model = make_agent("dqn", MaskedBandit(), seed=0, **SMALL)
    online = [[1, 5, 3, 0], [1, 5, 3, 0], [1, 5, 3, 0], [1, 5, 3, 0]]
    target = [[10, 40, 7, 0], [10, 40, 7, 0], [10, 40, 7, 0], [10, 40, 7, 0]]
    model.q_net, model.q_net_target = Table(online), Table(target)
    masks = [[True, False, True, False], [True, False, True, False], [True] * 4, [False] * 4]
    got = model.compute_targets(batch([1.0, 2.0, 0.0, -1.0], [0, 1, 0, 0], [0.5, 0.5, 0.25, 0.5], masks))
    # Row 0: online argmax among legal {0, 2} is 2 (not the illegal 1), valued
    #   by the target net: 1 + 0.5 * 7. A vanilla or unmasked target would use 40.
    # Row 1: done -> reward only. Row 2: all legal -> action 1, 0 + 0.25 * 40.
    # Row 3: no legal next action -> treated as terminal.
    np.testing.assert_allclose(got.numpy().ravel(), [4.5, 2.0, 10.0, -1.0])


def test_target_matches_loop_reference_on_real_batch():
    model = make_agent("dqn", MaskedCorridor(max_steps=6), seed=1, n_steps=3, gamma=0.9, **SMALL)
    model.learn(300)
    b = model.replay_buffer.sample(64)
    got = model.compute_targets(b).numpy().ravel()
    with th.no_grad():
        q_on = model.q_net(b.next_observations).numpy()
        q_tg = model.q_net_target(b.next_observations).numpy()
    for i in range(64):
        legal = [a for a in range(4) if b.next_action_masks[i, a]]
        a_star = max(legal, key=lambda a: q_on[i, a])
        boot = 0.0 if b.dones[i, 0] else b.discounts[i, 0].item() * q_tg[i, a_star]
        assert got[i] == pytest.approx(b.rewards[i, 0].item() + boot, rel=1e-5, abs=1e-5)


def params(net):
    return th.cat([p.detach().flatten() for p in net.parameters()])


def test_target_synced_every_k_updates():
    model = make_agent("dqn", MaskedCorridor(), seed=0, target_update_interval=3, learning_rate=1e-2, **SMALL)
    model.learn(60)  # fills the buffer; 10 updates happen after learning_starts=50
    start = model._n_updates
    for _ in range(7):
        model.train(gradient_steps=1, batch_size=16)
        same = th.equal(params(model.q_net), params(model.q_net_target))
        assert same == (model._n_updates % 3 == 0), model._n_updates
    assert model._n_updates == start + 7


def test_multiplicative_epsilon():
    model = make_agent("dqn", MaskedCorridor(), seed=0, epsilon_decay=0.99, exploration_final_eps=0.2, **SMALL)
    assert model.exploration_rate == 1.0
    model.learn(120)
    assert model._n_updates == 120 - 50
    assert model.exploration_rate == pytest.approx(max(0.2, 0.99**70))
    model.train(gradient_steps=200, batch_size=16)
    assert model.exploration_rate == pytest.approx(0.2)  # floored


def test_linear_epsilon():
    model = make_agent(
        "dqn", MaskedCorridor(), seed=0, epsilon_schedule="linear", exploration_fraction=0.5,
        exploration_final_eps=0.1, **SMALL,
    )
    model.learn(100)
    assert model.exploration_rate == pytest.approx(0.1)
    # linear from 1.0 to 0.1 over the first half of training: a quarter of the way in it is halfway down
    assert model.exploration_schedule(0.75) == pytest.approx(0.55)
    assert model.exploration_schedule(1.0) == pytest.approx(1.0)
    assert model.exploration_schedule(0.25) == pytest.approx(0.1)


def test_bad_dqn_arguments():
    with pytest.raises(ValueError, match="epsilon_schedule"):
        MaskedDoubleDQN("MlpPolicy", MaskedCorridor(), epsilon_schedule="cosine")
    with pytest.raises(ValueError, match="target_update_interval"):
        MaskedDoubleDQN("MlpPolicy", MaskedCorridor(), target_update_interval=0)
    with pytest.raises(ValueError, match="n_steps"):
        MaskedDoubleDQN("MlpPolicy", MaskedCorridor(), n_steps=0)
