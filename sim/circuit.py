"""Gate-list circuits with parameter slots.

A rotation's angle is either a fixed number or a *parameter slot* (an index
into the parameter vector passed at evaluation time), so one circuit is
compiled once and evaluated at many parameter vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

#: gate name -> number of qubits it acts on
GATE_ARITY: dict[str, int] = {
    "rx": 1, "ry": 1, "rz": 1,
    "h": 1, "x": 1, "y": 1, "z": 1, "s": 1, "sdg": 1, "sx": 1, "id": 1,
    "cx": 2, "cz": 2, "swap": 2,
}
#: gates that take an angle, exp(-i theta P / 2) as in Qiskit
ROTATION_GATES = frozenset({"rx", "ry", "rz"})


def is_integer(value) -> bool:
    """True for Python and NumPy integers, False for bools (``True`` is an int in Python) and everything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _qubit_index(value, gate: str, qubits) -> int:
    """A gate's qubit index as a Python int; NumPy integers are accepted, bools, floats and strings are not."""
    if not is_integer(value):
        raise TypeError(f"gate {gate!r} on qubits {qubits!r}: qubit indices must be integers, got {value!r} "
                        f"({type(value).__name__}); bools, floats and strings are not accepted")
    return int(value)


@dataclass(frozen=True)
class Param:
    """A reference to slot ``index`` of the parameter vector."""

    index: int

    def __post_init__(self):
        if not is_integer(self.index):
            raise TypeError(f"parameter index must be an integer, got {self.index!r} ({type(self.index).__name__})")
        if self.index < 0:
            raise ValueError(f"parameter index must be >= 0, got {self.index}")
        object.__setattr__(self, "index", int(self.index))


@dataclass(frozen=True)
class Operation:
    """One gate: name, qubits (control first for cx), and for rotations either
    a fixed ``angle`` or a parameter slot ``param``."""

    name: str
    qubits: tuple[int, ...]
    angle: float | None = None
    param: int | None = None

    @property
    def is_parametric(self) -> bool:
        return self.param is not None


