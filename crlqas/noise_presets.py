"""Named noise settings: the paper's IBM Mumbai levels, uniform depolarizing, and Qiskit fake backends.

Specs accepted by :func:`make_noise_model`:

* ``None`` or ``"none"``: noiseless;
* ``"mumbai-median"``, ``"mumbai-max"``, ``"mumbai-10max"``: the paper's three
  levels (numbers below);
* ``"depolarizing-<p1>-<p2>"``: depolarizing after every 1-qubit gate with
  total Pauli-error probability p1 and after every CNOT with two-qubit
  Pauli-error probability p2 (Cirq's ``depolarize(p)`` convention: each
  non-identity Pauli string with probability p/3 resp. p/15; Aer lambda =
  4p/3 resp. 16p/15), e.g. ``"depolarizing-0.001-0.01"``;
* ``"fake-backend:<FakeName>[:median|max]"``: built from a Qiskit fake
  backend's calibration (needs the ``ibm`` extra, qiskit-ibm-runtime);
* a ``sim.NoiseModel`` (used as is) or a Qiskit Aer ``NoiseModel`` (converted).

Mumbai levels (per gate, from the reference data). Thermal relaxation is
given by the ratios t/T1 and t/T2 (only the ratios matter), with excited
population 0.0758 after every gate on every qubit it touches:

========================  ==========  ==========  ===============
quantity                  median      max         10x max
========================  ==========  ==========  ===============
1q gate t/T1, t/T2        2.862e-4,   same        10x
                          2.093e-4
CX t/T1                   3.402e-3    6.048e-3    6.048e-2
CX t/T2                   2.488e-3    4.423e-3    4.423e-2
1q depolarizing (Pauli    0           1.4e-3      1.46e-2
error probability)
CX Pauli fidelity (each   0.988       0.972       0.73
qubit, independent)
readout flip              0.0225      0.0869      0.0869
========================  ==========  ==========  ===============

"CX Pauli fidelity f" is the factor by which the independent 1-qubit
depolarizing channel on each CNOT qubit shrinks the X, Y, Z components (Aer
lambda = 1 - f). "10x max" multiplies the max gate rates by ten; its readout
flip stays at the max value, because ten times 0.0869 exceeds 1/2 and would no
longer describe a readout error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim import channels
from sim.circuit import GATE_ARITY
from sim.noise import NoiseModel

#: the 1-qubit gates that receive 1-qubit gate noise (the env uses rx, ry, rz and x)
ONE_QUBIT_GATES = tuple(sorted(g for g, k in GATE_ARITY.items() if k == 1 and g != "id"))
EXCITED_POPULATION = 0.0758


@dataclass(frozen=True)
class DeviceNoise:
    """A uniform device-noise description (the same numbers on every qubit)."""

    name: str
    t1_ratio_1q: float
    t2_ratio_1q: float
    t1_ratio_cx: float
    t2_ratio_cx: float
    depolarizing_1q: float
    cx_pauli_fidelity: float
    readout_flip: float
    excited_population: float = EXCITED_POPULATION

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"DeviceNoise name must be a string, got {self.name!r}")
        for field_name in ("t1_ratio_1q", "t2_ratio_1q", "t1_ratio_cx", "t2_ratio_cx", "depolarizing_1q",
                           "cx_pauli_fidelity", "readout_flip", "excited_population"):
            value = getattr(self, field_name)
            if not _is_real(value):
                raise TypeError(f"{self.name}: {field_name} must be a real number, got {value!r} "
                                f"({type(value).__name__})")
            if not math.isfinite(value):
                raise ValueError(f"{self.name}: {field_name} must be finite, got {value!r}")
        for field_name in ("t1_ratio_1q", "t2_ratio_1q", "t1_ratio_cx", "t2_ratio_cx"):
            value = getattr(self, field_name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{self.name}: {field_name} (gate time / T) must be finite and >= 0, got {value!r}")
        for gate, r1, r2 in (("1q", self.t1_ratio_1q, self.t2_ratio_1q), ("CX", self.t1_ratio_cx, self.t2_ratio_cx)):
            # t/T2 >= t/(2 T1)  <=>  T2 <= 2 T1
            if r2 < r1 / 2 - 1e-15:
                raise ValueError(f"{self.name}: {gate} t/T2 = {r2!r} < t/(2 T1) = {r1 / 2!r}, i.e. T2 > 2 T1, "
                                 "which is not physical")
        for field_name, upper in (("depolarizing_1q", 1.0), ("readout_flip", 0.5), ("excited_population", 1.0)):
            value = getattr(self, field_name)
            if not 0 <= value <= upper:
                raise ValueError(f"{self.name}: {field_name} must lie in [0, {upper:g}], got {value!r}")
        # a 1q Pauli channel's uniform Pauli fidelity is physical for f in [-1/3, 1]
        if not -1 / 3 <= self.cx_pauli_fidelity <= 1:
            raise ValueError(f"{self.name}: cx_pauli_fidelity must lie in [-1/3, 1], got {self.cx_pauli_fidelity!r}")

    def noise_model(self) -> NoiseModel:
        """The ``sim.NoiseModel`` (same channels on every qubit)."""
        model = NoiseModel()
        one = _thermal(self.t1_ratio_1q, self.t2_ratio_1q, self.excited_population)
        if self.depolarizing_1q > 0:
            one = _then(one, pauli_error_depolarizing(self.depolarizing_1q, 1))
        if one is not None:
            model.add_quantum_error(one, list(ONE_QUBIT_GATES))
        cx_one = _thermal(self.t1_ratio_cx, self.t2_ratio_cx, self.excited_population)
        if self.cx_pauli_fidelity < 1:
            cx_one = _then(cx_one, channels.depolarizing(1.0 - self.cx_pauli_fidelity, 1))
        if cx_one is not None:
            model.add_quantum_error(channels.product(cx_one, cx_one), "cx")
        if self.readout_flip > 0:
            p = self.readout_flip
            model.add_readout_error(channels.readout_error([[1 - p, p], [p, 1 - p]]))
        return model


def _is_real(value: Any) -> bool:
    """True for int/float and NumPy real scalars; False for bools, strings, None, complex numbers."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _check_pauli_probability(value: Any, what: str) -> float:
    """``value`` as a float in [0, 1] (a total Pauli-error probability), or a TypeError/ValueError naming ``what``."""
    if not _is_real(value):
        raise TypeError(f"{what} must be a real number (a Pauli-error probability in [0, 1]), got {value!r} "
                        f"({type(value).__name__})")
    p = float(value)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{what} must be a Pauli-error probability in [0, 1], got {value!r}")
    return p


