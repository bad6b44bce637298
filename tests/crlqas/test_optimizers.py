"""Inner optimizers: Adam-SPSA by hand, convergence, staged shots, SPSA, COBYLA, the factory."""

import math

import numpy as np
import pytest

from crlqas.optimizers import COBYLA, SPSA, AdamSPSA, AdamSPSA3Stage, make_optimizer

CENTER = np.array([0.3, -0.7, 1.1])


def quadratic(points):
    points = np.atleast_2d(points)
    return np.sum((points - CENTER) ** 2 * np.array([1.0, 2.0, 0.5]), axis=1)


def test_adam_spsa_first_two_iterations_by_hand():
    a, alpha, c, gamma, lam, b1, b2, eps = 1.2104, 0.9531, 0.1039, 0.0984, 0.9277, 0.9414, 0.9983, 1e-8
    opt = AdamSPSA(a=a, alpha=alpha, c=c, gamma=gamma, lam=lam, beta1=b1, beta2=b2, iterations=2)
    calls = []

    def f(points):
        calls.append(np.array(points))
        return quadratic(points)

    x0 = np.array([0.0, 0.5, -0.2])
    result = opt.minimize(f, x0, np.random.default_rng(11))

    # hand computation, formula by formula
    rng = np.random.default_rng(11)
    theta, m, v = x0.copy(), np.zeros(3), np.zeros(3)
    np.testing.assert_array_equal(calls[0], x0[None, :])  # the start point is evaluated first
    deltas = 2.0 * rng.integers(0, 2, size=(2, 3)) - 1.0  # drawn up front, row k for iteration k
    for k in range(2):
        ak, ck = a / (k + 1) ** alpha, c / (k + 1) ** gamma
        delta = deltas[k]
        np.testing.assert_allclose(calls[1 + k], np.stack([theta + ck * delta, theta - ck * delta]))
        fp, fm = quadratic(theta + ck * delta)[0], quadratic(theta - ck * delta)[0]
        g = (fp - fm) / (2 * ck) * delta
        b1k = b1 / (k + 1) ** lam
        m = b1k * m + (1 - b1k) * g
        v = b2 * v + (1 - b2) * g**2
        theta = theta - ak * (m / (1 - b1 ** (k + 1))) / (np.sqrt(v / (1 - b2 ** (k + 1))) + eps)
    np.testing.assert_allclose(calls[-1], theta[None, :])  # the final point is evaluated last
    assert len(calls) == 1 + 2 + 1 and result.evaluations == 1 + 4 + 1
    values = np.concatenate([quadratic(p) for p in calls])
    assert result.fun == pytest.approx(values.min())
    np.testing.assert_allclose(quadratic(result.x)[0], result.fun)


def test_adam_spsa_first_step_has_size_a_per_coordinate():
    opt = AdamSPSA(iterations=1, a=0.5)
    pts = []
    opt.minimize(lambda p: (pts.append(np.array(p)), quadratic(p))[1], np.zeros(3), np.random.default_rng(0))
    final = pts[-1][0]
    np.testing.assert_allclose(np.abs(final), 0.5, rtol=1e-6)


def test_adam_spsa_converges_on_a_quadratic():
    opt = AdamSPSA(a=0.3, alpha=0.602, c=0.1, gamma=0.101, lam=0.5, iterations=400)
    result = opt.minimize(quadratic, np.zeros(3), np.random.default_rng(2))
    np.testing.assert_allclose(result.x, CENTER, atol=0.05)
    assert result.fun < 1e-3


def test_product_bias_correction_first_step_matches_constant_then_differs():
    def run(mode, iterations):
        pts = []
        AdamSPSA(bias_correction=mode, iterations=iterations).minimize(
            lambda p: (pts.append(np.array(p)), quadratic(p))[1], np.zeros(3), np.random.default_rng(5))
        return pts[-1][0]

    # at k = 0 both normalisers are 1 - beta1
    np.testing.assert_allclose(run("product", 1), run("constant", 1))
    assert not np.allclose(run("product", 3), run("constant", 3))
    with pytest.raises(ValueError, match="bias_correction"):
        AdamSPSA(bias_correction="none")


