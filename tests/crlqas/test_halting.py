"""Random halting budgets: reference distributions, clipping, custom rules, seeding."""

import numpy as np
import pytest

from crlqas.halting import from_spec, make_halting, no_halting, reference_noiseless, reference_noisy
from crlqas.tasks import default_halting


def test_reference_noiseless_distribution_mean_before_clipping_and_clip_range():
    rng = np.random.default_rng(0)
    raw = rng.negative_binomial(70, 0.573, size=200_000)
    assert raw.mean() == pytest.approx(70 * 0.427 / 0.573, rel=0.01)  # ~52.2
    assert raw.mean() == pytest.approx(52.2, abs=0.2)
    draws = np.array([reference_noiseless(rng) for _ in range(5000)])
    assert draws.min() >= 25 and draws.max() <= 70
    # the clip binds: some draws land exactly on the bounds
    assert (draws == 25).any() or (draws == 70).any()
    assert draws.mean() == pytest.approx(np.clip(raw, 25, 70).mean(), abs=0.5)


def test_reference_noisy_is_the_mode_of_100_draws_clipped():
    rng = np.random.default_rng(1)
    draws = np.array([reference_noisy(rng) for _ in range(2000)])
    assert draws.min() >= 0 and draws.max() <= 40
    # the mode of NB(40, 0.6) is floor((n-1)(1-p)/p) = 26; a mode of 100 draws stays near it
    assert 20 <= np.median(draws) <= 30
    assert draws.std() < np.sqrt(40 * 0.4 / 0.36)  # far tighter than single draws


def test_reference_noisy_matches_a_hand_computed_mode():
    seed = 7
    budget = reference_noisy(np.random.default_rng(seed))
    draws = np.random.default_rng(seed).negative_binomial(40, 0.6, size=100)
    counts = np.bincount(draws)
    assert budget == min(int(np.argmax(counts)), 40)


def test_same_seed_same_budgets():
    a = [reference_noiseless(np.random.default_rng(5)) for _ in range(3)]
    b = [reference_noiseless(np.random.default_rng(5)) for _ in range(3)]
    assert a == b


def test_make_halting_auto_none_custom_and_errors():
    assert make_halting("auto", noisy=False) is reference_noiseless
    assert make_halting("auto", noisy=True) is reference_noisy
    assert make_halting("none", noisy=True) is no_halting
    assert no_halting(np.random.default_rng()) is None
    rule = make_halting(lambda rng: 7, noisy=False)
    assert rule(np.random.default_rng()) == 7
    with pytest.raises(ValueError, match="non-negative integer"):
        make_halting(lambda rng: -3, noisy=False)(np.random.default_rng())
    with pytest.raises(ValueError, match="unknown halting"):
        make_halting("geometric", noisy=False)


def test_task_halting_specs_reproduce_the_reference_rules():
    spec = default_halting()
    for key, reference in (("noiseless", reference_noiseless), ("noisy", reference_noisy)):
        rule = make_halting("auto", noisy=(key == "noisy"), task_halting=spec)
        ours = [rule(np.random.default_rng(s)) for s in range(20)]
        ref = [reference(np.random.default_rng(s)) for s in range(20)]
        assert ours == ref
    with pytest.raises(ValueError, match="scheme"):
        from_spec({"scheme": "poisson", "n": 3, "p": 0.5})
