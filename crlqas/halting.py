"""Random halting: each episode draws its own step budget from the env's RNG.

A halting rule is a callable ``rng -> int | None`` (None = no budget).
"""

from __future__ import annotations

from typing import Callable, Union

import numpy as np

HaltingRule = Callable[[np.random.Generator], Union[int, None]]


def reference_noiseless(rng: np.random.Generator) -> int:
    """NB(n=70, p=0.573) failures before the 70th success, clipped to [25, 70] (mean ~52.2 before clipping)."""
    return int(np.clip(rng.negative_binomial(70, 0.573), 25, 70))


def reference_noisy(rng: np.random.Generator) -> int:
    """The most frequent of 100 draws of NB(n=40, p=0.6) (ties: the smallest), clipped to [0, 40]."""
    draws = rng.negative_binomial(40, 0.6, size=100)
    values, counts = np.unique(draws, return_counts=True)
    return int(np.clip(values[np.argmax(counts)], 0, 40))


def no_halting(rng: np.random.Generator) -> None:
    """No random budget (only the layer budget ends a failing episode)."""
    return None


_RULES: dict[str, HaltingRule] = {
    "reference-noiseless": reference_noiseless,
    "reference-noisy": reference_noisy,
    "none": no_halting,
}


def make_halting(spec: str | HaltingRule, noisy: bool) -> HaltingRule:
    """Resolve ``spec``: "auto" (reference-noisy if ``noisy`` else reference-noiseless), a rule name, or a callable."""
    if callable(spec):
        return _checked(spec)
    if spec == "auto":
        return reference_noisy if noisy else reference_noiseless
    if spec in _RULES:
        return _RULES[spec]
    raise ValueError(f"unknown halting rule {spec!r}; choose 'auto', {', '.join(map(repr, _RULES))} "
                     "or pass a callable rng -> int")


def _checked(rule: HaltingRule) -> HaltingRule:
    def wrapped(rng: np.random.Generator) -> int | None:
        value = rule(rng)
        if value is None:
            return None
        if isinstance(value, (bool, np.bool_)) or int(value) != value or int(value) < 0:
            raise ValueError(f"a halting rule must return a non-negative integer or None, got {value!r}")
        return int(value)

    wrapped.__name__ = getattr(rule, "__name__", "custom")
    return wrapped
