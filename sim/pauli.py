"""Hamiltonians as real-coefficient sums of Pauli strings.

Conventions (used everywhere in ``sim``):

* qubit order is little-endian, as in Qiskit: a label's rightmost character
  acts on qubit 0;
* a Pauli string on n qubits is packed into one integer ``code = sum_q d_q 4^q``
  with digit ``d_q`` in (I, X, Y, Z) = (0, 1, 2, 3); this is also its index in
  the Pauli (Liouville) vector ``r_P = Tr(P rho)`` of a state.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

from sim.circuit import is_integer
from sim.limits import MAX_DENSE_MATRIX_QUBITS, MAX_SPARSE_BYTES, format_bytes

PAULI_DIGITS = {"I": 0, "X": 1, "Y": 2, "Z": 3}
PAULI_CHARS = "IXYZ"
#: imaginary parts larger than this (relative to the largest |coefficient|) mean non-Hermitian input
HERMITIAN_TOL = 1e-10
#: Pauli codes are int64 with two bits per qubit: 4^31 = 2^62 is the last power that fits
MAX_PAULI_QUBITS = 31


def label_to_code(label: str) -> int:
    """Pack a Qiskit-ordered label (rightmost character = qubit 0) into a Pauli code."""
    if not isinstance(label, str):
        raise TypeError(f"a Pauli label must be a string such as 'XZI', got {label!r} ({type(label).__name__})")
    if not label:
        raise ValueError("empty Pauli label: a label needs one character (I, X, Y or Z) per qubit")
    code = 0
    for q, ch in enumerate(reversed(label.upper())):
        if ch not in PAULI_DIGITS:
            raise ValueError(f"invalid Pauli character {ch!r} (qubit {q}, position {len(label) - 1 - q}) in label "
                             f"{label!r}; use I, X, Y, Z")
        code += PAULI_DIGITS[ch] * 4**q
    return code


def code_to_label(code: int, num_qubits: int) -> str:
    """Inverse of :func:`label_to_code`."""
    chars = []
    for _ in range(num_qubits):
        chars.append(PAULI_CHARS[code % 4])
        code //= 4
    return "".join(reversed(chars))


def code_digits(codes: np.ndarray, num_qubits: int) -> np.ndarray:
    """Digits (terms x qubits) of packed codes; column q is qubit q."""
    codes = np.asarray(codes, dtype=np.int64)
    return (codes[:, None] // (4 ** np.arange(num_qubits, dtype=np.int64))[None, :]) % 4


def _number(value, label: str) -> complex:
    """A term's coefficient as a complex number; strings, bools and other non-numbers are refused."""
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"term {label!r}: the coefficient must be a number, got {value!r} ({type(value).__name__})")
    try:
        return complex(value)
    except (TypeError, ValueError):
        raise TypeError(f"term {label!r}: the coefficient must be a number, got {value!r} "
                        f"({type(value).__name__})") from None


def _check_finite(value: complex, label: str) -> None:
    if not np.isfinite(value):
        v = complex(value)
        shown = repr(v.real) if v.imag == 0 else repr(v)
        raise ValueError(f"term {label!r} has the non-finite coefficient {shown} (NaN or infinite); "
                         "Hamiltonian coefficients must be finite numbers")


def _real_coefficient(value: complex, label: str, scale: float) -> float:
    value = _number(value, label)
    _check_finite(value, label)
    if abs(value.imag) > HERMITIAN_TOL * max(1.0, scale):
        raise ValueError(
            f"term {label!r} has coefficient {value}: its imaginary part makes the operator "
            "non-Hermitian; a Hamiltonian needs real Pauli coefficients"
        )
    return float(value.real)


