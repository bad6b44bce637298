"""COBYLA through SciPy (derivative-free, deterministic given x0)."""

from __future__ import annotations

import numpy as np

from crlqas.optimizers.base import BatchObjective, OptimizeResult, Tracker, check_positive, check_x0


class COBYLA:
    """SciPy's COBYLA with at most ``maxiter`` objective evaluations; returns the best point seen."""

    name = "cobyla"

    def __init__(self, maxiter: int = 100, rhobeg: float = 1.0, tol: float | None = None):
        self.maxiter = check_positive("maxiter", maxiter, integer=True)
        self.rhobeg = check_positive("rhobeg", rhobeg)
        self.tol = None if tol is None else check_positive("tol", tol)

    def minimize(self, objective: BatchObjective, x0, rng: np.random.Generator) -> OptimizeResult:
        from scipy.optimize import minimize

        theta = check_x0(x0)
        track = Tracker(objective)
        if theta.size == 0:
            track(theta[None, :])
            return track.result(0, [track.best_f])
        history: list[float] = []

        def scalar(x: np.ndarray) -> float:
            value = float(track(x[None, :])[0])
            history.append(value)
            return value

        res = minimize(scalar, theta, method="COBYLA", tol=self.tol,
                       options={"maxiter": self.maxiter, "rhobeg": self.rhobeg})
        return track.result(int(getattr(res, "nfev", len(history))), history)
