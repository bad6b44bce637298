"""n-step returns of MaskedNStepReplayBuffer against a plain-loop reference."""

import numpy as np
import pytest
from gymnasium import spaces

from agents.nstep_buffer import MaskedNStepReplayBuffer

OBS = spaces.Box(-1e6, 1e6, shape=(1,), dtype=np.float32)
ACT = spaces.Discrete(3)


def make_buffer(size=16, n=3, gamma=0.5, n_envs=1):
    return MaskedNStepReplayBuffer(size, OBS, ACT, device="cpu", n_envs=n_envs, n_steps=n, gamma=gamma)


def fill(buf, rewards, terminated, truncated, masks):
    """Store transition t with obs t, next obs 100 + t, the given flags and next mask."""
    for t, r in enumerate(rewards):
        done = terminated[t] or truncated[t]
        infos = [{"TimeLimit.truncated": bool(truncated[t])}]
        buf.add(
            np.array([[t]], np.float32), np.array([[100 + t]], np.float32), np.array([[t % 3]]),
            np.array([r], np.float32), np.array([done], np.float32), infos,
            next_action_masks=np.array([masks[t]]),
        )


def reference(t, rewards, terminated, truncated, n, gamma):
    """(return, discount, done, last index) by walking forward step by step."""
    total, k = 0.0, t
    for j in range(n):
        k = t + j
        total += gamma**j * rewards[k]
        if terminated[k] or truncated[k] or k == len(rewards) - 1:
            break
    return total, gamma ** (k - t + 1), float(terminated[k]), k


REWARDS = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0]
TERM = [False, False, True, False, False, False, False, False]
TRUNC = [False, False, False, False, False, True, False, False]
MASKS = [[t % 2 == 0, True, t % 3 == 0] for t in range(8)]


def test_nstep_hand_values():
    buf = make_buffer()
    fill(buf, REWARDS, TERM, TRUNC, MASKS)
    s = buf._get_samples(np.array([0, 2, 3, 6, 7]))
    # t=0: 1 + 2/2 + 4/4 stops at the termination at t=2 -> no bootstrap.
    # t=3: 8 + 16/2 + 32/4 stops at the truncation at t=5 -> bootstraps from obs 105.
    # t=6: 64 + 128/2 stops at the newest transition -> bootstraps from obs 107.
    np.testing.assert_allclose(s.rewards.numpy().ravel(), [3.0, 4.0, 24.0, 128.0, 128.0])
    np.testing.assert_allclose(s.discounts.numpy().ravel(), [0.125, 0.5, 0.125, 0.25, 0.5])
    np.testing.assert_allclose(s.dones.numpy().ravel(), [1, 1, 0, 0, 0])
    np.testing.assert_allclose(s.next_observations.numpy().ravel(), [102, 102, 105, 107, 107])
    np.testing.assert_allclose(s.observations.numpy().ravel(), [0, 2, 3, 6, 7])
    np.testing.assert_array_equal(s.next_action_masks.numpy(), np.array(MASKS)[[2, 2, 5, 7, 7]])


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_nstep_matches_reference(n):
    rng = np.random.default_rng(n)
    length = 40
    rewards = rng.normal(size=length).round(3).tolist()
    term = (rng.random(length) < 0.1).tolist()
    trunc = [(not a) and b for a, b in zip(term, (rng.random(length) < 0.1).tolist())]
    masks = rng.random((length, 3)) < 0.5
    buf = make_buffer(size=64, n=n, gamma=0.9)
    fill(buf, rewards, term, trunc, masks)
    s = buf._get_samples(np.arange(length))
    for t in range(length):
        ret, disc, done, k = reference(t, rewards, term, trunc, n, 0.9)
        assert s.rewards[t, 0].item() == pytest.approx(ret, rel=1e-5, abs=1e-5)
        assert s.discounts[t, 0].item() == pytest.approx(disc, rel=1e-6)
        assert s.dones[t, 0].item() == done
        assert s.next_observations[t, 0].item() == 100 + k
        np.testing.assert_array_equal(s.next_action_masks[t].numpy(), masks[k])


def test_full_buffer_never_reads_past_newest():
    # Size 4, six transitions: slots hold t4 t5 t2 t3, newest t5 is in slot 1.
    buf = make_buffer(size=4, n=3, gamma=0.5)
    rewards = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    fill(buf, rewards, [False] * 6, [False] * 6, [[True, True, True]] * 6)
    s = buf._get_samples(np.array([2, 3, 0, 1]))
    # t2: 4 + 8/2 + 16/4; t3: 8 + 16/2 + 32/4; t4: 16 + 32/2 (t5 newest); t5: 32.
    np.testing.assert_allclose(s.rewards.numpy().ravel(), [12.0, 24.0, 32.0, 32.0])
    np.testing.assert_allclose(s.discounts.numpy().ravel(), [0.125, 0.125, 0.25, 0.5])
    np.testing.assert_allclose(s.next_observations.numpy().ravel(), [104, 105, 105, 105])


def test_two_envs_keep_their_own_sequences():
    buf = make_buffer(n=2, gamma=0.5, n_envs=2)
    for t in range(3):
        buf.add(
            np.array([[t], [10 + t]], np.float32), np.array([[100 + t], [110 + t]], np.float32),
            np.array([[0], [1]]), np.array([1.0 * (t + 1), 10.0 * (t + 1)], np.float32),
            np.array([0.0, 1.0 if t == 0 else 0.0], np.float32),
            [{"TimeLimit.truncated": False}, {"TimeLimit.truncated": False}],
            next_action_masks=np.ones((2, 3), bool),
        )
    batch = np.zeros(200, dtype=int)
    s = buf._get_samples(batch)
    obs = s.observations.numpy().ravel()
    ret = s.rewards.numpy().ravel()
    assert set(obs.tolist()) == {0.0, 10.0}
    np.testing.assert_allclose(ret[obs == 0.0], 1.0 + 0.5 * 2.0)  # env 0 continues
    np.testing.assert_allclose(ret[obs == 10.0], 10.0)  # env 1 terminated at once
    np.testing.assert_allclose(s.dones.numpy().ravel()[obs == 10.0], 1.0)


def test_add_requires_masks_and_checks_them():
    buf = make_buffer()
    args = (np.zeros((1, 1), np.float32), np.zeros((1, 1), np.float32), np.zeros((1, 1)),
            np.zeros(1, np.float32), np.zeros(1, np.float32), [{}])
    with pytest.raises(ValueError, match="next-state action masks"):
        buf.add(*args)
    with pytest.raises(ValueError, match="shape"):
        buf.add(*args, next_action_masks=np.ones((1, 2), bool))
    with pytest.raises(TypeError, match="boolean"):
        buf.add(*args, next_action_masks=np.ones((1, 3)))
    buf.stage_next_action_masks(np.array([[True, False, True]]))
    buf.add(*args)
    np.testing.assert_array_equal(buf.next_action_masks[0, 0], [True, False, True])


def test_bad_parameters():
    with pytest.raises(ValueError, match="n_steps"):
        make_buffer(n=0)
    with pytest.raises(ValueError, match="gamma"):
        make_buffer(gamma=1.5)
    with pytest.raises(TypeError, match="Discrete"):
        MaskedNStepReplayBuffer(8, OBS, spaces.Box(-1, 1, (2,)), n_steps=2)