class Circuit:
    """An ordered list of gates on ``num_qubits`` qubits (qubit 0 = least significant, as in Qiskit)."""

    def __init__(self, num_qubits: int):
        if not is_integer(num_qubits) or num_qubits < 1:
            raise ValueError(f"num_qubits must be a positive integer, got {num_qubits!r}")
        self.num_qubits = int(num_qubits)
        self._ops: list[Operation] = []
        self._num_parameters = 0

    # ------------------------------------------------------------------ building
    def append(self, name: str, qubits: Sequence[int], angle: float | Param | None = None) -> "Circuit":
        """Append gate ``name`` on ``qubits``.

        For a rotation, ``angle`` is a number (fixed), a :class:`Param` (that
        slot), or ``None`` (a new slot, numbered after the existing ones).
        """
        if not isinstance(name, str):
            raise TypeError(f"gate name must be a string, got {name!r} ({type(name).__name__})")
        key = name.lower()
        if is_integer(qubits):
            qubits = (qubits,)
        elif isinstance(qubits, (str, bytes)) or not hasattr(qubits, "__iter__"):
            raise TypeError(f"gate {key!r}: qubits must be a sequence of integer qubit indices, got {qubits!r}")
        raw = tuple(qubits)
        if key not in GATE_ARITY:
            raise ValueError(f"unknown gate {name!r} on qubits {raw}; known gates: {sorted(GATE_ARITY)}")
        qubits = tuple(_qubit_index(q, key, raw) for q in raw)
        if len(qubits) != GATE_ARITY[key]:
            raise ValueError(f"gate {key!r} acts on {GATE_ARITY[key]} qubit(s), got qubits {qubits}")
        for q in qubits:
            if not 0 <= q < self.num_qubits:
                raise ValueError(f"gate {key!r} on qubits {qubits}: qubit {q} is out of range "
                                 f"for a {self.num_qubits}-qubit circuit")
        if len(set(qubits)) != len(qubits):
            raise ValueError(f"gate {key!r} on qubits {qubits}: repeated qubit")
        if key in ROTATION_GATES:
            if angle is None:
                op = Operation(key, qubits, param=self._num_parameters)
            elif isinstance(angle, Param):
                op = Operation(key, qubits, param=int(angle.index))
            else:
                try:
                    if isinstance(angle, (bool, np.bool_, str, bytes)):
                        raise TypeError
                    value = float(angle)
                except (TypeError, ValueError):
                    raise TypeError(f"gate {key!r} on qubits {qubits}: angle must be a real number, a sim.Param or "
                                    f"None (a new parameter slot), got {angle!r} ({type(angle).__name__})") from None
                if not np.isfinite(value):
                    raise ValueError(f"gate {key!r} on qubits {qubits}: angle must be finite, got {angle!r}")
                op = Operation(key, qubits, angle=value)
            if op.param is not None:
                self._num_parameters = max(self._num_parameters, op.param + 1)
        else:
            if angle is not None:
                raise ValueError(f"gate {key!r} on qubits {qubits} takes no angle")
            op = Operation(key, qubits)
        self._ops.append(op)
        return self

    def rx(self, qubit: int, angle: float | Param | None = None) -> "Circuit":
        return self.append("rx", (qubit,), angle)

    def ry(self, qubit: int, angle: float | Param | None = None) -> "Circuit":
        return self.append("ry", (qubit,), angle)

    def rz(self, qubit: int, angle: float | Param | None = None) -> "Circuit":
        return self.append("rz", (qubit,), angle)

    def cx(self, control: int, target: int) -> "Circuit":
        return self.append("cx", (control, target))

    def cz(self, a: int, b: int) -> "Circuit":
        return self.append("cz", (a, b))

    def swap(self, a: int, b: int) -> "Circuit":
        return self.append("swap", (a, b))

    def h(self, qubit: int) -> "Circuit":
        return self.append("h", (qubit,))

    def x(self, qubit: int) -> "Circuit":
        return self.append("x", (qubit,))

    def y(self, qubit: int) -> "Circuit":
        return self.append("y", (qubit,))

    def z(self, qubit: int) -> "Circuit":
        return self.append("z", (qubit,))

    def s(self, qubit: int) -> "Circuit":
        return self.append("s", (qubit,))

    def sdg(self, qubit: int) -> "Circuit":
        return self.append("sdg", (qubit,))

    def sx(self, qubit: int) -> "Circuit":
        return self.append("sx", (qubit,))

    # ------------------------------------------------------------------ inspection
    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(self._ops)

    @property
    def num_parameters(self) -> int:
        """Length of the parameter vector this circuit expects."""
        return self._num_parameters

    def __len__(self) -> int:
        return len(self._ops)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self._ops)

    def count_ops(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for op in self._ops:
            counts[op.name] = counts.get(op.name, 0) + 1
        return counts

    def depth(self) -> int:
        """Number of moments when every gate is placed as soon as possible."""
        level = [0] * self.num_qubits
        for op in self._ops:
            m = max(level[q] for q in op.qubits) + 1
            for q in op.qubits:
                level[q] = m
        return max(level, default=0)

    def check_parameters(self, params: np.ndarray | Sequence[float] | None) -> np.ndarray:
        """Validate a parameter vector (or a 2-D batch, one vector per row) against this circuit."""
        if params is None:
            if self._num_parameters:
                raise ValueError(f"circuit has {self._num_parameters} parameter slot(s); pass params")
            return np.zeros(0)
        arr = np.asarray(params, dtype=np.float64)
        k = self._num_parameters
        if arr.ndim not in (1, 2):
            raise ValueError(f"expected a vector of {k} parameters (or a 2-D batch with {k} columns), got an "
                             f"array of shape {arr.shape}")
        if arr.shape[-1] != k:
            what = "" if arr.ndim == 1 else " column(s) in the 2-D batch"
            raise ValueError(f"expected {k} parameters, got {arr.shape[-1]}{what} (shape {arr.shape}): the "
                             f"circuit has {k} parameter slot(s)")
        if not np.all(np.isfinite(arr)):
            raise ValueError("params must be finite")
        return arr

    def bind(self, params: np.ndarray | Sequence[float] | None) -> "Circuit":
        """A copy with every parameter slot replaced by its value (no slots left)."""
        values = self.check_parameters(params)
        out = Circuit(self.num_qubits)
        for op in self._ops:
            angle = float(values[op.param]) if op.param is not None else op.angle
            out._ops.append(Operation(op.name, op.qubits, angle=angle))
        return out

    def copy(self) -> "Circuit":
        out = Circuit(self.num_qubits)
        out._ops = list(self._ops)
        out._num_parameters = self._num_parameters
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Circuit) and other.num_qubits == self.num_qubits and other._ops == self._ops

    def __repr__(self) -> str:
        return f"Circuit({self.num_qubits} qubits, {len(self._ops)} gates, {self._num_parameters} parameters)"

    # ------------------------------------------------------------------ serialisation
    def to_dict(self, params: np.ndarray | Sequence[float] | None = None) -> dict:
        """JSON-ready description; with ``params`` the slot values are included."""
        data = {
            "num_qubits": self.num_qubits,
            "num_parameters": self._num_parameters,
            "gates": [
                {"name": op.name, "qubits": list(op.qubits),
                 **({"angle": op.angle} if op.angle is not None else {}),
                 **({"param": op.param} if op.param is not None else {})}
                for op in self._ops
            ],
        }
        if params is not None:
            data["params"] = [float(v) for v in self.check_parameters(params)]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Circuit":
        """Inverse of :meth:`to_dict` (the parameter values, if any, are in ``data['params']``)."""
        circuit = cls(int(data["num_qubits"]))
        for gate in data["gates"]:
            if "param" in gate:
                angle: float | Param | None = Param(int(gate["param"]))
            else:
                angle = gate.get("angle")
            circuit.append(gate["name"], gate["qubits"], angle)
        return circuit

    # ------------------------------------------------------------------ qiskit (lazy)
    @classmethod
    def from_qiskit(cls, qc) -> "Circuit":
        """Convert a Qiskit ``QuantumCircuit`` (unbound parameters become slots)."""
        from sim.interop.qiskit import circuit_from_qiskit

        return circuit_from_qiskit(qc)

    def to_qiskit(self, params: np.ndarray | Sequence[float] | None = None):
        """A Qiskit ``QuantumCircuit``; slots become ``Parameter``s unless ``params`` binds them."""
        from sim.interop.qiskit import circuit_to_qiskit

        return circuit_to_qiskit(self, params)