def _thermal(t1_ratio: float, t2_ratio: float, excited: float) -> channels.Channel | None:
    if t1_ratio == 0 and t2_ratio == 0:
        return None
    t1 = math.inf if t1_ratio == 0 else 1.0 / t1_ratio
    t2 = math.inf if t2_ratio == 0 else 1.0 / t2_ratio
    return channels.thermal_relaxation(t1, t2, 1.0, excited_population=excited, truncate_t2=False)


def _then(first: channels.Channel | None, second: channels.Channel) -> channels.Channel:
    return second if first is None else first.compose(second)


MUMBAI_MEDIAN = DeviceNoise("mumbai-median", 2.862e-4, 2.093e-4, 3.402e-3, 2.488e-3, 0.0, 0.988, 0.0225)
MUMBAI_MAX = DeviceNoise("mumbai-max", 2.862e-4, 2.093e-4, 6.048e-3, 4.423e-3, 1.4e-3, 0.972, 0.0869)
MUMBAI_10MAX = DeviceNoise("mumbai-10max", 2.862e-3, 2.093e-3, 6.048e-2, 4.423e-2, 1.46e-2, 0.73, 0.0869)

PRESETS: dict[str, DeviceNoise] = {p.name: p for p in (MUMBAI_MEDIAN, MUMBAI_MAX, MUMBAI_10MAX)}


def preset_names() -> list[str]:
    """The named device presets (also registered as environment ids)."""
    return list(PRESETS)


# ---------------------------------------------------------------------- depolarizing-<p1>-<p2>
_NUMBER = r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_DEPOL = re.compile(rf"^depolarizing-(?P<p1>{_NUMBER})-(?P<p2>{_NUMBER})$")


