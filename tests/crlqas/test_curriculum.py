"""The moving-threshold curriculum, the fixed schedule and the constant threshold."""

import math

import pytest

from crlqas.curriculum import ConstantThreshold, FixedSchedule, MovingThreshold, default_constants, make_curriculum


def _moving(**kw):
    params = dict(initial_threshold=0.1, min_energy=-1.0, mu=1e-3, period=5, successes=2, max_shrinks=3)
    params.update(kw)
    return MovingThreshold(**params)


def test_negative_or_zero_initial_threshold_is_rejected():
    with pytest.raises(ValueError, match="xi0 must be positive"):
        _moving(initial_threshold=-0.01)
    with pytest.raises(ValueError, match="xi0 must be positive"):
        _moving(initial_threshold=0.0)


def test_lowest_energy_tracks_every_observed_energy():
    cur = _moving()
    for e in [-0.5, -0.9, -0.7]:
        cur.observe_energy(e)
    assert cur.lowest_energy == -0.9


def test_shrink_after_k_successes_by_mu_over_r():
    cur = _moving()
    cur.observe_energy(-0.95)
    cur.end_episode(True)
    assert cur.threshold == 0.1  # one success is not enough (K = 2)
    cur.end_episode(True)
    assert cur.threshold == pytest.approx(0.1 - 1e-3 / 3)
    assert cur.success_count == 0 and cur.shrinks == 1


def test_at_most_r_shrinks_per_window():
    cur = _moving(period=1000)
    cur.observe_energy(-0.95)
    for _ in range(20):
        cur.end_episode(True)
    assert cur.shrinks == 3
    assert cur.threshold == pytest.approx(0.1 - 1e-3)


def test_shrinking_only_while_gap_below_switch():
    cur = _moving(switch=0.01)
    cur.observe_energy(-0.95)  # gap 0.05 >= S
    for _ in range(4):
        cur.end_episode(True)
    assert cur.threshold == 0.1 and cur.shrinks == 0
    cur.observe_energy(-0.995)  # gap 0.005 < S
    cur.end_episode(True)
    cur.end_episode(True)
    assert cur.shrinks == 1


def test_greedy_shift_every_t_episodes_only_after_ten():
    cur = _moving(period=5)
    cur.observe_energy(-0.9)
    for episode in range(1, 21):
        cur.end_episode(False)
        if episode < 15:
            # episodes 5 and 10 are multiples of T but not after more than 10 episodes
            assert cur.threshold == 0.1, episode
        if episode == 15:
            assert cur.threshold == pytest.approx(0.1 + 1e-3)  # |E_min - E_low| + mu
    cur.observe_energy(-0.99)
    for _ in range(5):
        cur.end_episode(False)
    assert cur.episodes == 25
    assert cur.threshold == pytest.approx(0.01 + 1e-3)


def test_greedy_shift_resets_both_counters():
    cur = _moving(period=12, successes=2, max_shrinks=3)
    cur.observe_energy(-0.99)
    for _ in range(11):
        cur.end_episode(True)
    # shrinks after successes 2, 4, 6; then R is reached and successes 7..11 only count
    assert (cur.shrinks, cur.success_count) == (3, 5)
    cur.end_episode(True)  # episode 12: greedy shift
    assert (cur.shrinks, cur.success_count) == (0, 0)
    assert cur.threshold == pytest.approx(0.01 + 1e-3)


def test_scripted_sequence_of_outcomes():
    cur = _moving(period=5, successes=2, max_shrinks=3, initial_threshold=0.2)
    trace = []
    outcomes = [True, True, False, True, True, True, True, True, True, False, True, True, False, False, False]
    energies = [-0.8, -0.85, -0.85, -0.9, -0.9, -0.9, -0.92, -0.92, -0.92, -0.92, -0.95, -0.95, -0.95, -0.95, -0.97]
    for e, ok in zip(energies, outcomes):
        cur.observe_energy(e)
        cur.end_episode(ok)
        trace.append(round(cur.threshold, 6))
    s = 1e-3 / 3
    expected = [0.2, 0.2 - s, 0.2 - s, 0.2 - s, 0.2 - 2 * s, 0.2 - 2 * s, 0.2 - 3 * s, 0.2 - 3 * s, 0.2 - 3 * s,
                0.2 - 3 * s, 0.2 - 3 * s, 0.2 - 3 * s, 0.2 - 3 * s, 0.2 - 3 * s, 0.03 + 1e-3]
    assert trace == [round(x, 6) for x in expected]


def test_state_dict_round_trip_continues_identically():
    a = _moving()
    for e, ok in [(-0.9, True), (-0.95, True), (-0.97, False)]:
        a.observe_energy(e)
        a.end_episode(ok)
    b = _moving()
    b.load_state_dict(a.state_dict())
    for cur in (a, b):
        for _ in range(20):
            cur.observe_energy(-0.99)
            cur.end_episode(True)
    assert a.state_dict() == b.state_dict()
    with pytest.raises(ValueError, match="checkpoint"):
        FixedSchedule([(0, 0.1)]).load_state_dict(a.state_dict())


def test_fixed_schedule_by_episode():
    cur = FixedSchedule([(0, 0.1), (3, 0.01), (5, 0.001)])
    seen = []
    for _ in range(7):
        seen.append(cur.threshold)
        cur.end_episode(True)
    assert seen == [0.1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001]
    with pytest.raises(ValueError, match="episode 0"):
        FixedSchedule([(2, 0.1)])
    with pytest.raises(ValueError, match="positive"):
        FixedSchedule([(0, -0.1)])


def test_none_is_constant_chemical_accuracy():
    cur = make_curriculum("none", initial_threshold=1.0, min_energy=-1.0, num_qubits=2)
    assert isinstance(cur, ConstantThreshold)
    for _ in range(3):
        cur.observe_energy(-5)
        cur.end_episode(True)
    assert cur.threshold == 1.6e-3


def test_make_curriculum_uses_size_defaults_and_rejects_unknown():
    small = make_curriculum("moving", initial_threshold=0.5, min_energy=-1, num_qubits=4)
    large = make_curriculum("moving", initial_threshold=0.5, min_energy=-1, num_qubits=6)
    assert (small.mu, small.period, small.successes, small.max_shrinks) == (5e-4, 500, 25, 10)
    assert (large.mu, large.period, large.successes, large.max_shrinks) == (1e-3, 2000, 50, 10)
    assert default_constants(2)["mu"] == 5e-4
    assert math.isinf(small.switch)
    with pytest.raises(ValueError, match="unknown curriculum"):
        make_curriculum("linear", initial_threshold=0.5, min_energy=-1, num_qubits=2)
    with pytest.raises(ValueError, match="schedule"):
        make_curriculum("fixed", initial_threshold=0.5, min_energy=-1, num_qubits=2)
