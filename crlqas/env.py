"""QASEnv: quantum architecture search as a Gymnasium environment.

Each step appends one gate (see :mod:`crlqas.encoding` for the action order),
re-optimises every rotation angle with the inner optimizer on the compiled
(noisy) circuit -- the new angle starts at 0, earlier ones warm-start -- and
scores the energy E_t of the circuit *including* the new gate.

Reward (E_min = exact energy, or the Pauli-norm lower bound with
``energy_reference="lower-bound"``; xi = the curriculum's threshold):
+5 if |E_t - E_min| < xi (terminated, success); else -5 when the layer budget
L is used up (terminated); else clip((E_{t-1} - E_t) / |E_{t-1} - E_min|, -1, 1).
``reward_options`` overrides these constants: "success" (> 0), "failure"
(< 0) and "clip" (> 0, the bound of the in-between reward), finite numbers.
A per-episode random step budget (halting) ends the episode with
``truncated=True`` (``halting_terminal=True``: ``terminated`` instead).

Observations: ``"flat"`` is one float32 Box holding the (L, N+3, N) tensor
flattened, then the current energy, then (``extra_features=True``) the
threshold and the step fraction. ``"tensor"`` is a Dict with keys
``"circuit"`` (Box (L, N+3, N)), ``"energy"`` (Box (1,)) and, with extra
features, ``"features"`` (Box (2,)). Energies are clipped into
[c_0 - sum|c| - margin, c_0 + sum|c| + margin] (c_0 the identity coefficient,
margin = max(1, 0.1 sum|c|)), so observations always lie in the space.

Readout error: with a noise model that has readout error the default
``readout_mitigation="auto"`` turns mitigation on (each measured Pauli term
is divided by its readout attenuation, as measurement-error mitigation on
hardware does), because an unmitigated 2.25 % flip shrinks every measured
term by ~4.5 % per qubit and alone moves H2 energies by more than chemical
accuracy. Pass ``readout_mitigation=False`` for raw readout. The reported
``info["error"]`` is always E_t minus the exact ground energy. Measured on
H2-2q under mumbai-median with a fully optimised 2-qubit circuit
(RY RY CNOT RY RY): best noisy error 1.07e-2 Ha mitigated, 4.73e-2 Ha raw;
the CNOT's depolarizing part (Pauli fidelity 0.988) alone costs ~1e-2 Ha, so
chemical accuracy against the exact energy is out of reach under this preset
with any entangling circuit, while the same circuits' noiseless error
(``info["noiseless_error"]``) reaches ~4e-6 Ha.

New rotation angles start at exactly 0 (``new_angle_std`` > 0 draws them
from a normal distribution instead). With exact energies a new rotation on a
basis state sits at a stationary point where the SPSA difference is exactly
zero; the optimizer then returns the best perturbed point, so the angle
leaves the stationary point on the next step's warm start.

The start energy E_0 (empty circuit) is computed once, exactly (no shot
noise), when the env is built.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any, Callable, Mapping, Sequence

import gymnasium as gym
import numpy as np
from gymnasium import spaces

import sim
from crlqas import tasks as tasks_module
from crlqas.curriculum import Curriculum, make_curriculum
from crlqas.encoding import ActionSet, CircuitEncoding, IllegalActionError
from crlqas.halting import make_halting
from crlqas.noise_presets import make_noise_model
from crlqas.optimizers import H2_DEFAULTS, LIH_DEFAULTS, make_optimizer
from crlqas.optimizers.base import OptimizeResult

DEFAULT_REWARDS = {"success": 5.0, "failure": -5.0, "clip": 1.0}
#: paper curriculum keys (as stored on a Task) -> MovingThreshold argument names
_CURRICULUM_KEYS = {"mu": "mu", "T": "period", "K": "successes", "R": "max_shrinks", "S": "switch",
                    "xi0": "initial_threshold", "warmup": "warmup"}


#: what each reward constant must satisfy (the method needs a positive success reward, a negative failure
#: penalty and a positive clip bound for the in-between reward, clipped to [-clip, clip])
_REWARD_RULES = {"success": ("> 0", lambda v: v > 0), "failure": ("< 0", lambda v: v < 0),
                 "clip": ("> 0", lambda v: v > 0)}


def check_reward_options(reward_options: Any) -> dict[str, float]:
    """The reward constants: :data:`DEFAULT_REWARDS` updated by ``reward_options``, validated."""
    if reward_options is None:
        return dict(DEFAULT_REWARDS)
    if not isinstance(reward_options, Mapping):
        raise TypeError(f"reward_options must be a dict with keys among {sorted(DEFAULT_REWARDS)}, got "
                        f"{type(reward_options).__name__}")
    rewards = dict(DEFAULT_REWARDS)
    for key, value in reward_options.items():
        if key not in DEFAULT_REWARDS:
            raise ValueError(f"unknown reward option {key!r}; known: {sorted(DEFAULT_REWARDS)}")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"reward option {key!r} must be a real number, got {value!r} ({type(value).__name__})")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"reward option {key!r} must be finite, got {value!r}")
        rule, ok = _REWARD_RULES[key]
        if not ok(value):
            raise ValueError(f"reward option {key!r} must be {rule}, got {value!r}")
        rewards[key] = value
    return rewards


def _resolve_task(task: Any) -> tasks_module.Task:
    if isinstance(task, tasks_module.Task):
        return task
    if isinstance(task, str):
        return tasks_module.get(task)
    raise TypeError(f"task must be a task name or a crlqas.tasks.Task, got {type(task).__name__}")


def paper_optimizer_options(task: tasks_module.Task, optimizer: str) -> dict[str, Any]:
    """The paper's Adam-SPSA hyperparameters for ``task`` (LiH set for LiH tasks, H2-2q set otherwise)."""
    if not optimizer.startswith("adam-spsa"):
        return {}
    return dict(LIH_DEFAULTS if task.name.lower().startswith("lih") else H2_DEFAULTS)