def test_three_stage_shot_schedule():
    seen = []

    def f(points, shots=None):
        seen.append((len(points), shots))
        return quadratic(points)

    opt = AdamSPSA3Stage(shots=10_000, stage_iterations=(3, 2, 1))
    assert opt.stage_shots() == (100, 1000, 10_000)
    result = opt.minimize(f, np.zeros(3), np.random.default_rng(0))
    pair_shots = [s for n, s in seen if n == 2]
    assert pair_shots == [100, 100, 100, 1000, 1000, 10_000]
    assert seen[0] == (1, 100) and seen[-1] == (1, 10_000)
    assert result.iterations == 6
    with pytest.raises(ValueError, match="shots >= 100"):
        AdamSPSA3Stage(shots=50)
    with pytest.raises(ValueError, match="stage_iterations"):
        AdamSPSA3Stage(iterations=10)


def test_three_stage_continues_the_one_stage_schedule():
    # with exact values, 3 stages of (2, 2, 1) iterations equal one stage of 5 iterations
    one = AdamSPSA(iterations=5).minimize(quadratic, np.ones(3), np.random.default_rng(4))
    three = AdamSPSA3Stage(stage_iterations=(2, 2, 1)).minimize(lambda p, shots=None: quadratic(p), np.ones(3),
                                                               np.random.default_rng(4))
    np.testing.assert_allclose(one.x, three.x)
    assert one.fun == three.fun


def test_spsa_converges_and_cobyla_converges():
    spsa = SPSA(a=0.2, c=0.1, iterations=600).minimize(quadratic, np.zeros(3), np.random.default_rng(1))
    assert spsa.fun < 1e-2
    cob = COBYLA(maxiter=200).minimize(quadratic, np.zeros(3), np.random.default_rng(1))
    np.testing.assert_allclose(cob.x, CENTER, atol=1e-3)
    assert cob.evaluations <= 200


BACKENDS = ["scipy"] + (["nlopt"] if COBYLA().backend == "nlopt" else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_cobyla_backends_converge_and_respect_maxiter(backend):
    cob = COBYLA(maxiter=200, backend=backend).minimize(quadratic, np.zeros(3), np.random.default_rng(1))
    np.testing.assert_allclose(cob.x, CENTER, atol=1e-3)
    calls = []
    short = COBYLA(maxiter=10, backend=backend).minimize(lambda p: (calls.append(1), quadratic(p))[1], np.zeros(3),
                                                         np.random.default_rng(0))
    assert len(calls) <= 10 and short.evaluations == len(calls)
    with pytest.raises(ValueError, match="backend"):
        COBYLA(backend="fortran")
    assert COBYLA(iterations=7).maxiter == 7 and COBYLA().maxiter == 100
    with pytest.raises(ValueError, match="not both"):
        COBYLA(maxiter=5, iterations=7)


@pytest.mark.parametrize("name", ["adam-spsa", "adam-spsa-3stage", "spsa", "cobyla"])
def test_zero_parameters_evaluate_once(name):
    result = make_optimizer(name).minimize(lambda p, shots=None: np.full(len(p), 1.5), np.zeros(0),
                                           np.random.default_rng())
    assert result.fun == 1.5 and result.evaluations == 1 and result.x.shape == (0,)


@pytest.mark.parametrize("name", ["adam-spsa", "spsa"])
def test_same_rng_seed_same_result(name):
    runs = [make_optimizer(name, iterations=20).minimize(quadratic, np.zeros(3), np.random.default_rng(9))
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0].x, runs[1].x)


def test_factory_errors_name_the_problem():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("lbfgs")
    with pytest.raises(TypeError, match="adam-spsa"):
        make_optimizer("adam-spsa", learning_rate=0.1)
    with pytest.raises(ValueError, match="iterations"):
        make_optimizer("spsa", iterations=-1)
    with pytest.raises(ValueError, match="beta1"):
        make_optimizer("adam-spsa", beta1=1.5)


def test_non_finite_objective_is_reported():
    with pytest.raises(ValueError, match="non-finite"):
        AdamSPSA(iterations=2).minimize(lambda p: np.full(len(p), math.nan), np.zeros(2), np.random.default_rng())
