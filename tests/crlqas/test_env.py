"""QASEnv: step semantics, rewards, episode ends, info, observations, errors, determinism, env checker."""

import warnings

import numpy as np
import pytest

import sim
from crlqas import tasks
from crlqas.encoding import IllegalActionError
from crlqas.env import QASEnv
from crlqas.optimizers import LIH_DEFAULTS

FAST = {"optimizer_options": {"iterations": 30}}


def make(**kw):
    params = {"task": "H2-2q", **FAST}
    params.update(kw)
    return QASEnv(**params)


def act(env, name):
    return env.action_names().index(name)


def exact_energy_of(circuit, hamiltonian, noise_model=None, mitigate=False):
    """Independent energy: the plain density-matrix reference (readout off when mitigated)."""
    return sim.DensityMatrixSimulator(noise_model, readout=not mitigate).expectation(circuit, hamiltonian)


# ---------------------------------------------------------------------- spaces and observations
def test_spaces_and_flat_observation_layout():
    env = make()
    obs, info = env.reset(seed=0)
    L, n = env.max_layers, 2
    assert env.action_space.n == n * (n + 2) == 8
    assert obs.shape == (L * (n + 3) * n + 1,) and obs.dtype == np.float32
    assert env.observation_space.contains(obs)
    assert obs[-1] == np.float32(info["energy"])
    obs, *_ = env.step(act(env, "RY(1)"))
    tensor = obs[:-1].reshape(L, n + 3, n)
    np.testing.assert_array_equal(tensor, env.encoding.tensor)
    assert tensor[0, n + 1, 1] == 1 and tensor.sum() == 1


def test_tensor_observation_and_extra_features():
    env = make(observation="tensor", extra_features=True, curriculum="none")
    obs, _ = env.reset(seed=0)
    assert set(obs) == {"circuit", "energy", "features"}
    assert obs["circuit"].shape == (40, 5, 2)
    assert env.observation_space.contains(obs)
    obs, *_ = env.step(act(env, "RX(0)"))
    assert obs["features"][0] == pytest.approx(1.6e-3) and obs["features"][1] == pytest.approx(1 / 40)
    flat = make(extra_features=True)
    o, _ = flat.reset(seed=0)
    assert o.shape == (40 * 5 * 2 + 3,) and flat.observation_space.contains(o)


# ---------------------------------------------------------------------- step semantics
def test_energy_is_that_of_the_circuit_including_the_new_gate():
    env = make(curriculum="none", halting="none")
    env.reset(seed=3)
    for name in ["RY(0)", "RY(1)", "CNOT(0,1)"]:
        _, _, _, _, info = env.step(act(env, name))
        assert info["energy"] == pytest.approx(exact_energy_of(env.circuit(), env.task.hamiltonian), abs=1e-10)
        assert len(env.params) == env.encoding.num_rotations
    assert [op.name for op in env.circuit()] == ["ry", "ry", "cx"]


def test_new_angle_starts_at_zero_and_earlier_angles_warm_start():
    env = make(curriculum="none", halting="none")
    env.reset(seed=0)
    starts = []
    inner = env.optimizer

    class Spy:
        def minimize(self, objective, x0, rng):
            starts.append(np.array(x0))
            return inner.minimize(objective, x0, rng)

    env.optimizer = Spy()
    env.step(act(env, "RY(0)"))
    after_first = env.params.copy()
    env.step(act(env, "CNOT(0,1)"))  # the CNOT step re-optimises the existing angle too
    after_second = env.params.copy()
    env.step(act(env, "RY(1)"))
    assert len(starts) == 3
    np.testing.assert_array_equal(starts[0], [0.0])
    np.testing.assert_array_equal(starts[1], after_first)
    np.testing.assert_array_equal(starts[2], np.append(after_second, 0.0))


def test_noisy_energy_uses_the_noise_model_and_reports_the_noiseless_value():
    env = make(noise="mumbai-median", curriculum="none", halting="none")
    assert env.readout_mitigation  # the documented default with readout error
    env.reset(seed=1)
    for name in ["RY(0)", "CNOT(0,1)"]:
        _, _, _, _, info = env.step(act(env, name))
    circuit = env.circuit()
    assert info["energy"] == pytest.approx(
        exact_energy_of(circuit, env.task.hamiltonian, env.noise_model, mitigate=True), abs=1e-10)
    assert info["noiseless_energy"] == pytest.approx(exact_energy_of(circuit, env.task.hamiltonian), abs=1e-10)
    assert info["error"] == pytest.approx(info["energy"] - tasks.get("H2-2q").exact_energy)
    assert info["noiseless_error"] == pytest.approx(info["noiseless_energy"] - tasks.get("H2-2q").exact_energy)
    raw = make(noise="mumbai-median", readout_mitigation=False)
    assert not raw.readout_mitigation
    assert raw.start_energy == pytest.approx(
        exact_energy_of(sim.Circuit(2), env.task.hamiltonian, env.noise_model), abs=1e-12)