class QASEnv(gym.Env):
    """Gate-by-gate circuit construction for a task's Hamiltonian (see the module docstring).

    Besides the Gymnasium API: :meth:`action_masks`, :meth:`action_names`,
    :meth:`circuit`, :attr:`params`, :meth:`to_qiskit`, :meth:`to_qasm3`,
    :attr:`curriculum`, :attr:`max_layers`, :attr:`task`, :attr:`timings`.
    ``info`` carries energy, error (vs the exact energy), noiseless_energy,
    noiseless_error, threshold, gate counts, depth, cost_evaluations,
    action_mask, success, halted, illegal_action, episode_steps and the bound
    ``circuit`` (a ``sim.Circuit``, state preparation included).
    Set ``update_curriculum = False`` on evaluation envs so they do not move
    the threshold.
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}

    def __init__(self, task: str | tasks_module.Task = "H2-2q", noise: Any = None, shots: int | None = None,
                 max_layers: int | None = None, coupling_map: Sequence[Sequence[int]] | None = None,
                 optimizer: str = "adam-spsa", optimizer_options: dict[str, Any] | None = None,
                 curriculum: str = "moving", curriculum_options: dict[str, Any] | None = None,
                 halting: str | Callable[[np.random.Generator], int | None] = "auto", halting_terminal: bool = False,
                 reward_options: dict[str, float] | None = None, energy_reference: str = "exact",
                 initial_state: str = "zeros", observation: str = "flat", extra_features: bool = False,
                 illegal_action: str = "raise", readout_mitigation: bool | str | None = "auto",
                 new_angle_std: float = 0.0, shot_noise: str = "binomial", seed: int | None = None,
                 render_mode: str | None = None):
        super().__init__()
        self.task = _resolve_task(task)
        n = self.task.num_qubits
        self.num_qubits = n
        if max_layers is None:
            max_layers = self.task.max_layers
        if isinstance(max_layers, bool) or not isinstance(max_layers, (int, np.integer)) or max_layers < 1:
            raise ValueError(f"max_layers must be a positive integer, got {max_layers!r}")
        self.max_layers = int(max_layers)
        if shots is not None and (isinstance(shots, bool) or not isinstance(shots, (int, np.integer)) or shots < 1):
            raise ValueError(f"shots must be a positive integer or None, got {shots!r}")
        self.shots = None if shots is None else int(shots)
        if shot_noise not in ("binomial", "gaussian"):
            raise ValueError(f"shot_noise must be 'binomial' (sampled per term) or 'gaussian' (the reference's "
                             f"surrogate), got {shot_noise!r}")
        self.shot_noise = shot_noise
        for name, value, allowed in (("energy_reference", energy_reference, ("exact", "lower-bound")),
                                     ("initial_state", initial_state, ("zeros", "hf")),
                                     ("observation", observation, ("flat", "tensor")),
                                     ("illegal_action", illegal_action, ("raise", "noop"))):
            if value not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.render_mode = render_mode
        self.observation_kind = observation
        self.extra_features = bool(extra_features)
        self.illegal_action = illegal_action
        self.halting_terminal = bool(halting_terminal)
        self.energy_reference = energy_reference
        self.new_angle_std = float(new_angle_std)
        if not (math.isfinite(self.new_angle_std) and self.new_angle_std >= 0):
            raise ValueError(f"new_angle_std must be finite and >= 0, got {new_angle_std!r}")
        self.rewards = check_reward_options(reward_options)
        self.exact_energy = float(self.task.exact_energy)
        self.min_energy = self.exact_energy if energy_reference == "exact" else float(self.task.lower_bound)

        # encoding and the fixed state preparation
        self.action_set = ActionSet(n, coupling_map)
        if coupling_map is not None and n > 1:
            unreachable = sorted(set(range(n)) - {q for pair in self.action_set.coupling_map for q in pair})
            if unreachable:
                warnings.warn(f"the coupling map has no CNOT on qubit(s) {unreachable} of the {n}-qubit task: "
                              "they cannot be entangled with any other qubit (only rotations act on them)",
                              UserWarning, stacklevel=2)
        self.encoding = CircuitEncoding(self.action_set, self.max_layers)
        self._prefix = sim.Circuit(n)
        if initial_state == "hf":
            if self.task.hf_bitstring is None:
                raise ValueError(f"initial_state='hf' but task {self.task.name!r} has no Hartree-Fock bit string")
            for q, bit in enumerate(self.task.hf_bitstring):
                if bit == "1":
                    self._prefix.x(q)
        self.initial_state = initial_state

        # simulators: noise PTMs are built here once; each step compiles one circuit
        self.noise_model = make_noise_model(noise, n)
        self.noisy = self.noise_model is not None
        has_readout = self.noisy and self.noise_model.has_readout
        if readout_mitigation is None or (isinstance(readout_mitigation, str) and readout_mitigation == "auto"):
            readout_mitigation = has_readout
        if not isinstance(readout_mitigation, (bool, np.bool_)):
            raise ValueError(f"readout_mitigation must be True, False or 'auto', got {readout_mitigation!r}")
        self.readout_mitigation = bool(readout_mitigation) and has_readout
        self._noiseless_sim = sim.StatevectorSimulator()
        if self.noisy:
            self._sim = sim.PTMSimulator(self.noise_model, readout=True, mitigate_readout=self.readout_mitigation)
        else:
            self._sim = self._noiseless_sim
        self.hamiltonian = self.task.hamiltonian

        # inner optimizer (paper hyperparameters unless overridden)
        options = paper_optimizer_options(self.task, optimizer)
        if optimizer == "adam-spsa-3stage":
            options["shots"] = self.shots
        options.update(optimizer_options or {})
        self.optimizer_name = optimizer
        self.optimizer = make_optimizer(optimizer, **options)

        # energies of the empty circuit (exact), the curriculum and halting
        self._timings = {"encoding": 0.0, "compile": 0.0, "simulate": 0.0, "optimizer": 0.0}
        self.start_energy = float(self._sim.compile(self._prefix, self.hamiltonian)(None))
        self.start_noiseless_energy = (float(self._noiseless_sim.compile(self._prefix, self.hamiltonian)(None))
                                       if self.noisy else self.start_energy)
        self.curriculum: Curriculum = self._make_curriculum(curriculum, curriculum_options or {})
        self.update_curriculum = True
        self._halting = make_halting(halting, self.noisy, self.task.halting)

        # spaces
        norm = float(np.sum(np.abs(self.hamiltonian.coeffs[self.hamiltonian.codes != 0])))
        margin = max(1.0, 0.1 * norm)
        c0 = self.hamiltonian.constant
        self._energy_low, self._energy_high = c0 - norm - margin, c0 + norm + margin
        self._feature_high = 2 * norm + 2 * margin
        self.action_space = spaces.Discrete(len(self.action_set))
        self.observation_space = self._make_observation_space()

        if seed is not None:
            self._np_random, self._np_random_seed = gym.utils.seeding.np_random(seed)
            self.action_space.seed(seed)
        self._template = self._prefix  # the unbound circuit of the current state
        self._started = False
        self._done = True
        self.params = np.zeros(0)
        self.energy = self.start_energy
        self.expected_energy = self.start_energy
        self.noiseless_energy = self.start_noiseless_energy
        self.steps = 0
        self.step_budget: int | None = None
        self._episode_evaluations = 0

    # ------------------------------------------------------------------ construction helpers
    def _make_curriculum(self, kind: str, options: dict[str, Any]) -> Curriculum:
        # xi0 = chemical accuracy: positive (unlike the reference's negative noisy xi0) yet, like it, no
        # early "success" for any tiny improvement; the first greedy shift then moves xi to what was reached.
        xi0 = self.task.chemical_accuracy
        task_defaults: dict[str, Any] = {}
        if kind == "moving":
            for key, value in (self.task.curriculum or {}).items():
                if key in _CURRICULUM_KEYS:
                    task_defaults[_CURRICULUM_KEYS[key]] = value
        merged = {"initial_threshold": xi0, **task_defaults, **options}
        return make_curriculum(kind, min_energy=self.min_energy, num_qubits=self.num_qubits,
                               chemical_accuracy=self.task.chemical_accuracy, **merged)

    def _make_observation_space(self) -> spaces.Space:
        L, n = self.max_layers, self.num_qubits
        circuit = spaces.Box(0.0, 1.0, shape=(L, n + 3, n), dtype=np.float32)
        energy = spaces.Box(np.float32(self._energy_low), np.float32(self._energy_high), shape=(1,), dtype=np.float32)
        features = spaces.Box(np.zeros(2, np.float32), np.array([self._feature_high, 1.0], np.float32), dtype=np.float32)
        if self.observation_kind == "tensor":
            parts = {"circuit": circuit, "energy": energy}
            if self.extra_features:
                parts["features"] = features
            return spaces.Dict(parts)
        low = [np.zeros(L * (n + 3) * n, np.float32), energy.low]
        high = [np.ones(L * (n + 3) * n, np.float32), energy.high]
        if self.extra_features:
            low.append(features.low)
            high.append(features.high)
        return spaces.Box(np.concatenate(low), np.concatenate(high), dtype=np.float32)

    # ------------------------------------------------------------------ observation / info
    def _observation(self):
        energy = np.array([np.clip(self.energy, self._energy_low, self._energy_high)], dtype=np.float32)
        features = np.array([np.clip(self.curriculum.threshold, 0.0, self._feature_high),
                             self.steps / self.max_layers], dtype=np.float32)
        if self.observation_kind == "tensor":
            obs = {"circuit": self.encoding.tensor.copy(), "energy": energy}
            if self.extra_features:
                obs["features"] = features
            return obs
        parts = [self.encoding.tensor.reshape(-1), energy]
        if self.extra_features:
            parts.append(features)
        return np.concatenate(parts).astype(np.float32)

    def _info(self, evaluations: int = 0, success: bool = False, halted: bool = False,
              illegal: bool = False) -> dict[str, Any]:
        enc = self.encoding
        return {
            "energy": float(self.energy),
            "error": float(self.energy - self.exact_energy),
            "expected_energy": float(self.expected_energy),
            "expected_error": float(self.expected_energy - self.exact_energy),
            "noiseless_energy": float(self.noiseless_energy),
            "noiseless_error": float(self.noiseless_energy - self.exact_energy),
            "threshold": float(self.curriculum.threshold),
            "num_gates": enc.num_gates,
            "num_cnots": enc.num_cnots,
            "num_rotations": enc.num_rotations,
            "depth": enc.depth,
            "cost_evaluations": int(evaluations),
            "episode_cost_evaluations": int(self._episode_evaluations),
            "action_mask": enc.mask(),
            "success": bool(success),
            "halted": bool(halted),
            "illegal_action": bool(illegal),
            "episode_steps": int(self.steps),
            "circuit": self.circuit(),
        }

    # ------------------------------------------------------------------ gym API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        if seed is not None:
            self.action_space.seed(seed)
        self.encoding.reset()
        self._template = self._prefix
        self.params = np.zeros(0)
        self.energy = self.start_energy
        self.expected_energy = self.start_energy
        self.noiseless_energy = self.start_noiseless_energy
        self.steps = 0
        self._episode_evaluations = 0
        budget = self._halting(self.np_random)
        # a zero budget would end the episode before its first action; one step is the least
        self.step_budget = None if budget is None else max(int(budget), 1)
        self._started = True
        self._done = False
        return self._observation(), self._info()

    def step(self, action):
        if not self._started:
            raise RuntimeError("call reset() before step()")
        if self._done:
            raise RuntimeError("the episode has ended (terminated or truncated); call reset() before step()")
        t0 = time.perf_counter()
        illegal = False
        try:
            action = self.encoding.check_action(action)
        except IllegalActionError:
            if self.illegal_action == "raise":
                raise
            illegal = True
        previous = self.energy
        evaluations = 0
        if not illegal:
            self.encoding.append(action)
            gate = self.action_set[action]
            self._timings["encoding"] += time.perf_counter() - t0
            if not gate.is_cnot:
                new = self.np_random.normal(0.0, self.new_angle_std) if self.new_angle_std > 0 else 0.0
                self.params = np.append(self.params, new)
            evaluations = self._optimise()
        else:
            self._timings["encoding"] += time.perf_counter() - t0
        self.steps += 1
        self._episode_evaluations += evaluations
        if self.update_curriculum:
            self.curriculum.observe_energy(self.energy)

        xi = self.curriculum.threshold
        success = abs(self.energy - self.min_energy) < xi
        terminated = truncated = halted = False
        if success:
            reward = self.rewards["success"]
            terminated = True
        elif self.steps >= self.max_layers:
            reward = self.rewards["failure"]
            terminated = True
        else:
            gap = max(abs(previous - self.min_energy), 1e-12)
            clip = self.rewards["clip"]
            reward = float(np.clip((previous - self.energy) / gap, -clip, clip))
            if self.step_budget is not None and self.steps >= self.step_budget:
                halted = True
                terminated = self.halting_terminal
                truncated = not self.halting_terminal
        info = self._info(evaluations, success, halted, illegal)
        if terminated or truncated:
            self._done = True
            if self.update_curriculum:
                self.curriculum.end_episode(success)
        if self.render_mode == "human":
            print(self.render_text())
        return self._observation(), float(reward), terminated, truncated, info

    def _optimise(self) -> int:
        """Compile the current circuit once, re-optimise the angles, set energy and noiseless energy."""
        t0 = time.perf_counter()
        gate = self.action_set[self.encoding.actions[-1]]
        # one gate more than the previous step's circuit (the prefix itself is never modified)
        circuit = self._template.copy()
        circuit.append(gate.name, gate.qubits)
        self._template = circuit
        t_built = time.perf_counter()
        compiled = self._sim.compile(circuit, self.hamiltonian)
        t1 = time.perf_counter()
        self._timings["encoding"] += t_built - t0
        self._timings["compile"] += t1 - t_built
        rng = self.np_random
        sim_time = [0.0]
        default_shots = self.shots

        def objective(points: np.ndarray, shots: int | None = default_shots) -> np.ndarray:
            s = time.perf_counter()
            if shots is not None and self.shot_noise == "gaussian":
                values = compiled.batch(points) + rng.normal(0.0, self._gaussian_sigma(shots), size=len(points))
            else:
                values = compiled.batch(points, shots=shots, rng=rng if shots is not None else None)
            sim_time[0] += time.perf_counter() - s
            return values

        evaluations = 0
        if circuit.num_parameters == 0:
            result = OptimizeResult(self.params.copy(), float(objective(np.zeros((1, 0)))[0]), 1)
        else:
            result = self.optimizer.minimize(objective, self.params, rng)
        evaluations += result.evaluations
        self.params = np.asarray(result.x, dtype=np.float64).copy()
        energy = float(result.fun)
        if self.shots is not None:
            # a fresh estimate at the chosen angles: the minimum of noisy estimates is biased low
            energy = float(objective(self.params[None, :])[0])
            evaluations += 1
        self.energy = energy
        # with shots, also the shot-free (expected) noisy energy at these angles: ranking circuits by their
        # sampled energies would favour lucky samples
        self.expected_energy = float(compiled(self.params)) if self.shots is not None else energy
        t2 = time.perf_counter()
        self._timings["optimizer"] += (t2 - t1) - sim_time[0]
        if self.noisy or self.shots is not None:
            clean = self._noiseless_sim.compile(circuit, self.hamiltonian)
            self.noiseless_energy = float(clean(self.params))
        else:
            self.noiseless_energy = energy
        self._timings["simulate"] += sim_time[0] + (time.perf_counter() - t2)
        return evaluations

    # ------------------------------------------------------------------ extras
    def _gaussian_sigma(self, shots: int) -> float:
        """The reference's surrogate: independent N(0, shots^-1/2) noise on every non-identity term."""
        h = self.hamiltonian
        return float(np.sqrt(np.sum(h.coeffs[h.codes != 0] ** 2) / shots))

    def action_masks(self) -> np.ndarray:
        """Boolean vector: True where the action is legal now."""
        return self.encoding.mask()

    def action_names(self) -> list[str]:
        """Readable action names in action order."""
        return self.action_set.names()

    def circuit(self) -> sim.Circuit:
        """The current circuit (state preparation included) with the current angles bound."""
        return self._template.bind(self.params)

    def to_qiskit(self):
        """The current bound circuit as a Qiskit ``QuantumCircuit``."""
        return self.circuit().to_qiskit()

    def to_qasm3(self) -> str:
        """The current bound circuit as OpenQASM 3 text."""
        from sim.interop.qiskit import to_qasm3

        return to_qasm3(self.circuit())

    @property
    def timings(self) -> dict[str, float]:
        """Accumulated wall time (s) in encoding, compile, simulate (objective calls) and optimizer bookkeeping."""
        return dict(self._timings)

    def reset_timings(self) -> None:
        for key in self._timings:
            self._timings[key] = 0.0

    def render_text(self) -> str:
        gates = " ".join(str(g) for g in self.encoding.gates()) or "(empty)"
        return (f"step {self.steps}/{self.max_layers}  E={self.energy:.6f}  error={self.energy - self.exact_energy:.2e}"
                f"  xi={self.curriculum.threshold:.2e}  gates: {gates}")

    def render(self):
        if self.render_mode == "ansi":
            return self.render_text()
        if self.render_mode == "human":
            print(self.render_text())
        return None
