"""Adam-SPSA: SPSA gradient estimates fed to Adam with a decaying first-moment rate.

Iteration k = 0, 1, ...: a_k = a/(k+1)^alpha, c_k = c/(k+1)^gamma, Delta_k
Rademacher (all drawn up front as ``2 * rng.integers(0, 2, size=(iterations, d)) - 1``,
row k for iteration k),
g = [f(theta + c_k Delta) - f(theta - c_k Delta)] / (2 c_k) * Delta,
beta1_k = beta1/(k+1)^lambda, m = beta1_k m + (1-beta1_k) g,
v = beta2 v + (1-beta2) g^2, theta -= a_k m_hat / (sqrt(v_hat) + eps).

Bias correction ("constant", default: Adam's usual correction with the base
rate) m_hat = m / (1 - beta1^(k+1)), v_hat = v / (1 - beta2^(k+1)). Option
"product": m_hat = m / (1 - prod_j beta1_j), the exact normaliser for the
decaying rate.

The start point, every perturbed pair (one batched call) and the final
point are evaluated; the best point seen is returned.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from crlqas.optimizers.base import BatchObjective, OptimizeResult, Tracker, check_positive, check_x0

#: H2-2q noisy hyperparameters from the method description
H2_DEFAULTS = dict(a=1.2104, alpha=0.9531, c=0.1039, gamma=0.0984, lam=0.9277, beta1=0.9414, beta2=0.9983)
#: LiH-4q hyperparameters from the method description
LIH_DEFAULTS = dict(a=1.8658, alpha=0.9451, c=0.046, gamma=0.1397, lam=0.0138, beta1=0.9658, beta2=0.8594)


class AdamSPSA:
    """One-stage Adam-SPSA (``iterations`` steps at the objective's own shot setting)."""

    name = "adam-spsa"

    def __init__(self, a: float = H2_DEFAULTS["a"], alpha: float = H2_DEFAULTS["alpha"], c: float = H2_DEFAULTS["c"],
                 gamma: float = H2_DEFAULTS["gamma"], lam: float = H2_DEFAULTS["lam"],
                 beta1: float = H2_DEFAULTS["beta1"], beta2: float = H2_DEFAULTS["beta2"], eps: float = 1e-8,
                 iterations: int = 250, bias_correction: str = "constant"):
        self.a = check_positive("a", a)
        self.alpha = check_positive("alpha", alpha, allow_zero=True)
        self.c = check_positive("c", c)
        self.gamma = check_positive("gamma", gamma, allow_zero=True)
        self.lam = check_positive("lam", lam, allow_zero=True)
        for name, value in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= float(value) < 1:
                raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
        self.beta1, self.beta2 = float(beta1), float(beta2)
        self.eps = check_positive("eps", eps)
        self.iterations = check_positive("iterations", iterations, integer=True, allow_zero=True)
        if bias_correction not in ("constant", "product"):
            raise ValueError(f"bias_correction must be 'constant' or 'product', got {bias_correction!r}")
        self.bias_correction = bias_correction

    def _stages(self) -> list[tuple[int, int | None, bool]]:
        """(iterations, shots, pass shots to the objective?) per stage."""
        return [(self.iterations, None, False)]

    def minimize(self, objective: BatchObjective, x0, rng: np.random.Generator) -> OptimizeResult:
        theta = check_x0(x0)
        stages = self._stages()
        track = Tracker(objective)
        track(theta[None, :], stages[0][1], stages[0][2])
        if theta.size == 0:
            return track.result(0, [track.best_f])
        d = theta.size
        total = sum(n for n, _, _ in stages)
        # the whole schedule and every perturbation up front: the loop below is the hot path of an env step
        k_plus_1 = np.arange(1, total + 1, dtype=np.float64)
        a_k = self.a / k_plus_1**self.alpha
        c_k = self.c / k_plus_1**self.gamma
        beta1_k = self.beta1 / k_plus_1**self.lam
        if self.bias_correction == "constant":
            m_norm = 1.0 - self.beta1**k_plus_1
        else:
            m_norm = 1.0 - np.cumprod(beta1_k)
        v_norm = 1.0 - self.beta2**k_plus_1
        # Python floats: numpy scalars are several times slower in the scalar arithmetic below
        a_k, c_k, beta1_k, m_norm, v_norm = (x.tolist() for x in (a_k, c_k, beta1_k, m_norm, v_norm))
        deltas = 2.0 * rng.integers(0, 2, size=(total, d)) - 1.0
        m = np.zeros(d)
        # g = s * Delta with |Delta_i| = 1, so g^2 = s^2 in every coordinate: v stays one scalar
        v = 0.0
        pair = np.empty((2, d))
        history: list[float] = []
        best_f, best_x = track.best_f, track.best_x
        beta2, eps = self.beta2, self.eps
        k = 0
        shots, staged = stages[0][1], stages[0][2]
        for iterations, shots, staged in stages:
            for _ in range(iterations):
                delta = deltas[k]
                step = c_k[k] * delta
                np.add(theta, step, out=pair[0])
                np.subtract(theta, step, out=pair[1])
                values = objective(pair, shots=shots) if staged else objective(pair)
                f_plus, f_minus = float(values[0]), float(values[1])
                if not (math.isfinite(f_plus) and math.isfinite(f_minus)):
                    raise ValueError("the objective returned a non-finite value")
                if f_plus < best_f or f_minus < best_f:
                    row = 0 if f_plus <= f_minus else 1
                    best_f, best_x = min(f_plus, f_minus), pair[row].copy()
                slope = (f_plus - f_minus) / (2.0 * c_k[k])
                b1 = beta1_k[k]
                m *= b1
                m += ((1.0 - b1) * slope) * delta
                v = beta2 * v + (1.0 - beta2) * slope * slope
                theta = theta - (a_k[k] / m_norm[k] / (math.sqrt(v / v_norm[k]) + eps)) * m
                history.append(0.5 * (f_plus + f_minus))
                k += 1
        track.evaluations += 2 * k
        track.best_f, track.best_x = best_f, best_x
        track(theta[None, :], shots, staged)
        return track.result(k, history)


class AdamSPSA3Stage(AdamSPSA):
    """Three-stage Adam-SPSA: the same schedule continues across stages with shot budgets N/100, N/10, N.

    ``shots`` is N (None: exact values in every stage, so only the iteration
    split differs from the one-stage optimizer); ``stage_iterations`` are the
    iterations per stage.
    """

    name = "adam-spsa-3stage"

    def __init__(self, shots: int | None = None, stage_iterations: Sequence[int] = (596, 179, 60), **options):
        if "iterations" in options:
            raise ValueError("the three-stage optimizer takes stage_iterations=(n1, n2, n3), not iterations")
        super().__init__(**options)
        stage_iterations = tuple(stage_iterations)
        if len(stage_iterations) != 3:
            raise ValueError(f"stage_iterations needs three entries, got {stage_iterations!r}")
        self.stage_iterations = tuple(check_positive("stage iterations", n, integer=True, allow_zero=True)
                                      for n in stage_iterations)
        self.iterations = sum(self.stage_iterations)
        if shots is not None:
            shots = check_positive("shots", shots, integer=True)
            if shots < 100:
                raise ValueError(f"the three-stage schedule needs shots >= 100 (first stage uses N/100), got {shots}")
        self.shots = shots

    def stage_shots(self) -> tuple[int | None, int | None, int | None]:
        """Shot budgets N/100, N/10, N (None when exact)."""
        if self.shots is None:
            return (None, None, None)
        return (self.shots // 100, self.shots // 10, self.shots)

    def _stages(self) -> list[tuple[int, int | None, bool]]:
        return [(n, s, True) for n, s in zip(self.stage_iterations, self.stage_shots())]