class PauliSum:
    """A Hermitian operator ``H = sum_k c_k P_k`` with real ``c_k``.

    Terms are merged (duplicates summed) and kept in a fixed order, so two
    equal operators have equal arrays.
    """

    __slots__ = ("num_qubits", "codes", "coeffs")

    def __init__(self, num_qubits: int, codes: Iterable[int], coeffs: Iterable[float]):
        if not is_integer(num_qubits):
            raise TypeError(f"num_qubits must be an integer, got {num_qubits!r} ({type(num_qubits).__name__})")
        if num_qubits < 1:
            raise ValueError(f"num_qubits must be >= 1, got {num_qubits}")
        if num_qubits > MAX_PAULI_QUBITS:
            raise ValueError(f"num_qubits={num_qubits} is too large: Pauli strings are packed into 64-bit codes, "
                             f"which hold at most {MAX_PAULI_QUBITS} qubits")
        self.num_qubits = int(num_qubits)
        raw_codes = np.asarray(list(codes) if not isinstance(codes, np.ndarray) else codes)
        if raw_codes.size and raw_codes.dtype.kind not in "iu":
            raise TypeError(f"Pauli codes must be integers, got an array of dtype {raw_codes.dtype}")
        codes = raw_codes.astype(np.int64)
        coeffs = np.asarray(list(coeffs) if not isinstance(coeffs, np.ndarray) else coeffs)
        if codes.shape != coeffs.shape or codes.ndim != 1:
            raise ValueError(f"codes and coeffs must be 1-D arrays of the same length, got shapes {codes.shape} "
                             f"and {coeffs.shape}")
        if coeffs.size and coeffs.dtype.kind not in "iufc":
            raise TypeError(f"Pauli coefficients must be numbers, got an array of dtype {coeffs.dtype}")
        if codes.size and (codes.min() < 0 or codes.max() >= 4**self.num_qubits):
            k = int(np.argmax((codes < 0) | (codes >= 4**self.num_qubits)))
            raise ValueError(f"Pauli code {int(codes[k])} is out of range for {self.num_qubits} qubits "
                             f"(0 <= code < 4^{self.num_qubits})")
        finite = np.isfinite(coeffs)
        if not np.all(finite):
            k = int(np.argmin(finite))
            _check_finite(coeffs[k], code_to_label(int(codes[k]), self.num_qubits))
        if np.iscomplexobj(coeffs):
            scale = float(np.max(np.abs(coeffs))) if coeffs.size else 0.0
            bad = np.abs(coeffs.imag) > HERMITIAN_TOL * max(1.0, scale)
            if np.any(bad):
                k = int(np.argmax(bad))
                _real_coefficient(coeffs[k], code_to_label(int(codes[k]), self.num_qubits), scale)
            coeffs = coeffs.real
        coeffs = coeffs.astype(np.float64)
        uniq, inverse = np.unique(codes, return_inverse=True)
        merged = np.zeros(uniq.size, dtype=np.float64)
        np.add.at(merged, inverse, coeffs)
        self.codes = uniq
        self.coeffs = merged

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_list(cls, terms: Sequence[tuple[str, complex]], num_qubits: int | None = None) -> "PauliSum":
        """Build from ``[(label, coeff), ...]`` in Qiskit label order (rightmost = qubit 0)."""
        if isinstance(terms, (str, bytes)) or isinstance(terms, Mapping):
            raise TypeError(f"terms must be a list of (label, coefficient) pairs, got {type(terms).__name__} "
                            "(use PauliSum.from_dict for a mapping)")
        terms = list(terms)
        if not terms:
            if num_qubits is None:
                raise ValueError("an empty term list needs num_qubits")
            return cls(num_qubits, [], [])
        for term in terms:
            if isinstance(term, (str, bytes)) or not hasattr(term, "__len__") or len(term) != 2:
                raise TypeError(f"each term must be a (label, coefficient) pair, got {term!r}")
            if not isinstance(term[0], str):
                raise TypeError(f"a Pauli label must be a string such as 'XZI', got {term[0]!r} "
                                f"({type(term[0]).__name__}) in term {tuple(term)!r}")
        first = terms[0][0]
        n = len(first)
        for label, _ in terms:
            if len(label) != n:
                raise ValueError(f"all labels must have the same length (one character per qubit): {label!r} has "
                                 f"length {len(label)} but the first label {first!r} has length {n}")
        if n == 0:
            raise ValueError("empty Pauli label: a label needs one character (I, X, Y or Z) per qubit")
        if num_qubits is not None and num_qubits != n:
            raise ValueError(f"labels act on {n} qubits but num_qubits={num_qubits}")
        scale = max(abs(_number(c, label)) for label, c in terms)
        codes = [label_to_code(label) for label, _ in terms]
        coeffs = [_real_coefficient(c, label, scale) for label, c in terms]
        return cls(n, codes, coeffs)

    @classmethod
    def from_dict(cls, terms: Mapping[str, complex]) -> "PauliSum":
        """Build from ``{label: coeff}`` (Qiskit label order)."""
        return cls.from_list(list(terms.items()))

    @classmethod
    def from_openfermion(cls, operator, num_qubits: int | None = None) -> "PauliSum":
        """Build from an OpenFermion ``QubitOperator`` (its qubit k is our qubit k)."""
        terms = getattr(operator, "terms", None)
        if terms is None:
            raise TypeError(f"expected an openfermion QubitOperator, got {type(operator).__name__}")
        used = [q for term in terms for q, _ in term]
        needed = max(used) + 1 if used else 1
        if num_qubits is None:
            num_qubits = needed
        elif num_qubits < needed:
            raise ValueError(f"operator acts on qubit {needed - 1} but num_qubits={num_qubits}")
        scale = max((abs(complex(c)) for c in terms.values()), default=0.0)
        codes, coeffs = [], []
        for term, coeff in terms.items():
            code = 0
            for q, op in term:
                code += PAULI_DIGITS[op] * 4**q
            codes.append(code)
            coeffs.append(_real_coefficient(coeff, code_to_label(code, num_qubits), scale))
        return cls(num_qubits, codes, coeffs)

    @classmethod
    def from_qiskit(cls, operator) -> "PauliSum":
        """Build from a Qiskit ``SparsePauliOp``."""
        to_list = getattr(operator, "to_list", None)
        if to_list is None:
            raise TypeError(f"expected a qiskit SparsePauliOp, got {type(operator).__name__}")
        return cls.from_list(to_list(), num_qubits=operator.num_qubits)

    # ------------------------------------------------------------------ export
    def to_list(self) -> list[tuple[str, float]]:
        """``[(label, coeff), ...]`` in Qiskit label order."""
        return [(code_to_label(int(c), self.num_qubits), float(v)) for c, v in zip(self.codes, self.coeffs)]

    def to_qiskit(self):
        """The same operator as a Qiskit ``SparsePauliOp``."""
        from qiskit.quantum_info import SparsePauliOp

        return SparsePauliOp.from_list(self.to_list(), num_qubits=self.num_qubits)

    def to_openfermion(self):
        """The same operator as an OpenFermion ``QubitOperator``."""
        from openfermion import QubitOperator

        op = QubitOperator()
        for code, coeff in zip(self.codes, self.coeffs):
            digits = code_digits(np.array([code]), self.num_qubits)[0]
            term = tuple((q, PAULI_CHARS[d]) for q, d in enumerate(digits) if d)
            op += QubitOperator(term, float(coeff))
        return op

    # ------------------------------------------------------------------ properties
    @property
    def num_terms(self) -> int:
        return int(self.codes.size)

    @property
    def constant(self) -> float:
        """Coefficient of the identity string."""
        hit = np.nonzero(self.codes == 0)[0]
        return float(self.coeffs[hit[0]]) if hit.size else 0.0

    def lower_bound(self) -> float:
        """Pauli-norm bound: constant minus the sum of |c_P| over non-identity strings."""
        return self.constant - float(np.sum(np.abs(self.coeffs[self.codes != 0])))

    def expectation_from_pauli_vector(self, r: np.ndarray) -> float:
        """``<H>`` for a state given by its Pauli vector ``r_P = Tr(P rho)``."""
        return float(np.dot(self.coeffs, np.asarray(r)[self.codes]))

    def x_z_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """Bit masks (bit q = qubit q) of where each term has X-or-Y and Z-or-Y."""
        digits = code_digits(self.codes, self.num_qubits)
        weights = 1 << np.arange(self.num_qubits, dtype=np.int64)
        xbits = ((digits == 1) | (digits == 2)).astype(np.int64) @ weights
        zbits = ((digits == 3) | (digits == 2)).astype(np.int64) @ weights
        return xbits, zbits

    def to_matrix(self) -> np.ndarray:
        """Dense 2^n x 2^n matrix (basis index bit q = qubit q, as in Qiskit); at most 14 qubits (4 GiB)."""
        n = self.num_qubits
        if n > MAX_DENSE_MATRIX_QUBITS:
            raise ValueError(f"PauliSum.to_matrix: a dense 2^{n} x 2^{n} complex matrix needs "
                             f"{format_bytes(16 * 4**n)}; the limit is {MAX_DENSE_MATRIX_QUBITS} qubits "
                             f"({format_bytes(16 * 4**MAX_DENSE_MATRIX_QUBITS)}). For the ground energy use "
                             "ground_energy(), which goes sparse beyond 10 qubits")
        dim = 2**n
        mat = np.zeros((dim, dim), dtype=np.complex128)
        cols = np.arange(dim, dtype=np.int64)
        for x, values in self._columns_by_x_mask(cols):
            mat[cols ^ x, cols] += values
        return mat

    def _columns_by_x_mask(self, cols: np.ndarray):
        """``(x, v)`` per distinct X-or-Y mask x: ``H|b>`` has ``v[b]`` at row ``b ^ x`` (summed over its terms)."""
        xbits, zbits = self.x_z_masks()
        digits = code_digits(self.codes, self.num_qubits)
        for x in np.unique(xbits):
            values = np.zeros(cols.size, dtype=np.complex128)
            for k in np.nonzero(xbits == x)[0]:
                ny = int(np.sum(digits[k] == 2))
                # P|b> = i^ny (-1)^popcount(b & z) |b ^ x>
                sign = 1.0 - 2.0 * (_popcount(cols & zbits[k]) & 1)
                values += self.coeffs[k] * (1j**ny) * sign
            yield int(x), values

    def sparse_matrix_bytes(self) -> int:
        """Estimated peak memory of :meth:`ground_energy`'s sparse path: the matrix (built as COO, then CSR)
        and the Lanczos vectors."""
        dim = 2**self.num_qubits
        nnz = int(np.unique(self.x_z_masks()[0]).size) * dim
        return nnz * (16 + 8 + 8 + 16 + 8) + 24 * 16 * dim

    def to_sparse(self):
        """The matrix as a SciPy CSR matrix (needs SciPy; memory about :meth:`sparse_matrix_bytes`)."""
        from scipy.sparse import csr_matrix

        n = self.num_qubits
        need = self.sparse_matrix_bytes()
        if need > MAX_SPARSE_BYTES:
            raise ValueError(f"PauliSum on {n} qubits with {self.num_terms} terms: the sparse 2^{n} x 2^{n} matrix "
                             f"needs about {format_bytes(need)}, above the limit of {format_bytes(MAX_SPARSE_BYTES)}")
        dim = 2**n
        cols = np.arange(dim, dtype=np.int64)
        rows_all, cols_all, vals_all = [], [], []
        for x, values in self._columns_by_x_mask(cols):
            rows_all.append(cols ^ x)
            cols_all.append(cols)
            vals_all.append(values)
        if not vals_all:
            return csr_matrix((dim, dim), dtype=np.complex128)
        return csr_matrix((np.concatenate(vals_all), (np.concatenate(rows_all), np.concatenate(cols_all))),
                          shape=(dim, dim))

    def ground_energy(self) -> float:
        """Smallest eigenvalue (dense for n <= 10; beyond, SciPy's sparse Lanczos ``eigsh``, memory permitting)."""
        if self.num_qubits <= 10:
            return float(np.linalg.eigvalsh(self.to_matrix())[0])
        if self.num_terms == 0:
            return 0.0
        from scipy.sparse.linalg import eigsh

        return float(eigsh(self.to_sparse(), k=1, which="SA")[0][0])

    # ------------------------------------------------------------------ algebra
    def __add__(self, other: "PauliSum") -> "PauliSum":
        if not isinstance(other, PauliSum):
            return NotImplemented
        if other.num_qubits != self.num_qubits:
            raise ValueError("cannot add operators on different numbers of qubits")
        return PauliSum(self.num_qubits, np.concatenate([self.codes, other.codes]),
                        np.concatenate([self.coeffs, other.coeffs]))

    def __mul__(self, scalar: float) -> "PauliSum":
        return PauliSum(self.num_qubits, self.codes, self.coeffs * float(scalar))

    __rmul__ = __mul__

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, PauliSum) and other.num_qubits == self.num_qubits
                and np.array_equal(self.codes, other.codes) and np.array_equal(self.coeffs, other.coeffs))

    def allclose(self, other: "PauliSum", atol: float = 1e-10) -> bool:
        """Equal up to ``atol`` per coefficient (terms below atol count as absent)."""
        diff = self + (-1.0) * other
        return bool(np.all(np.abs(diff.coeffs) <= atol))

    def __len__(self) -> int:
        return self.num_terms

    def __repr__(self) -> str:
        shown = " + ".join(f"{v:+.6g}*{lab}" for lab, v in self.to_list()[:6])
        more = f" + ... ({self.num_terms} terms)" if self.num_terms > 6 else ""
        return f"PauliSum({self.num_qubits} qubits: {shown}{more})"


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.copy()
    count = np.zeros_like(x)
    while np.any(x):
        count += x & 1
        x >>= 1
    return count