def pauli_error_depolarizing(p: float, num_qubits: int) -> channels.Channel:
    """Depolarizing channel with total Pauli-error probability ``p`` (each of the 4^k - 1 non-identity
    strings with probability p / (4^k - 1), as Cirq's ``depolarize(p)``); Aer lambda = p 4^k / (4^k - 1)."""
    p = _check_pauli_probability(p, "the depolarizing probability p")
    if isinstance(num_qubits, (bool, np.bool_)) or num_qubits not in (1, 2, 3):
        raise ValueError(f"depolarizing num_qubits must be 1, 2 or 3, got {num_qubits!r}")
    d2 = 4**num_qubits
    return channels.depolarizing(p * d2 / (d2 - 1), num_qubits)


def depolarizing_model(p1: float, p2: float) -> NoiseModel:
    """Depolarizing noise: Pauli-error probability ``p1`` after 1q gates, ``p2`` (two-qubit) after CNOTs."""
    p1 = _check_pauli_probability(p1, "p1 (after every 1-qubit gate)")
    p2 = _check_pauli_probability(p2, "p2 (after every CNOT)")
    model = NoiseModel()
    if p1 > 0:
        model.add_quantum_error(pauli_error_depolarizing(p1, 1), list(ONE_QUBIT_GATES))
    if p2 > 0:
        model.add_quantum_error(pauli_error_depolarizing(p2, 2), "cx")
    return model


def _parse_depolarizing(spec: str) -> NoiseModel:
    match = _DEPOL.match(spec)
    if match is None:
        raise ValueError(f"cannot read {spec!r}: write depolarizing-<p1>-<p2>, e.g. 'depolarizing-0.001-0.01'")
    p1 = _check_pauli_probability(float(match["p1"]), f"p1 (after every 1-qubit gate) in noise {spec!r}")
    p2 = _check_pauli_probability(float(match["p2"]), f"p2 (after every CNOT) in noise {spec!r}")
    return depolarizing_model(p1, p2)


# ---------------------------------------------------------------------- fake backends
def _fake_backend(name: str):
    try:
        from qiskit_ibm_runtime import fake_provider
    except ImportError:
        raise ImportError(f"noise 'fake-backend:{name}' needs qiskit-ibm-runtime; install the 'ibm' extra "
                          "(pip install 'crlqas[ibm]')") from None
    cls = getattr(fake_provider, name, None)
    if cls is None:
        raise ValueError(f"qiskit_ibm_runtime.fake_provider has no backend called {name!r} (e.g. 'FakeMumbaiV2')")
    return cls()


def device_noise_from_backend(backend: Any, statistic: str = "median", name: str | None = None) -> DeviceNoise:
    """A uniform :class:`DeviceNoise` from a Qiskit ``BackendV2``'s calibration (``statistic`` over qubits).

    Thermal ratios use the ``sx`` (1q) and two-qubit gate durations with each
    qubit's T1, T2; 1q depolarizing is the Pauli-error probability whose
    average infidelity equals the reported ``sx`` error (p = 3/2 e); the CX
    Pauli fidelity f makes two independent 1q depolarizing channels reach the
    reported two-qubit error (average fidelity (4 F_pro + 1)/5, F_pro =
    ((1 + 3f)/4)^2); readout flip = the ``measure`` error. Thermal relaxation
    is not subtracted from the gate errors (a slight overestimate of noise).
    """
    if statistic not in ("median", "max"):
        raise ValueError(f"statistic must be 'median' or 'max', got {statistic!r}")
    stat = np.median if statistic == "median" else np.max
    target = backend.target
    n = backend.num_qubits
    t1 = np.array([_calibration_time(backend.qubit_properties(q).t1, f"qubit {q}: T1") for q in range(n)])
    t2 = np.array([_calibration_time(backend.qubit_properties(q).t2, f"qubit {q}: T2") for q in range(n)])
    t2 = np.minimum(t2, 2 * t1)  # as device noise models do, truncate unphysical T2

    def props(gate: str):
        out = {qs: p for qs, p in target[gate].items() if p is not None and qs is not None}
        for qs, p in out.items():
            _calibration_probability(p.error, f"{gate} on qubits {tuple(qs)}: error")
            if gate != "measure":
                _calibration_duration(p.duration, f"{gate} on qubits {tuple(qs)}: duration")
        return out

    one = props("sx")
    two_name = next((g for g in ("cx", "ecr", "cz") if g in target.operation_names), None)
    if two_name is None:
        raise ValueError("the backend has no cx, ecr or cz gate")
    two = props(two_name)
    meas = props("measure")
    r1_1q = [one[(q,)].duration / t1[q] for q in range(n) if (q,) in one]
    r2_1q = [one[(q,)].duration / t2[q] for q in range(n) if (q,) in one]
    r1_cx = [p.duration / t1[q] for qs, p in two.items() for q in qs]
    r2_cx = [p.duration / t2[q] for qs, p in two.items() for q in qs]
    e1 = float(stat([p.error for p in one.values()]))
    e2 = float(stat([p.error for p in two.values()]))
    ro = float(stat([p.error for p in meas.values()])) if meas else 0.0
    f_pro = max((5 * (1 - e2) - 1) / 4, 0.0)
    fidelity = (4 * math.sqrt(f_pro) - 1) / 3
    return DeviceNoise(name or f"{getattr(backend, 'name', 'backend')}-{statistic}",
                       float(stat(r1_1q)), max(float(stat(r2_1q)), float(stat(r1_1q)) / 2),
                       float(stat(r1_cx)), max(float(stat(r2_cx)), float(stat(r1_cx)) / 2),
                       min(1.5 * e1, 1.0), fidelity, min(ro, 0.5))


