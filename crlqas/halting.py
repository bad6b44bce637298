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


def from_spec(spec: dict) -> HaltingRule:
    """A rule from a task's halting entry: ``{"scheme": "negative_binomial", "n", "p", "clip"}`` (one draw) or
    ``{"scheme": "negative_binomial_mode", "n", "p", "clip", "draws"}`` (most frequent of ``draws`` draws)."""
    scheme = spec.get("scheme")
    if scheme not in ("negative_binomial", "negative_binomial_mode"):
        raise ValueError(f"unknown halting scheme {scheme!r}; expected 'negative_binomial' or 'negative_binomial_mode'")
    n, p = spec["n"], float(spec["p"])
    if not 0 < p <= 1 or not n > 0:
        raise ValueError(f"negative binomial needs n > 0 and 0 < p <= 1, got n={n!r}, p={p!r}")
    low, high = (int(v) for v in spec.get("clip", (0, np.iinfo(np.int64).max)))
    if scheme == "negative_binomial":
        def rule(rng: np.random.Generator) -> int:
            return int(np.clip(rng.negative_binomial(n, p), low, high))
    else:
        draws = int(spec.get("draws", 100))

        def rule(rng: np.random.Generator) -> int:
            values, counts = np.unique(rng.negative_binomial(n, p, size=draws), return_counts=True)
            return int(np.clip(values[np.argmax(counts)], low, high))
    rule.__name__ = f"{scheme}(n={n}, p={p})"
    return rule


def make_halting(spec: str | HaltingRule, noisy: bool, task_halting: dict | None = None) -> HaltingRule:
    """Resolve ``spec``: a rule name, "auto", or a callable ``rng -> int | None``.

    "auto" uses the task's own halting entries (``task_halting["noisy"]`` or
    ``["noiseless"]``, see :func:`from_spec`) when given, else the reference
    rule for the setting (reference-noisy if ``noisy`` else reference-noiseless).
    """
    if callable(spec):
        return _checked(spec)
    if spec == "auto":
        key = "noisy" if noisy else "noiseless"
        if task_halting and key in task_halting:
            return from_spec(task_halting[key])
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
