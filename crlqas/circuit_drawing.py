"""A matplotlib drawing of a ``sim.Circuit``: one wire per qubit, gates placed as soon as possible.

Drawn by hand rather than through Qiskit's drawer, which needs optional
packages (pylatexenc) and would pull Qiskit into a plain report.
"""

from __future__ import annotations

import math
from typing import Any

import sim

_TWO_QUBIT_SYMBOLS = {"cx": ("dot", "plus"), "cz": ("dot", "dot"), "swap": ("cross", "cross")}


def wrap_angle(angle: float) -> float:
    """The same rotation with its angle in (-pi, pi] (theta + 2 pi differs only by a global phase)."""
    wrapped = math.remainder(angle, 2 * math.pi)
    return math.pi if wrapped == -math.pi else wrapped


def columns(circuit: sim.Circuit) -> list[int]:
    """The drawing column of each gate: as soon as possible, where a two-qubit gate also blocks the wires
    its vertical line crosses (so two gates never share a column where their lines would overlap)."""
    next_free = [0] * circuit.num_qubits
    out = []
    for op in circuit:
        span = range(min(op.qubits), max(op.qubits) + 1)
        col = max(next_free[q] for q in span)
        for q in span:
            next_free[q] = col + 1
        out.append(col)
    return out


def draw_circuit(circuit: sim.Circuit, ax: Any, params: Any = None) -> None:
    """Draw ``circuit`` on a matplotlib axis; parameter slots show their value from ``params`` when given."""
    cols = columns(circuit)
    width = max(cols, default=-1) + 1
    n = circuit.num_qubits
    y = {q: n - 1 - q for q in range(n)}  # qubit 0 on top
    for q in range(n):
        ax.plot([-0.6, width - 0.4], [y[q]] * 2, color="black", lw=1, zorder=0)
        ax.text(-0.75, y[q], f"q{q}", ha="right", va="center", fontsize=9)
    for op, col in zip(circuit, cols):
        if len(op.qubits) == 1:
            angle = op.angle
            if angle is None and params is not None and op.param is not None:
                angle = float(params[op.param])
            label = op.name.upper() if angle is None else f"{op.name.upper()}\n{wrap_angle(angle):+.2f}"
            ax.text(col, y[op.qubits[0]], label, ha="center", va="center", fontsize=7, zorder=2,
                    bbox={"boxstyle": "square,pad=0.25", "facecolor": "#dde8f7", "edgecolor": "#2b5797"})
            continue
        a, b = op.qubits
        ax.plot([col, col], [y[a], y[b]], color="black", lw=1, zorder=1)
        for qubit, symbol in zip((a, b), _TWO_QUBIT_SYMBOLS.get(op.name, ("dot", "dot"))):
            if symbol == "dot":
                ax.plot(col, y[qubit], "o", color="black", ms=5, zorder=2)
            elif symbol == "plus":
                ax.plot(col, y[qubit], "o", mfc="white", mec="black", ms=11, zorder=2)
                ax.plot(col, y[qubit], "+", color="black", ms=11, mew=1, zorder=3)
            else:
                ax.plot(col, y[qubit], "x", color="black", ms=7, mew=1.5, zorder=2)
    ax.set_xlim(-1.2, max(width, 1) - 0.2)
    ax.set_ylim(-0.7, n - 0.3)
    ax.axis("off")


def figure_size(circuit: sim.Circuit) -> tuple[float, float]:
    width = max(columns(circuit), default=0) + 1
    return (min(2.0 + 0.55 * width, 60.0), 0.6 * circuit.num_qubits + 0.8)