# ---------------------------------------------------------------------- rewards and episode ends
def test_reward_at_success():
    env = make(curriculum="fixed", curriculum_options={"schedule": [(0, 0.5)]}, halting="none")
    env.reset(seed=0)
    _, reward, terminated, truncated, info = env.step(act(env, "RY(0)"))
    assert info["error"] > 0.5 and not info["success"] and reward < 5
    _, reward, terminated, truncated, info = env.step(act(env, "RY(1)"))  # drops the error below 0.5
    assert info["error"] < 0.5
    assert (reward, terminated, truncated, info["success"]) == (5.0, True, False, True)


def test_reward_at_layer_budget_and_in_between():
    env = make(max_layers=3, curriculum="none", halting="none")
    env.reset(seed=0)
    e0 = env.energy
    assert e0 == pytest.approx(exact_energy_of(sim.Circuit(2), env.task.hamiltonian))
    _, r1, term, trunc, info = env.step(act(env, "RY(0)"))
    expected = np.clip((e0 - info["energy"]) / abs(e0 - env.task.exact_energy), -1, 1)
    assert r1 == pytest.approx(expected) and 0 < r1 <= 1 and not (term or trunc)
    _, r2, term, trunc, _ = env.step(act(env, "CNOT(1,0)"))
    assert not (term or trunc)
    _, r3, term, trunc, info = env.step(act(env, "CNOT(0,1)"))
    assert (r3, term, trunc, info["success"], info["halted"]) == (-5.0, True, False, False, False)


def test_reward_options_and_lower_bound_reference():
    env = make(max_layers=1, curriculum="none", halting="none", reward_options={"failure": -2.0},
               energy_reference="lower-bound")
    assert env.min_energy == env.task.lower_bound
    env.reset(seed=0)
    _, reward, *_ , info = env.step(act(env, "RX(0)"))
    assert reward == -2.0
    assert info["error"] == pytest.approx(info["energy"] - env.task.exact_energy)  # always vs exact
    with pytest.raises(ValueError, match="unknown reward option"):
        make(reward_options={"bonus": 1})


def test_random_halting_truncates_by_default_and_terminates_on_option():
    for terminal in (False, True):
        env = make(halting=lambda rng: 2, halting_terminal=terminal, curriculum="none")
        env.reset(seed=0)
        assert env.step_budget == 2
        _, _, term, trunc, info = env.step(act(env, "CNOT(0,1)"))
        assert not (term or trunc)
        _, _, term, trunc, info = env.step(act(env, "CNOT(1,0)"))
        assert info["halted"] and (term, trunc) == (terminal, not terminal)


def test_auto_halting_draws_reference_budgets():
    budgets = []
    env = make()
    for s in range(5):
        env.reset(seed=s)
        budgets.append(env.step_budget)
    assert all(25 <= b <= 70 for b in budgets)
    noisy = make(noise="mumbai-median")
    noisy.reset(seed=0)
    assert 1 <= noisy.step_budget <= 40


# ---------------------------------------------------------------------- curriculum wiring
def test_curriculum_default_threshold_and_updates():
    assert make().curriculum.threshold == pytest.approx(make().task.chemical_accuracy)
    xi0 = abs(make().start_energy - make().task.exact_energy)
    env = make(curriculum_options={"period": 2, "warmup": 0, "initial_threshold": xi0})
    assert env.curriculum.threshold == pytest.approx(xi0)
    env.reset(seed=0)
    env.step(act(env, "RY(0)"))  # any improvement succeeds against xi0 = error of the empty circuit
    assert env.curriculum.lowest_energy == pytest.approx(env.energy)
    assert env.curriculum.episodes == 1
    env.reset(seed=1)
    env.update_curriculum = False
    env.step(act(env, "RX(1)"))
    assert env.curriculum.episodes == 1


def test_negative_initial_threshold_is_rejected():
    with pytest.raises(ValueError, match="xi0 must be positive"):
        make(curriculum_options={"initial_threshold": -0.01})


