"""COBYLA (Powell's constrained optimisation by linear approximations), unconstrained here.

Two backends run the same algorithm: SciPy's (``backend="scipy"``, the
reference's choice; since SciPy 1.16 a pure-Python port costing ~3 ms per
evaluation) and NLopt's compiled ``LN_COBYLA`` (``backend="nlopt"``, ~10 us
per evaluation). ``backend="auto"`` (default) uses NLopt when it is
installed, else SciPy; the resolved choice is in ``.backend``. Their
iterates differ slightly (different trust-region bookkeeping).
"""

from __future__ import annotations

import numpy as np

from crlqas.optimizers.base import BatchObjective, OptimizeResult, Tracker, check_positive, check_x0


def _nlopt_available() -> bool:
    try:
        import nlopt  # noqa: F401
    except ImportError:
        return False
    return True


class COBYLA:
    """COBYLA with at most ``maxiter`` (alias ``iterations``, default 100) objective evaluations, initial
    trust radius ``rhobeg`` and final radius ``tol`` (1e-4 when None); returns the best point seen."""

    name = "cobyla"

    def __init__(self, maxiter: int | None = None, rhobeg: float = 1.0, tol: float | None = None,
                 backend: str = "auto", iterations: int | None = None):
        # ``iterations`` is accepted as an alias so every optimizer takes the same budget keyword
        if maxiter is not None and iterations is not None:
            raise ValueError("pass maxiter or iterations, not both")
        budget = maxiter if maxiter is not None else (iterations if iterations is not None else 100)
        self.maxiter = check_positive("maxiter", budget, integer=True)
        self.rhobeg = check_positive("rhobeg", rhobeg)
        self.tol = None if tol is None else check_positive("tol", tol)
        if backend not in ("auto", "scipy", "nlopt"):
            raise ValueError(f"backend must be 'auto', 'scipy' or 'nlopt', got {backend!r}")
        if backend == "auto":
            backend = "nlopt" if _nlopt_available() else "scipy"
        elif backend == "nlopt" and not _nlopt_available():
            raise ImportError("COBYLA backend 'nlopt' needs the nlopt package (pip install nlopt)")
        self.backend = backend

    def minimize(self, objective: BatchObjective, x0, rng: np.random.Generator) -> OptimizeResult:
        theta = check_x0(x0)
        track = Tracker(objective)
        if theta.size == 0:
            track(theta[None, :])
            return track.result(0, [track.best_f])
        history: list[float] = []

        def scalar(x: np.ndarray, *_grad) -> float:
            value = float(track(x[None, :])[0])
            history.append(value)
            return value

        if self.backend == "nlopt":
            self._run_nlopt(scalar, theta)
        else:
            from scipy.optimize import minimize

            minimize(scalar, theta, method="COBYLA", tol=self.tol,
                     options={"maxiter": self.maxiter, "rhobeg": self.rhobeg})
        return track.result(len(history), history)

    def _run_nlopt(self, scalar, theta: np.ndarray) -> None:
        import nlopt

        opt = nlopt.opt(nlopt.LN_COBYLA, theta.size)
        opt.set_min_objective(scalar)
        opt.set_maxeval(self.maxiter)
        opt.set_initial_step(self.rhobeg)
        opt.set_xtol_abs(1e-4 if self.tol is None else self.tol)
        try:
            opt.optimize(theta)
        except nlopt.RoundoffLimited:
            pass  # the best point seen is kept by the tracker
