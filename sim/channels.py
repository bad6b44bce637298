"""Quantum channels (Kraus form, with their Pauli transfer matrices) and readout errors.

Bit convention as in :mod:`sim.gates`: basis index bit k of a Kraus operator
is the channel's k-th qubit. PTM index of a Pauli string on the channel's
qubits is ``sum_k d_k 4^k`` with digits I, X, Y, Z = 0, 1, 2, 3.
"""

from __future__ import annotations

import math
import warnings
from typing import Mapping, Sequence

import numpy as np

from sim.gates import pauli_basis
from sim.pauli import label_to_code

#: tolerance of the CPTP check (sum K^dag K = I) and of probability sums
CPTP_TOL = 1e-10


def _check_probability(value: float, name: str, upper: float = 1.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, got {value!r}") from None
    if not (0.0 <= v <= upper):
        raise ValueError(f"{name} must be in [0, {upper:g}], got {value!r}")
    return v


class Channel:
    """A CPTP map on ``num_qubits`` qubits, stored as Kraus operators."""

    __slots__ = ("num_qubits", "_kraus", "_ptm", "label")

    def __init__(self, kraus_operators: Sequence[np.ndarray], label: str = "kraus", validate: bool = True):
        ops = [np.array(k, dtype=np.complex128) for k in kraus_operators]
        if not ops:
            raise ValueError("a channel needs at least one Kraus operator")
        dim = ops[0].shape[0] if ops[0].ndim == 2 else 0
        for k in ops:
            if k.ndim != 2 or k.shape != (dim, dim):
                raise ValueError(f"Kraus operators must all be square of the same size, got shapes "
                                 f"{[o.shape for o in ops]}")
        num_qubits = int(round(math.log2(dim))) if dim > 0 else 0
        if dim < 2 or 2**num_qubits != dim:
            raise ValueError(f"Kraus operator size {dim} is not a power of two >= 2")
        if not all(np.all(np.isfinite(k)) for k in ops):
            raise ValueError("Kraus operators must be finite")
        for k in ops:
            k.setflags(write=False)
        self.num_qubits = num_qubits
        self._kraus = ops
        self._ptm: np.ndarray | None = None
        self.label = label
        if validate and not self.is_cptp():
            dev = np.max(np.abs(self._gram() - np.eye(dim)))
            raise ValueError(f"{label} channel is not trace preserving: sum K^dag K deviates from the identity "
                             f"by {dev:.3g} (tolerance {CPTP_TOL:g})")

    # ------------------------------------------------------------------ views
    @property
    def kraus_operators(self) -> list[np.ndarray]:
        """Kraus operators (read-only arrays)."""
        return list(self._kraus)

    @property
    def ptm(self) -> np.ndarray:
        """Real PTM ``R_PQ = 2^-k Tr(P E(Q))`` (4^k x 4^k), computed once."""
        if self._ptm is None:
            basis = pauli_basis(self.num_qubits)
            dim = 2**self.num_qubits
            out = np.zeros((4**self.num_qubits,) * 2, dtype=np.complex128)
            for k in self._kraus:
                image = np.einsum("ij,qjk,lk->qil", k, basis, k.conj())
                out += np.einsum("pji,qij->pq", basis, image)
            ptm = np.ascontiguousarray(out.real / dim)
            ptm.setflags(write=False)
            self._ptm = ptm
        return self._ptm

    def _gram(self) -> np.ndarray:
        return sum(k.conj().T @ k for k in self._kraus)

    def is_cptp(self, atol: float = CPTP_TOL) -> bool:
        """True if ``sum K^dag K = I`` within ``atol`` (Kraus form is always completely positive)."""
        return bool(np.allclose(self._gram(), np.eye(2**self.num_qubits), rtol=0.0, atol=atol))

    def apply(self, rho: np.ndarray) -> np.ndarray:
        """``E(rho)`` for a density matrix on this channel's qubits."""
        return sum(k @ rho @ k.conj().T for k in self._kraus)

    # ------------------------------------------------------------------ algebra
    def compose(self, other: "Channel") -> "Channel":
        """The channel that applies ``self`` first, then ``other`` (same qubits)."""
        if not isinstance(other, Channel):
            raise TypeError(f"can only compose with a Channel, got {type(other).__name__}")
        if other.num_qubits != self.num_qubits:
            raise ValueError(f"cannot compose a {self.num_qubits}-qubit channel with a "
                             f"{other.num_qubits}-qubit channel")
        ops = [b @ a for b in other._kraus for a in self._kraus]
        return Channel(_minimal_kraus(ops), label=f"{self.label}+{other.label}", validate=False)

    def __repr__(self) -> str:
        return f"Channel({self.label}, {self.num_qubits} qubit(s), {len(self._kraus)} Kraus operators)"


def _minimal_kraus(ops: list[np.ndarray]) -> list[np.ndarray]:
    """Fewest Kraus operators for the same map (from the Choi matrix), if the list exceeds d^2."""
    dim = ops[0].shape[0]
    if len(ops) <= dim * dim:
        return ops
    vecs = np.array([k.reshape(-1) for k in ops])  # row-major vec(K)
    choi = vecs.T @ vecs.conj()
    vals, vecs_out = np.linalg.eigh(choi)
    keep = vals > 1e-14 * max(vals.max(), 1e-300)
    return [np.sqrt(v) * vecs_out[:, i].reshape(dim, dim) for i, v in zip(np.nonzero(keep)[0], vals[keep])]


# ---------------------------------------------------------------------- constructors
def kraus(operators: Sequence[np.ndarray]) -> Channel:
    """A channel from explicit Kraus operators; raises ``ValueError`` unless CPTP."""
    return Channel(operators, label="kraus")


def depolarizing(lam: float, num_qubits: int = 1) -> Channel:
    """Depolarizing channel in Qiskit Aer's convention: ``rho -> (1 - lam) rho + lam I/d``.

    ``lam`` may go up to ``4^k / (4^k - 1)`` (4/3 for one qubit, 16/15 for two),
    the fully depolarizing Pauli channel, as Aer allows. The per-Pauli
    error probability ``p`` of Cirq/qulacs (each non-identity Pauli with ``p/3``,
    resp. ``p/15``) relates by ``lam = 4p/3`` (one qubit) and ``lam = 16p/15``
    (two qubits); see :func:`depolarizing_from_pauli_probability`.
    """
    if num_qubits not in (1, 2, 3) or not isinstance(num_qubits, (int, np.integer)):
        raise ValueError(f"depolarizing num_qubits must be 1, 2 or 3, got {num_qubits!r}")
    n_paulis = 4**num_qubits
    lam = _check_probability(lam, "depolarizing lam", upper=n_paulis / (n_paulis - 1))
    basis = pauli_basis(num_qubits)
    p_each = lam / n_paulis
    p_id = max(0.0, 1.0 - lam + p_each)
    ops = [math.sqrt(p_id) * basis[0]] + [math.sqrt(p_each) * basis[i] for i in range(1, n_paulis)]
    return Channel(ops, label=f"depolarizing({lam:g})")


def depolarizing_from_pauli_probability(p: float, num_qubits: int = 1) -> Channel:
    """Depolarizing channel in the Cirq/qulacs convention: ``p`` is the total Pauli error probability.

    One qubit: ``rho -> (1 - p) rho + (p/3) (X rho X + Y rho Y + Z rho Z)``
    (Cirq ``depolarize(p)``, qulacs ``DepolarizingNoise(p)``), which is Aer's
    ``lam = 4p/3``. Two qubits: each of the 15 non-identity strings with
    probability ``p/15``, Aer's ``lam = 16p/15``. ``p`` must be in [0, 1].
    """
    if num_qubits not in (1, 2, 3) or not isinstance(num_qubits, (int, np.integer)):
        raise ValueError(f"depolarizing num_qubits must be 1, 2 or 3, got {num_qubits!r}")
    n_paulis = 4**num_qubits
    p = _check_probability(p, "depolarizing Pauli error probability p")
    return depolarizing(min(p * n_paulis / (n_paulis - 1), n_paulis / (n_paulis - 1)), num_qubits)


def pauli_channel(probs: Mapping[str, float]) -> Channel:
    """Pauli channel ``rho -> sum_P p_P P rho P`` from ``{label: p}`` (Qiskit label order, rightmost = qubit 0)."""
    if not probs:
        raise ValueError("pauli_channel needs at least one (label, probability)")
    lengths = {len(label) for label in probs}
    if len(lengths) != 1:
        raise ValueError(f"all Pauli labels must have the same length, got {sorted(lengths)}")
    n = lengths.pop()
    if n < 1:
        raise ValueError("empty Pauli label")
    basis = pauli_basis(n)
    total = 0.0
    ops = []
    for label, p in probs.items():
        v = _check_probability(p, f"probability of Pauli {label!r}")
        total += v
        if v > 0:
            ops.append(math.sqrt(v) * basis[label_to_code(label)])
    if abs(total - 1.0) > CPTP_TOL:
        raise ValueError(f"Pauli probabilities must sum to 1, got {total!r}")
    return Channel(ops, label="pauli")


def amplitude_damping(gamma: float, excited_population: float = 0.0) -> Channel:
    """(Generalized) amplitude damping: decay ``|1> -> |0>`` with probability ``gamma``.

    With ``excited_population`` p1 > 0 the qubit relaxes towards the thermal
    state ``diag(1 - p1, p1)`` (Aer's ``amplitude_damping_error`` with
    ``excited_state_population``).
    """
    g = _check_probability(gamma, "amplitude damping gamma")
    p1 = _check_probability(excited_population, "excited_population")
    p0 = 1.0 - p1
    a0 = math.sqrt(p0) * np.array([[1, 0], [0, math.sqrt(1 - g)]])
    a1 = math.sqrt(p0) * np.array([[0, math.sqrt(g)], [0, 0]])
    b0 = math.sqrt(p1) * np.array([[math.sqrt(1 - g), 0], [0, 1]])
    b1 = math.sqrt(p1) * np.array([[0, 0], [math.sqrt(g), 0]])
    ops = [k for k in (a0, a1, b0, b1) if np.any(k)]
    return Channel(ops, label=f"amplitude_damping({g:g})")


def phase_damping(lam: float) -> Channel:
    """Phase damping: coherences multiplied by ``sqrt(1 - lam)`` (Aer's ``phase_damping_error``)."""
    v = _check_probability(lam, "phase damping lam")
    ops = [np.array([[1, 0], [0, math.sqrt(1 - v)]]), np.array([[0, 0], [0, math.sqrt(v)]])]
    return Channel(ops, label=f"phase_damping({v:g})")


def thermal_relaxation(t1: float, t2: float, time: float, excited_population: float = 0.0,
                       truncate_t2: bool = True) -> Channel:
    """Thermal relaxation over ``time``, the same map as Qiskit Aer's ``thermal_relaxation_error``.

    On the Bloch vector: x, y decay by ``exp(-time/t2)``; z relaxes as
    ``z -> exp(-time/t1) z + (1 - exp(-time/t1)) (1 - 2 p1)`` with ``p1 =
    excited_population``. ``t1`` or ``t2`` may be ``inf``.

    A physical channel needs ``t2 <= 2 t1``. Aer's ``thermal_relaxation_error``
    raises otherwise, while Aer's device noise models first truncate ``t2`` to
    ``2 t1``. We truncate the same way, with a ``UserWarning``; pass
    ``truncate_t2=False`` to get a ``ValueError`` instead.
    """
    t1 = float(t1)
    t2 = float(t2)
    time = float(time)
    if not t1 > 0:
        raise ValueError(f"thermal relaxation t1 must be > 0, got {t1!r}")
    if not t2 > 0:
        raise ValueError(f"thermal relaxation t2 must be > 0, got {t2!r}")
    if not (time >= 0 and np.isfinite(time)):
        raise ValueError(f"thermal relaxation time must be finite and >= 0, got {time!r}")
    p1 = _check_probability(excited_population, "excited_population")
    if t2 > 2 * t1:
        if not truncate_t2:
            raise ValueError(f"thermal relaxation needs t2 <= 2 t1, got t1={t1!r}, t2={t2!r}")
        warnings.warn(f"thermal relaxation: t2={t2!r} > 2 t1 is unphysical; truncated to 2 t1 = {2 * t1!r} "
                      "(as Qiskit Aer's device noise models do)", UserWarning, stacklevel=2)
        t2 = 2 * t1
    p_reset = 0.0 if math.isinf(t1) else -math.expm1(-time / t1)
    coherence = 1.0 if math.isinf(t2) else math.exp(-time / t2)
    p0 = 1.0 - p1
    # Choi matrix J = sum_ij |i><j| (x) E(|i><j|), built from the map above, then diagonalised
    choi = np.array([
        [1 - p1 * p_reset, 0, 0, coherence],
        [0, p1 * p_reset, 0, 0],
        [0, 0, p0 * p_reset, 0],
        [coherence, 0, 0, 1 - p0 * p_reset],
    ], dtype=np.complex128)
    return Channel(_kraus_from_choi(choi), label=f"thermal_relaxation(t1={t1:g}, t2={t2:g}, time={time:g})")


def _kraus_from_choi(choi: np.ndarray) -> list[np.ndarray]:
    """Kraus operators of ``J = sum_ij |i><j| (x) E(|i><j|)`` (input index slow, output fast)."""
    dim = int(round(math.sqrt(choi.shape[0])))
    vals, vecs = np.linalg.eigh(choi)
    ops = []
    for v, vec in zip(vals, vecs.T):
        if v > 1e-15:
            # vec[i*dim + a] = <i|<a| v ; K_v[a, i] = sqrt(v) vec[i*dim + a]
            ops.append(math.sqrt(v) * vec.reshape(dim, dim).T)
    return ops


def product(first: Channel, second: Channel) -> Channel:
    """Independent 1-qubit channels as one 2-qubit channel: ``first`` on the gate's qubits[0], ``second`` on qubits[1]."""
    for name, ch in (("first", first), ("second", second)):
        if not isinstance(ch, Channel):
            raise TypeError(f"product: {name} must be a Channel, got {type(ch).__name__}")
        if ch.num_qubits != 1:
            raise ValueError(f"product: {name} must be a 1-qubit channel, got {ch.num_qubits} qubits")
    # kron(B, A): A acts on the least significant bit = qubits[0]
    ops = [np.kron(b, a) for b in second._kraus for a in first._kraus]
    return Channel(_minimal_kraus(ops), label=f"{first.label}(x){second.label}", validate=False)


# ---------------------------------------------------------------------- readout
class ReadoutError:
    """Classical assignment error of one qubit's measurement.

    ``probabilities[i][j]`` = P(measure j | prepared i) (Aer's convention), so
    ``e0 = P(1|0)`` and ``e1 = P(0|1)``. On a measured Pauli factor the effect is
    ``Z -> (1 - e0 - e1) Z + (e1 - e0) I``.
    """

    __slots__ = ("probabilities",)

    def __init__(self, probabilities: Sequence[Sequence[float]] | np.ndarray):
        try:
            mat = np.array(probabilities, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError("readout probabilities must be a 2x2 array of numbers") from None
        if mat.shape != (2, 2):
            raise ValueError(f"readout probabilities must be a 2x2 assignment matrix (one qubit), got shape "
                             f"{mat.shape}")
        for i in range(2):
            for j in range(2):
                _check_probability(mat[i, j], f"readout probability P({j}|{i})")
            if abs(mat[i].sum() - 1.0) > CPTP_TOL:
                raise ValueError(f"readout probabilities row {i} (prepared |{i}>) must sum to 1, got {mat[i].sum()!r}")
        mat.setflags(write=False)
        self.probabilities = mat

    @property
    def e0(self) -> float:
        """P(measure 1 | prepared 0)."""
        return float(self.probabilities[0, 1])

    @property
    def e1(self) -> float:
        """P(measure 0 | prepared 1)."""
        return float(self.probabilities[1, 0])

    @property
    def z_scale(self) -> float:
        """Factor on the measured Z component: ``1 - e0 - e1``."""
        return 1.0 - self.e0 - self.e1

    @property
    def z_shift(self) -> float:
        """Identity component added to a measured Z: ``e1 - e0``."""
        return self.e1 - self.e0

    @property
    def is_ideal(self) -> bool:
        return self.e0 == 0.0 and self.e1 == 0.0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReadoutError) and np.array_equal(self.probabilities, other.probabilities)

    def __hash__(self) -> int:
        return hash(self.probabilities.tobytes())

    def __repr__(self) -> str:
        return f"ReadoutError(e0=P(1|0)={self.e0:g}, e1=P(0|1)={self.e1:g})"


def readout_error(probabilities: Sequence[Sequence[float]] | np.ndarray) -> ReadoutError:
    """A :class:`ReadoutError` from the 2x2 assignment matrix ``[[P(0|0), P(1|0)], [P(0|1), P(1|1)]]``."""
    return ReadoutError(probabilities)


__all__ = [
    "Channel", "ReadoutError", "kraus", "depolarizing", "depolarizing_from_pauli_probability", "pauli_channel",
    "amplitude_damping", "phase_damping", "thermal_relaxation", "product", "readout_error",
]
