"""Noise models: which channel follows which gate, and which readout error each qubit has.

Semantics follow Qiskit Aer: noise acts after the gate; several errors added
for the same gate (and qubits) compose in the order added; an entry for a
specific qubit tuple replaces the all-qubit entry on that tuple.
"""

from __future__ import annotations

import warnings
from typing import Iterable, Sequence

import numpy as np

from sim.channels import Channel, ReadoutError
from sim.circuit import GATE_ARITY


def _gate_names(gates: str | Iterable[str]) -> list[str]:
    names = [gates] if isinstance(gates, str) else list(gates)
    if not names:
        raise ValueError("gates must name at least one gate")
    out = []
    for g in names:
        if not isinstance(g, str):
            raise TypeError(f"gate names must be strings, got {g!r}")
        key = g.lower()
        if key not in GATE_ARITY:
            raise ValueError(f"unknown gate {g!r} in noise model; known gates: {sorted(GATE_ARITY)}")
        out.append(key)
    return out


class NoiseModel:
    """Per gate name (and optionally per qubit tuple) a channel applied after the gate, plus per-qubit readout errors."""

    def __init__(self) -> None:
        self._all: dict[str, Channel] = {}
        self._local: dict[tuple[str, tuple[int, ...]], Channel] = {}
        self._readout_all: ReadoutError | None = None
        self._readout_local: dict[int, ReadoutError] = {}

    # ------------------------------------------------------------------ building
    def add_quantum_error(self, channel: Channel, gates: str | Sequence[str],
                          qubits: Sequence[int] | None = None) -> "NoiseModel":
        """Apply ``channel`` after every ``gates`` gate (on ``qubits`` only, if given; ``None`` = all qubits).

        The channel must act on as many qubits as the gate (a channel on more
        qubits than the gate, i.e. non-local noise, is refused, as is a 1-qubit
        channel on a 2-qubit gate: build a 2-qubit one with
        :func:`sim.channels.product`). The channel's qubit k is the gate's k-th qubit.
        """
        if not isinstance(channel, Channel):
            raise TypeError(f"add_quantum_error expects a sim.channels.Channel, got {type(channel).__name__}")
        names = _gate_names(gates)
        key_qubits: tuple[int, ...] | None = None
        if qubits is not None:
            if isinstance(qubits, (int, np.integer)):
                qubits = (int(qubits),)
            key_qubits = tuple(int(q) for q in qubits)
            if any(q < 0 for q in key_qubits) or len(set(key_qubits)) != len(key_qubits):
                raise ValueError(f"qubits must be distinct non-negative integers, got {key_qubits}")
        for name in names:
            arity = GATE_ARITY[name]
            if channel.num_qubits > arity:
                raise ValueError(f"a {channel.num_qubits}-qubit channel on the {arity}-qubit gate {name!r} would be "
                                 "non-local noise, which is not supported")
            if channel.num_qubits != arity:
                raise ValueError(f"a {channel.num_qubits}-qubit channel cannot follow the {arity}-qubit gate "
                                 f"{name!r}; combine 1-qubit channels with sim.channels.product")
            if key_qubits is not None and len(key_qubits) != arity:
                raise ValueError(f"gate {name!r} acts on {arity} qubit(s), got qubits {key_qubits}")
        for name in names:
            if key_qubits is None:
                old = self._all.get(name)
                self._all[name] = channel if old is None else old.compose(channel)
            else:
                old = self._local.get((name, key_qubits))
                self._local[(name, key_qubits)] = channel if old is None else old.compose(channel)
        return self

    def add_readout_error(self, readout_error: ReadoutError | Sequence[Sequence[float]] | np.ndarray,
                          qubits: int | None = None) -> "NoiseModel":
        """Readout assignment error on ``qubits`` (one qubit index, or ``None`` = every qubit).

        A second error for the same qubit(s) replaces the first with a
        ``UserWarning``, as Aer does.
        """
        err = readout_error if isinstance(readout_error, ReadoutError) else ReadoutError(readout_error)
        if qubits is None:
            if self._readout_all is not None:
                warnings.warn("all-qubit readout error already set; replacing it", UserWarning, stacklevel=2)
            self._readout_all = err
            return self
        if isinstance(qubits, (tuple, list)):
            if len(qubits) != 1:
                raise ValueError(f"a readout error acts on one qubit, got qubits {tuple(qubits)}")
            qubits = qubits[0]
        if not isinstance(qubits, (int, np.integer)) or qubits < 0:
            raise ValueError(f"readout qubit must be a non-negative integer, got {qubits!r}")
        q = int(qubits)
        if q in self._readout_local:
            warnings.warn(f"readout error on qubit {q} already set; replacing it", UserWarning, stacklevel=2)
        self._readout_local[q] = err
        return self

    # ------------------------------------------------------------------ queries
    def errors_for(self, gate_name: str, qubits: Sequence[int]) -> Channel | None:
        """The channel following ``gate_name`` on ``qubits`` (qubit-specific entry first), or ``None``."""
        key = gate_name.lower()
        local = self._local.get((key, tuple(int(q) for q in qubits)))
        return local if local is not None else self._all.get(key)

    def readout_for(self, qubit: int) -> ReadoutError | None:
        """The readout error of ``qubit`` (qubit-specific entry first), or ``None``."""
        err = self._readout_local.get(int(qubit))
        return err if err is not None else self._readout_all

    @property
    def is_ideal(self) -> bool:
        """True if the model adds no noise at all."""
        return not (self._all or self._local or self._readout_all is not None or self._readout_local)

    @property
    def has_readout(self) -> bool:
        return self._readout_all is not None or bool(self._readout_local)

    @property
    def noisy_gates(self) -> list[str]:
        """Gate names that carry a quantum error somewhere."""
        return sorted(set(self._all) | {name for name, _ in self._local})

    def quantum_errors(self) -> list[tuple[str, tuple[int, ...] | None, Channel]]:
        """All entries as ``(gate, qubits or None, channel)``."""
        out: list[tuple[str, tuple[int, ...] | None, Channel]] = [(g, None, c) for g, c in self._all.items()]
        out += [(g, q, c) for (g, q), c in self._local.items()]
        return out

    def readout_errors(self) -> list[tuple[int | None, ReadoutError]]:
        """All readout entries as ``(qubit or None, error)``."""
        out: list[tuple[int | None, ReadoutError]] = []
        if self._readout_all is not None:
            out.append((None, self._readout_all))
        out += list(self._readout_local.items())
        return out

    def __repr__(self) -> str:
        return (f"NoiseModel(gates={self.noisy_gates}, local entries={len(self._local)}, "
                f"readout={'yes' if self.has_readout else 'no'})")

    # ------------------------------------------------------------------ qiskit (lazy)
    @classmethod
    def from_qiskit(cls, aer_noise_model) -> "NoiseModel":
        """Convert a Qiskit Aer ``NoiseModel`` (needs qiskit-aer)."""
        from sim.interop.qiskit import noise_model_from_qiskit

        return noise_model_from_qiskit(aer_noise_model)

    def to_qiskit(self):
        """The same model as a Qiskit Aer ``NoiseModel`` (needs qiskit-aer)."""
        from sim.interop.qiskit import noise_model_to_qiskit

        return noise_model_to_qiskit(self)

