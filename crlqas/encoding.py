"""The action set and the circuit-as-tensor state of the architecture search.

Action order (fixed and documented): the directed CNOTs first -- every ordered
pair ``(c, t)`` in lexicographic order, or the coupling map's pairs in the
order given -- then the rotations by qubit then axis: RX(0), RY(0), RZ(0),
RX(1), ...  With full connectivity there are N(N-1) + 3N = N(N+2) actions.

State: a binary tensor of shape (L, N+3, N) (moment, gate-type row, qubit).
A CNOT with control c and target t placed at moment m sets ``[m, t, c]``; a
rotation about axis h (X, Y, Z = 0, 1, 2) on qubit q sets ``[m, N+h, q]``.
Gates are placed as soon as possible per qubit.

Illegal actions: an action is illegal iff it equals the most recent gate on
every qubit it touches (it would cancel or merge with that gate).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

import sim
from sim.circuit import is_integer

AXES = ("x", "y", "z")


class IllegalActionError(ValueError):
    """An action that repeats the most recent gate on every qubit it touches."""


@dataclass(frozen=True)
class GateAction:
    """One action: ``name`` is "cx", "rx", "ry" or "rz"; ``qubits`` is (control, target) or (qubit,)."""

    name: str
    qubits: tuple[int, ...]

    @property
    def is_cnot(self) -> bool:
        return self.name == "cx"

    def __str__(self) -> str:
        if self.is_cnot:
            return f"CNOT({self.qubits[0]},{self.qubits[1]})"
        return f"{self.name.upper()}({self.qubits[0]})"


def _check_coupling_map(num_qubits: int, coupling_map: Iterable[Sequence[int]]) -> list[tuple[int, int]]:
    if isinstance(coupling_map, (str, bytes)) or not hasattr(coupling_map, "__iter__"):
        raise TypeError(f"coupling_map must be a list of (control, target) pairs of qubit indices, got "
                        f"{coupling_map!r}")
    pairs: list[tuple[int, int]] = []
    for pair in coupling_map:
        if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
            raise ValueError(f"coupling map entries must be (control, target) pairs of ints, got {pair!r}")
        for v in pair:
            if not is_integer(v):
                raise TypeError(f"coupling map pair {tuple(pair)!r}: qubit indices must be integers, got {v!r} "
                                f"({type(v).__name__}); bools, floats and strings are not accepted")
        c, t = (int(v) for v in pair)
        for q in (c, t):
            if not 0 <= q < num_qubits:
                raise ValueError(f"coupling map pair {(c, t)} names qubit {q}, but the task has "
                                 f"{num_qubits} qubits (0..{num_qubits - 1})")
        if c == t:
            raise ValueError(f"coupling map pair {(c, t)} uses the same qubit as control and target")
        if (c, t) in pairs:
            raise ValueError(f"coupling map lists the pair {(c, t)} twice")
        pairs.append((c, t))
    return pairs


class ActionSet:
    """The discrete actions for ``num_qubits`` qubits (see the module docstring for the order)."""

    def __init__(self, num_qubits: int, coupling_map: Iterable[Sequence[int]] | None = None):
        if not is_integer(num_qubits) or num_qubits < 1:
            raise ValueError(f"num_qubits must be a positive integer, got {num_qubits!r}")
        self.num_qubits = int(num_qubits)
        if coupling_map is None:
            pairs = [(c, t) for c in range(self.num_qubits) for t in range(self.num_qubits) if c != t]
        else:
            pairs = _check_coupling_map(self.num_qubits, coupling_map)
        self.coupling_map: tuple[tuple[int, int], ...] = tuple(pairs)
        actions = [GateAction("cx", p) for p in pairs]
        actions += [GateAction("r" + ax, (q,)) for q in range(self.num_qubits) for ax in AXES]
        self.actions: tuple[GateAction, ...] = tuple(actions)
        self._index = {a: i for i, a in enumerate(self.actions)}

    def __len__(self) -> int:
        return len(self.actions)

    def __getitem__(self, index: int) -> GateAction:
        return self.actions[index]

    def index(self, name: str, qubits: Sequence[int]) -> int:
        """Index of the action applying gate ``name`` to ``qubits``."""
        key = GateAction(str(name).lower(), tuple(int(q) for q in qubits))
        if key not in self._index:
            raise ValueError(f"{key} is not an action of this action set")
        return self._index[key]

    def names(self) -> list[str]:
        """Readable names, e.g. ``["CNOT(0,1)", "CNOT(1,0)", "RX(0)", ...]``."""
        return [str(a) for a in self.actions]


class CircuitEncoding:
    """A circuit under construction: gate list, ASAP moments, the (L, N+3, N) tensor and the legal-action mask."""

    def __init__(self, action_set: ActionSet, max_layers: int):
        if not isinstance(max_layers, (int, np.integer)) or max_layers < 1:
            raise ValueError(f"max_layers must be a positive integer, got {max_layers!r}")
        self.action_set = action_set
        self.num_qubits = action_set.num_qubits
        self.max_layers = int(max_layers)
        self.tensor = np.zeros((self.max_layers, self.num_qubits + 3, self.num_qubits), dtype=np.float32)
        self.reset()

    def reset(self) -> None:
        """Back to the empty circuit."""
        self.tensor[...] = 0.0
        self.actions: list[int] = []
        self.moments: list[int] = []
        self._next = [0] * self.num_qubits
        self._last: list[int | None] = [None] * self.num_qubits

    # ------------------------------------------------------------------ legality
    def is_legal(self, action: int) -> bool:
        gate = self.action_set[action]
        return not all(self._last[q] == action for q in gate.qubits)

    def mask(self) -> np.ndarray:
        """Boolean vector, True where the action is legal now."""
        out = np.ones(len(self.action_set), dtype=bool)
        for q in range(self.num_qubits):
            a = self._last[q]
            if a is not None and all(self._last[p] == a for p in self.action_set[a].qubits):
                out[a] = False
        return out

    def check_action(self, action) -> int:
        """Validate ``action`` (type, range, legality) and return it as an int."""
        if isinstance(action, np.ndarray) and action.shape == ():
            action = action.item()
        if not is_integer(action):
            raise TypeError(f"action must be an integer index, got {action!r} ({type(action).__name__})")
        action = int(action)
        if not 0 <= action < len(self.action_set):
            raise ValueError(f"action {action} is out of range: there are {len(self.action_set)} actions "
                             f"(0..{len(self.action_set) - 1})")
        if not self.is_legal(action):
            raise IllegalActionError(
                f"action {action} = {self.action_set[action]} is illegal: it repeats the most recent gate on "
                "every qubit it touches (the rule: no gate directly after an identical gate on the same qubits); "
                "use action_masks() to choose legal actions")
        return action

    # ------------------------------------------------------------------ building
    def append(self, action) -> int:
        """Place a legal action at its ASAP moment; returns that moment."""
        action = self.check_action(action)
        gate = self.action_set[action]
        n = self.num_qubits
        m = max(self._next[q] for q in gate.qubits)
        if m >= self.max_layers:
            raise ValueError(f"the circuit already has depth {self.max_layers} = max_layers; cannot place {gate}")
        if gate.is_cnot:
            c, t = gate.qubits
            self.tensor[m, t, c] = 1.0
        else:
            (q,) = gate.qubits
            self.tensor[m, n + AXES.index(gate.name[1]), q] = 1.0
        for q in gate.qubits:
            self._next[q] = m + 1
            self._last[q] = action
        self.actions.append(action)
        self.moments.append(m)
        return m

    # ------------------------------------------------------------------ inspection
    @property
    def depth(self) -> int:
        return max(self._next, default=0)

    @property
    def num_gates(self) -> int:
        return len(self.actions)

    @property
    def num_cnots(self) -> int:
        return sum(1 for a in self.actions if self.action_set[a].is_cnot)

    @property
    def num_rotations(self) -> int:
        return self.num_gates - self.num_cnots

    def gates(self) -> list[GateAction]:
        return [self.action_set[a] for a in self.actions]

    def to_circuit(self, prefix: sim.Circuit | None = None) -> sim.Circuit:
        """A ``sim.Circuit`` with one parameter slot per rotation, numbered in gate order.

        ``prefix`` (fixed gates such as a Hartree-Fock preparation) is placed first.
        """
        circuit = prefix.copy() if prefix is not None else sim.Circuit(self.num_qubits)
        if circuit.num_parameters:
            raise ValueError("the prefix circuit must not have parameter slots")
        for gate in self.gates():
            circuit.append(gate.name, gate.qubits)
        return circuit


def circuit_to_qiskit(circuit: sim.Circuit, params: np.ndarray | Sequence[float] | None = None):
    """A Qiskit ``QuantumCircuit`` (needs qiskit)."""
    return circuit.to_qiskit(params)


def circuit_to_qasm3(circuit: sim.Circuit, params: np.ndarray | Sequence[float] | None = None) -> str:
    """OpenQASM 3 text of the circuit (bound if ``params`` is given; needs qiskit)."""
    from sim.interop.qiskit import to_qasm3

    return to_qasm3(circuit, params)