# ---------------------------------------------------------------------- masks and bad input
def test_masks_in_info_and_method_agree_and_illegal_actions_raise():
    env = make(curriculum="none")
    _, info = env.reset(seed=0)
    assert info["action_mask"].all()
    _, _, _, _, info = env.step(act(env, "RZ(1)"))
    np.testing.assert_array_equal(info["action_mask"], env.action_masks())
    assert not info["action_mask"][act(env, "RZ(1)")]
    with pytest.raises(IllegalActionError, match="illegal"):
        env.step(act(env, "RZ(1)"))
    with pytest.raises(ValueError, match="out of range"):
        env.step(8)


def test_illegal_action_noop_option():
    env = make(curriculum="none", illegal_action="noop")
    env.reset(seed=0)
    env.step(act(env, "RZ(1)"))
    before = env.encoding.tensor.copy()
    _, reward, term, trunc, info = env.step(act(env, "RZ(1)"))
    assert info["illegal_action"] and reward == 0.0 and info["num_gates"] == 1 and info["episode_steps"] == 2
    np.testing.assert_array_equal(env.encoding.tensor, before)


def test_step_before_reset_and_after_the_end_are_errors():
    env = make(max_layers=1, curriculum="none")
    with pytest.raises(RuntimeError, match="reset"):
        env.step(0)
    env.reset(seed=0)
    env.step(0)
    with pytest.raises(RuntimeError, match="ended"):
        env.step(1)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"coupling_map": [(0, 2)]}, ValueError, "qubit 2"),
    ({"noise": "mumbai-worst"}, ValueError, "unknown noise"),
    ({"noise": "depolarizing-1.5-0.1"}, ValueError, "Pauli-error probability"),
    ({"optimizer": "adam"}, ValueError, "unknown optimizer"),
    ({"curriculum": "linear"}, ValueError, "unknown curriculum"),
    ({"halting": "sometimes"}, ValueError, "unknown halting"),
    ({"observation": "image"}, ValueError, "observation"),
    ({"max_layers": 0}, ValueError, "max_layers"),
    ({"shots": 0}, ValueError, "shots"),
    ({"task": "He-1q"}, KeyError, "unknown task"),
    ({"task": 3}, TypeError, "task"),
    ({"initial_state": "plus"}, ValueError, "initial_state"),
    ({"readout_mitigation": "yes"}, ValueError, "readout_mitigation"),
])
def test_bad_constructor_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)


# ---------------------------------------------------------------------- options
def test_coupling_map_restricts_cnots():
    env = QASEnv(task="H2-4q", coupling_map=[(0, 1), (1, 2), (2, 3)], **FAST)
    assert env.action_space.n == 3 + 12
    assert env.action_names()[:3] == ["CNOT(0,1)", "CNOT(1,2)", "CNOT(2,3)"]


def test_hartree_fock_start():
    env = make(initial_state="hf")
    env.reset(seed=0)
    assert env.energy == pytest.approx(env.task.hf_energy, abs=1e-10)
    assert [op.name for op in env.circuit()] == ["x"] * env.task.hf_bitstring.count("1")


def test_paper_optimizer_settings_by_task():
    assert make().optimizer.a == 1.2104 and make().optimizer.iterations == 30
    lih = QASEnv(task="LiH-4q", optimizer_options={"iterations": 5})
    assert (lih.optimizer.a, lih.optimizer.lam, lih.optimizer.beta2) == (
        LIH_DEFAULTS["a"], LIH_DEFAULTS["lam"], LIH_DEFAULTS["beta2"])
    staged = make(optimizer="adam-spsa-3stage", shots=10_000,
                  optimizer_options={"stage_iterations": (2, 2, 1)})
    assert staged.optimizer.stage_shots() == (100, 1000, 10_000)
    staged.reset(seed=0)
    _, _, _, _, info = staged.step(act(staged, "RY(0)"))
    assert info["cost_evaluations"] == 1 + 10 + 1 + 1  # start, 5 pairs, final, fresh estimate


def test_cobyla_and_spsa_inner_optimizers_run():
    for name, options in (("cobyla", {"maxiter": 20}), ("spsa", {"iterations": 10})):
        env = make(optimizer=name, optimizer_options=options, curriculum="none")
        env.reset(seed=0)
        _, _, _, _, info = env.step(act(env, "RY(0)"))
        assert info["error"] < 0.8 and info["cost_evaluations"] > 1


def test_exports():
    env = make(curriculum="none")
    env.reset(seed=0)
    env.step(act(env, "RY(0)"))
    env.step(act(env, "CNOT(0,1)"))
    qc = env.to_qiskit()
    assert qc.num_qubits == 2 and qc.count_ops() == {"ry": 1, "cx": 1}
    assert "OPENQASM 3" in env.to_qasm3()
    assert env.circuit().num_parameters == 0


