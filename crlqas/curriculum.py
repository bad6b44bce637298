"""Success thresholds for the energy error: the moving-threshold curriculum and simpler schedules.

Every curriculum exposes ``threshold`` (xi), ``observe_energy(E)`` (called every
training step), ``end_episode(success)`` (called once per finished episode),
and ``state_dict()`` / ``load_state_dict()`` for checkpoints.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

#: per task size (qubits): (mu, T, K, R) from the method description
SMALL_TASK_CONSTANTS = {"mu": 5e-4, "period": 500, "successes": 25, "max_shrinks": 10}
LARGE_TASK_CONSTANTS = {"mu": 1e-3, "period": 2000, "successes": 50, "max_shrinks": 10}


def default_constants(num_qubits: int) -> dict[str, float]:
    """mu, T, K, R for a task on ``num_qubits`` qubits (2-4 qubits: small set; more: large set)."""
    return dict(SMALL_TASK_CONSTANTS if num_qubits <= 4 else LARGE_TASK_CONSTANTS)


class Curriculum:
    """Base class: a threshold that may change with experience."""

    kind = "base"

    @property
    def threshold(self) -> float:
        raise NotImplementedError

    def observe_energy(self, energy: float) -> None:
        """Called with every energy the agent reaches."""

    def end_episode(self, success: bool) -> None:
        """Called once at the end of every episode."""

    def state_dict(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if state.get("kind") != self.kind:
            raise ValueError(f"checkpoint holds a {state.get('kind')!r} curriculum, this one is {self.kind!r}")


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


class MovingThreshold(Curriculum):
    """The moving-threshold curriculum.

    State: threshold xi, lowest energy seen E_low, counters. Every episode end:
    a success is counted; after ``successes`` (K) of them, while fewer than
    ``max_shrinks`` (R) shrinks were made since the last greedy shift and
    |E_min - E_low| < ``switch`` (S), xi -= mu / R and the count resets. Then,
    once more than ``warmup`` (10) episodes have ended, every ``period``-th (T)
    episode sets xi = |E_min - E_low| + mu and resets both counters.

    ``initial_threshold`` must be positive: a negative start (as in the
    reference's noisy configurations) would disable success entirely until
    the first greedy shift.
    """

    kind = "moving"

    def __init__(self, initial_threshold: float, min_energy: float, mu: float = 5e-4, period: int = 500,
                 successes: int = 25, max_shrinks: int = 10, switch: float = math.inf, warmup: int = 10):
        if float(initial_threshold) <= 0 or not math.isfinite(float(initial_threshold)):
            raise ValueError(f"the initial threshold xi0 must be positive, got {initial_threshold!r} "
                             "(a non-positive start would make success impossible until the first greedy shift)")
        self.initial_threshold = float(initial_threshold)
        self.min_energy = float(min_energy)
        if not math.isfinite(self.min_energy):
            raise ValueError(f"min_energy must be finite, got {min_energy!r}")
        self.mu = _positive("mu", mu)
        for name, value in (("period", period), ("successes", successes), ("max_shrinks", max_shrinks)):
            if int(value) != value or int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if int(warmup) != warmup or warmup < 0:
            raise ValueError(f"warmup must be a non-negative integer, got {warmup!r}")
        self.period, self.successes, self.max_shrinks, self.warmup = int(period), int(successes), int(max_shrinks), int(warmup)
        self.switch = _positive("switch", switch) if switch != math.inf else math.inf
        self._xi = self.initial_threshold
        self.lowest_energy = math.inf
        self.episodes = 0
        self.success_count = 0
        self.shrinks = 0

    @property
    def threshold(self) -> float:
        return self._xi

    def observe_energy(self, energy: float) -> None:
        self.lowest_energy = min(self.lowest_energy, float(energy))

    def _gap(self) -> float:
        return abs(self.min_energy - self.lowest_energy)

    def end_episode(self, success: bool) -> None:
        self.episodes += 1
        if success:
            self.success_count += 1
            if (self.success_count >= self.successes and self.shrinks < self.max_shrinks
                    and math.isfinite(self.lowest_energy) and self._gap() < self.switch):
                self._xi -= self.mu / self.max_shrinks
                self.shrinks += 1
                self.success_count = 0
        if self.episodes > self.warmup and self.episodes % self.period == 0 and math.isfinite(self.lowest_energy):
            self._xi = self._gap() + self.mu
            self.success_count = 0
            self.shrinks = 0

    def state_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "threshold": self._xi, "lowest_energy": self.lowest_energy,
                "episodes": self.episodes, "success_count": self.success_count, "shrinks": self.shrinks}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self._xi = float(state["threshold"])
        self.lowest_energy = float(state["lowest_energy"])
        self.episodes = int(state["episodes"])
        self.success_count = int(state["success_count"])
        self.shrinks = int(state["shrinks"])


class FixedSchedule(Curriculum):
    """Thresholds by episode: ``schedule`` is a list of (first episode, threshold), episodes counted from 0."""

    kind = "fixed"

    def __init__(self, schedule: Sequence[tuple[int, float]]):
        entries = sorted((int(e), float(x)) for e, x in schedule)
        if not entries:
            raise ValueError("a fixed curriculum needs at least one (episode, threshold) entry")
        if entries[0][0] != 0:
            raise ValueError(f"the fixed schedule must start at episode 0, it starts at {entries[0][0]}")
        for e, x in entries:
            if e < 0:
                raise ValueError(f"schedule episode numbers must be >= 0, got {e}")
            _positive(f"threshold at episode {e}", x)
        if len({e for e, _ in entries}) != len(entries):
            raise ValueError("the fixed schedule lists an episode twice")
        self.schedule = entries
        self.episodes = 0

    @property
    def threshold(self) -> float:
        current = self.schedule[0][1]
        for e, x in self.schedule:
            if e <= self.episodes:
                current = x
        return current

    def end_episode(self, success: bool) -> None:
        self.episodes += 1

    def state_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "episodes": self.episodes}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.episodes = int(state["episodes"])


class ConstantThreshold(Curriculum):
    """No curriculum: a constant threshold (chemical accuracy by default)."""

    kind = "none"

    def __init__(self, threshold: float = 1.6e-3):
        self._xi = _positive("threshold", threshold)

    @property
    def threshold(self) -> float:
        return self._xi


def make_curriculum(kind: str, *, min_energy: float, num_qubits: int, initial_threshold: float | None = None,
                    chemical_accuracy: float = 1.6e-3, **options) -> Curriculum:
    """Build a curriculum by name ("moving", "fixed", "none").

    ``options`` override the defaults: for "moving" mu, period, successes,
    max_shrinks, switch, warmup, initial_threshold; for "fixed" schedule;
    for "none" threshold.
    """
    if kind == "moving":
        if initial_threshold is None:
            raise ValueError("the moving curriculum needs initial_threshold (xi0)")
        params: dict[str, Any] = {**default_constants(num_qubits), "initial_threshold": initial_threshold}
        params.update(options)
        return MovingThreshold(min_energy=min_energy, **params)
    if kind == "fixed":
        if "schedule" not in options:
            raise ValueError("curriculum='fixed' needs curriculum_options={'schedule': [(episode, threshold), ...]}")
        return FixedSchedule(**options)
    if kind == "none":
        return ConstantThreshold(**{"threshold": chemical_accuracy, **options})
    raise ValueError(f"unknown curriculum {kind!r}; choose 'moving', 'fixed' or 'none'")