def _calibration_time(value: Any, what: str) -> float:
    """A backend's T1 or T2: a positive finite number of seconds."""
    if not _is_real(value) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"backend calibration {what} = {value!r} is not physical: T1 and T2 must be positive, "
                         "finite times")
    return float(value)


def _calibration_duration(value: Any, what: str) -> float:
    """A gate duration: a finite number of seconds >= 0."""
    if not _is_real(value) or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"backend calibration {what} = {value!r} is not physical: gate times must be finite and "
                         ">= 0")
    return float(value)


def _calibration_probability(value: Any, what: str) -> float:
    """A reported gate or readout error: a probability in [0, 1]."""
    if not _is_real(value) or not 0 <= value <= 1:
        raise ValueError(f"backend calibration {what} = {value!r} is not physical: error probabilities must lie "
                         "in [0, 1]")
    return float(value)


def _parse_fake_backend(spec: str) -> NoiseModel:
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not parts[1]:
        raise ValueError(f"cannot read {spec!r}: write fake-backend:<FakeName>[:median|max]")
    statistic = parts[2] if len(parts) == 3 else "median"
    return device_noise_from_backend(_fake_backend(parts[1]), statistic).noise_model()


# ---------------------------------------------------------------------- entry point
def make_noise_model(spec: Any, num_qubits: int | None = None) -> NoiseModel | None:
    """Resolve a noise spec (see the module docstring) into a ``sim.NoiseModel``, or None when noiseless."""
    if spec is None or (isinstance(spec, str) and spec.lower() == "none"):
        return None
    if isinstance(spec, NoiseModel):
        return None if spec.is_ideal else spec
    if isinstance(spec, DeviceNoise):
        return spec.noise_model()
    if isinstance(spec, str):
        if spec in PRESETS:
            return PRESETS[spec].noise_model()
        if spec.startswith("depolarizing-"):
            return _parse_depolarizing(spec)
        if spec.startswith("fake-backend:"):
            return _parse_fake_backend(spec)
        raise ValueError(f"unknown noise spec {spec!r}; use None, 'none', {', '.join(map(repr, PRESETS))}, "
                         "'depolarizing-<p1>-<p2>', 'fake-backend:<FakeName>[:median|max]', a sim.NoiseModel "
                         "or a Qiskit Aer NoiseModel")
    if type(spec).__name__ == "NoiseModel" and type(spec).__module__.startswith("qiskit_aer"):
        model = NoiseModel.from_qiskit(spec)
        return None if model.is_ideal else model
    raise TypeError(f"noise must be None, a preset name, a sim.NoiseModel or a Qiskit Aer NoiseModel, "
                    f"got {type(spec).__name__}")