def test_render_ansi():
    env = make(render_mode="ansi", curriculum="none")
    env.reset(seed=0)
    env.step(act(env, "RY(0)"))
    assert "RY(0)" in env.render()


# ---------------------------------------------------------------------- determinism and checker
def _rollout(env, seed, steps=6):
    obs, _ = env.reset(seed=seed)
    out = [obs]
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        a = rng.choice(np.flatnonzero(env.action_masks()))
        obs, r, term, trunc, info = env.step(a)
        out.append((obs, r, info["energy"], info["cost_evaluations"]))
        if term or trunc:
            break
    return out, env.params.copy()


@pytest.mark.parametrize("kw", [{}, {"noise": "mumbai-median", "shots": 1000}])
def test_determinism_under_a_seed(kw):
    a, pa = _rollout(make(curriculum="none", **kw), 5)
    b, pb = _rollout(make(curriculum="none", **kw), 5)
    assert len(a) == len(b)
    for x, y in zip(a[1:], b[1:]):
        np.testing.assert_array_equal(x[0], y[0])
        assert x[1:] == y[1:]
    np.testing.assert_array_equal(pa, pb)
    c, _ = _rollout(make(curriculum="none", **kw), 6)
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(a[1:], c[1:])) or len(a) != len(c)


@pytest.mark.parametrize("kw", [{}, {"noise": "mumbai-median", "observation": "tensor", "extra_features": True}])
def test_gymnasium_env_checker_passes_with_warnings_as_errors(kw):
    from gymnasium.utils.env_checker import check_env

    env = make(**kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env, skip_render_check=True)



def test_constructor_seed_makes_unseeded_resets_reproducible():
    budgets = []
    for _ in range(2):
        env = make(seed=11)
        env.reset()
        budgets.append(env.step_budget)
        env.step(act(env, "RY(0)"))
        budgets.append(tuple(env.params))
    assert budgets[0] == budgets[2] and budgets[1] == budgets[3]


def test_a_task_object_from_a_hamiltonian():
    toy = tasks.Task.from_hamiltonian({"ZZ": 1.0, "XI": 0.5}, name="toy-2q", max_layers=5)
    env = QASEnv(task=toy, curriculum="none", halting="none", **FAST)
    assert env.max_layers == 5 and env.exact_energy == pytest.approx(-np.sqrt(1.25))
    env.reset(seed=0)
    _, _, _, _, info = env.step(act(env, "RY(1)"))
    assert info["error"] == pytest.approx(env.energy - toy.exact_energy)


def test_documented_readout_figures_on_h2_mumbai_median():
    """Best noisy error of RY RY CNOT RY RY: ~1.07e-2 mitigated, ~4.73e-2 raw (both above chemical accuracy)."""
    from scipy.optimize import minimize

    task = tasks.get("H2-2q")
    circuit = sim.Circuit(2).ry(0).ry(1).cx(0, 1).ry(0).ry(1)
    best = {}
    for mitigate in (True, False):
        env = make(noise="mumbai-median", readout_mitigation=mitigate)
        compiled = env._sim.compile(circuit, task.hamiltonian)
        starts = np.random.default_rng(1).uniform(-np.pi, np.pi, (4, 4))
        best[mitigate] = min(minimize(lambda x: compiled(x), x0, method="Nelder-Mead",
                                      options={"xatol": 1e-7, "fatol": 1e-10, "maxiter": 3000}).fun
                             for x0 in starts) - task.exact_energy
    assert best[True] == pytest.approx(1.07e-2, abs=5e-4)
    assert best[False] == pytest.approx(4.73e-2, abs=5e-4)
    assert best[True] > task.chemical_accuracy


def test_gaussian_shot_noise_has_the_reference_spread():
    env = make(shots=100, shot_noise="gaussian", optimizer_options={"iterations": 0})
    h = env.hamiltonian
    expected = np.sqrt(np.sum(h.coeffs[h.codes != 0] ** 2) / 100)
    assert env._gaussian_sigma(100) == pytest.approx(expected)
    energies = []
    for seed in range(200):
        env.reset(seed=seed)
        _, _, _, _, info = env.step(act(env, "RY(0)"))
        energies.append(info["energy"] - info["expected_energy"])
    assert abs(np.mean(energies)) < 4 * expected / np.sqrt(200)
    assert np.std(energies) == pytest.approx(expected, rel=0.2)
    with pytest.raises(ValueError, match="shot_noise"):
        make(shot_noise="poisson")
