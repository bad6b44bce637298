"""Plain SPSA (Spall): theta -= a_k g with a_k = a/(k+1+A)^alpha, c_k = c/(k+1)^gamma."""

from __future__ import annotations

import numpy as np

from crlqas.optimizers.base import BatchObjective, OptimizeResult, Tracker, check_positive, check_x0


class SPSA:
    """Simultaneous-perturbation stochastic approximation; Rademacher perturbations, batched +/- pair."""

    name = "spsa"

    def __init__(self, a: float = 0.2, c: float = 0.1, alpha: float = 0.602, gamma: float = 0.101,
                 stability: float = 0.0, iterations: int = 250):
        self.a = check_positive("a", a)
        self.c = check_positive("c", c)
        self.alpha = check_positive("alpha", alpha, allow_zero=True)
        self.gamma = check_positive("gamma", gamma, allow_zero=True)
        self.stability = check_positive("stability", stability, allow_zero=True)
        self.iterations = check_positive("iterations", iterations, integer=True, allow_zero=True)

    def minimize(self, objective: BatchObjective, x0, rng: np.random.Generator) -> OptimizeResult:
        theta = check_x0(x0)
        track = Tracker(objective)
        track(theta[None, :])
        if theta.size == 0:
            return track.result(0, [track.best_f])
        history: list[float] = []
        for k in range(self.iterations):
            a_k = self.a / (k + 1 + self.stability) ** self.alpha
            c_k = self.c / (k + 1) ** self.gamma
            delta = 2.0 * rng.integers(0, 2, size=theta.size) - 1.0
            f_plus, f_minus = track(np.stack([theta + c_k * delta, theta - c_k * delta]))
            theta = theta - a_k * (f_plus - f_minus) / (2.0 * c_k) * delta
            history.append(0.5 * (f_plus + f_minus))
        track(theta[None, :])
        return track.result(self.iterations, history)
