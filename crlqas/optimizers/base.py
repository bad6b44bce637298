"""The inner-optimizer contract shared by Adam-SPSA, SPSA and COBYLA.

An objective is a *batch* function: ``objective(params_2d) -> ndarray`` with
one energy per row, so the two SPSA perturbations cost one simulator call.
Staged optimizers also pass ``shots=`` (an int, or None for exact values);
objectives used with them must accept that keyword. The points array may be
a reused buffer: an objective must copy it if it keeps it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np

BatchObjective = Callable[..., np.ndarray]


@dataclass
class OptimizeResult:
    """Best parameters seen, their value, and the number of objective evaluations (rows) spent."""

    x: np.ndarray
    fun: float
    evaluations: int
    iterations: int = 0
    history: list[float] = field(default_factory=list)


class Optimizer(Protocol):
    name: str

    def minimize(self, objective: BatchObjective, x0: np.ndarray, rng: np.random.Generator) -> OptimizeResult:
        """Minimise ``objective`` from ``x0`` using ``rng`` for every random choice."""
        ...


class Tracker:
    """Counts evaluations and remembers the best point seen."""

    def __init__(self, objective: BatchObjective):
        self.objective = objective
        self.evaluations = 0
        self.best_x: np.ndarray | None = None
        self.best_f = np.inf

    def __call__(self, points: np.ndarray, shots: int | None = None, staged: bool = False) -> np.ndarray:
        values = self.objective(points, shots=shots) if staged else self.objective(points)
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        if values.shape[0] != points.shape[0]:
            raise ValueError(f"the objective returned {values.shape[0]} values for {points.shape[0]} points")
        if not math.isfinite(float(values.sum())):  # a NaN or infinity anywhere makes the sum non-finite
            raise ValueError("the objective returned a non-finite value")
        self.evaluations += points.shape[0]
        k = int(values.argmin())
        if values[k] < self.best_f:
            self.best_f = float(values[k])
            self.best_x = np.array(points[k], dtype=np.float64)
        return values

    def result(self, iterations: int, history: list[float]) -> OptimizeResult:
        assert self.best_x is not None
        return OptimizeResult(self.best_x, self.best_f, self.evaluations, iterations, history)


def check_x0(x0) -> np.ndarray:
    x0 = np.asarray(x0, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(x0)):
        raise ValueError("x0 must be finite")
    return x0.copy()


def check_positive(name: str, value, integer: bool = False, allow_zero: bool = False):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, got {value!r}") from None
    bad = not np.isfinite(number) or number < 0 or (number == 0 and not allow_zero)
    if integer and number != int(number):
        bad = True
    if bad:
        kind = "integer" if integer else "number"
        sign = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a {sign} {kind}, got {value!r}")
    return int(number) if integer else number
