"""Tasks: a Hamiltonian with its reference energies and default episode settings.

The paper's six tasks ship as JSON in ``crlqas/data`` (Pauli labels in Qiskit
order, rightmost character = qubit 0), so using them needs neither PySCF nor a
network. ``get(name)`` loads (and caches) one; ``register(task)`` adds a user
task. ``Task.from_molecule`` builds a new one with :mod:`crlqas.chemistry`;
``Task.from_hamiltonian`` wraps an existing operator.

``H2O-8q`` is the stated active space (MOs 0-2 frozen, 3-6 active), ground
energy -74.97233559 Ha; the reference implementation's file reported
-73.294107 Ha, which that construction does not give (see
:mod:`crlqas.chemistry`).

Bit strings (``hf_bitstring``) are written qubit 0 first; the basis index of a
bit string has bit q = qubit q, as in ``sim``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import numpy as np

from sim import PauliSum

CHEMICAL_ACCURACY = 1.6e-3
FORMAT = "crlqas-task"
FORMAT_VERSION = 1
#: largest qubit count for dense diagonalisation; beyond it a sparse Lanczos solve is used
DENSE_MAX_QUBITS = 10

#: The paper's tasks, in the order they are listed.
PAPER_TASK_NAMES = ("H2-2q", "H2-3q", "H2-4q", "LiH-4q", "LiH-6q", "H2O-8q")


def default_halting() -> dict[str, Any]:
    """The reference's random-halting schemes (negative-binomial step budgets), for the env to interpret."""
    return {
        "noiseless": {"scheme": "negative_binomial", "n": 70, "p": 0.573, "clip": [25, 70]},
        "noisy": {"scheme": "negative_binomial_mode", "n": 40, "p": 0.6, "clip": [0, 40], "draws": 100},
    }


def default_curriculum(num_qubits: int) -> dict[str, Any]:
    """Curriculum constants (METHOD: mu, greedy-shift period T, successes K, shrinks R) by task size."""
    if num_qubits <= 4:
        return {"mu": 5e-4, "T": 500, "K": 25, "R": 10}
    return {"mu": 1e-3, "T": 2000, "K": 50, "R": 10}


def ground_energy(hamiltonian: PauliSum) -> float:
    """Exact ground energy: dense for <= 10 qubits, sparse ``eigsh`` beyond (memory-checked by ``sim``)."""
    if hamiltonian.num_qubits <= DENSE_MAX_QUBITS:
        return float(np.linalg.eigvalsh(hamiltonian.to_matrix())[0])
    from scipy.sparse.linalg import eigsh

    return float(eigsh(hamiltonian.to_sparse(), k=1, which="SA")[0][0])


def basis_energy(hamiltonian: PauliSum, bitstring: str) -> float:
    """``<b|H|b>`` for a basis state written qubit 0 first (e.g. the Hartree-Fock energy)."""
    _check_bitstring(bitstring, hamiltonian.num_qubits)
    index = bitstring_index(bitstring)
    xbits, zbits = hamiltonian.x_z_masks()
    diag = xbits == 0
    signs = np.array([1.0 - 2.0 * (bin(index & int(z)).count("1") & 1) for z in zbits[diag]])
    return float(np.dot(hamiltonian.coeffs[diag], signs))


def bitstring_index(bitstring: str) -> int:
    """Basis index of a bit string written qubit 0 first (bit q of the index = qubit q)."""
    return sum(1 << q for q, b in enumerate(bitstring) if b == "1")


def _check_bitstring(bitstring: str, num_qubits: int) -> None:
    if not isinstance(bitstring, str) or len(bitstring) != num_qubits or set(bitstring) - {"0", "1"}:
        raise ValueError(
            f"bit string {bitstring!r} must be {num_qubits} characters of 0/1, written qubit 0 first"
        )


def as_pauli_sum(operator: Any, num_qubits: int | None = None) -> PauliSum:
    """Coerce a ``PauliSum``, OpenFermion ``QubitOperator``, Qiskit ``SparsePauliOp``,
    ``[(label, coeff), ...]``, ``{label: coeff}`` or a JSON file path into a ``PauliSum``."""
    if isinstance(operator, (str, os.PathLike)):
        return _hamiltonian_from_json_file(operator, num_qubits)
    if isinstance(operator, PauliSum):
        ham = operator
    elif hasattr(operator, "terms") and isinstance(getattr(operator, "terms"), dict):
        ham = PauliSum.from_openfermion(operator, num_qubits)
    elif hasattr(operator, "paulis") and hasattr(operator, "to_list"):
        ham = PauliSum.from_qiskit(operator)
    elif isinstance(operator, dict):
        ham = PauliSum.from_dict(operator)
    elif isinstance(operator, (list, tuple)):
        ham = PauliSum.from_list([(str(lab), c) for lab, c in operator], num_qubits)
    else:
        raise TypeError(
            f"cannot read a Hamiltonian from {type(operator).__name__}; pass a sim.PauliSum, an OpenFermion "
            "QubitOperator, a Qiskit SparsePauliOp, a [(label, coeff)] list or a JSON file path"
        )
    if num_qubits is not None and ham.num_qubits != num_qubits:
        raise ValueError(f"the Hamiltonian acts on {ham.num_qubits} qubits but num_qubits={num_qubits}")
    return ham


def _terms_from_json(data: Any) -> list[tuple[str, complex]]:
    """Accept ``[[label, coeff], ...]``, ``{label: coeff}`` or ``[[label, [re, im]], ...]``."""
    items = data.items() if isinstance(data, dict) else data
    terms = []
    for item in items:
        label, coeff = item
        if isinstance(coeff, (list, tuple)):
            coeff = complex(coeff[0], coeff[1])
        terms.append((str(label), coeff))
    return terms


def _hamiltonian_from_json_file(path: str | os.PathLike, num_qubits: int | None) -> PauliSum:
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if isinstance(data, dict) and "hamiltonian" in data:
        data = data["hamiltonian"]
    if isinstance(data, dict) and "terms" in data:
        num_qubits = num_qubits if num_qubits is not None else data.get("num_qubits")
        data = data["terms"]
    return PauliSum.from_list(_terms_from_json(data), num_qubits)


def _compact_json(data: Any) -> str:
    """Indented JSON with innermost lists on one line (one Pauli term per line)."""
    text = json.dumps(data, indent=1)

    def collapse(match: "re.Match[str]") -> str:
        return json.dumps(json.loads(match.group(0)))

    return re.sub(r"\[[^\[\]{}]*\]", collapse, text)


# ---------------------------------------------------------------------- Task
@dataclass(frozen=True, eq=False)
class Task:
    """A QAS problem: find a circuit whose energy for ``hamiltonian`` is within
    ``chemical_accuracy`` of ``exact_energy`` in at most ``max_layers`` gates."""

    name: str
    num_qubits: int
    hamiltonian: PauliSum
    exact_energy: float
    lower_bound: float
    hf_energy: float | None = None
    hf_bitstring: str | None = None
    chemical_accuracy: float = CHEMICAL_ACCURACY
    max_layers: int = 40
    halting: dict[str, Any] = field(default_factory=default_halting)
    curriculum: dict[str, Any] = field(default_factory=dict)
    molecule: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.hamiltonian, PauliSum):
            raise TypeError(f"hamiltonian must be a sim.PauliSum, got {type(self.hamiltonian).__name__}")
        if self.hamiltonian.num_qubits != self.num_qubits:
            raise ValueError(
                f"task {self.name!r}: Hamiltonian acts on {self.hamiltonian.num_qubits} qubits "
                f"but num_qubits={self.num_qubits}"
            )
        if self.hf_bitstring is not None:
            _check_bitstring(self.hf_bitstring, self.num_qubits)
        if int(self.max_layers) < 1:
            raise ValueError(f"max_layers must be >= 1, got {self.max_layers}")
        if not self.chemical_accuracy > 0:
            raise ValueError(f"chemical_accuracy must be > 0, got {self.chemical_accuracy}")
        if not self.curriculum:
            object.__setattr__(self, "curriculum", default_curriculum(self.num_qubits))

    # ------------------------------------------------------------------ helpers
    def hf_state_index(self) -> int:
        """Basis index of the Hartree-Fock state (bit q = qubit q); ``ValueError`` if unknown."""
        if self.hf_bitstring is None:
            raise ValueError(f"task {self.name!r} has no Hartree-Fock bit string")
        return bitstring_index(self.hf_bitstring)

    def error(self, energy: float) -> float:
        """Energy error against the exact ground energy."""
        return float(energy) - self.exact_energy

    def summary(self) -> str:
        """One line: name, qubits, terms, energies, layer budget."""
        hf = f"HF {self.hf_energy:.8f} |{self.hf_bitstring}>" if self.hf_energy is not None else "HF n/a"
        return (f"{self.name}: {self.num_qubits} qubits, {self.hamiltonian.num_terms} Pauli terms, "
                f"E0 {self.exact_energy:.8f} Ha, {hf}, lower bound {self.lower_bound:.6f}, L={self.max_layers}")

    def with_options(self, **changes: Any) -> "Task":
        """A copy with some fields changed (e.g. ``max_layers``), validated again."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "name": self.name,
            "num_qubits": self.num_qubits,
            "exact_energy": self.exact_energy,
            "hf_energy": self.hf_energy,
            "hf_bitstring": self.hf_bitstring,
            "lower_bound": self.lower_bound,
            "chemical_accuracy": self.chemical_accuracy,
            "max_layers": self.max_layers,
            "halting": self.halting,
            "curriculum": self.curriculum,
            "molecule": self.molecule,
            "hamiltonian": {
                "label_order": "qiskit: rightmost character acts on qubit 0",
                "num_qubits": self.num_qubits,
                "terms": [[label, coeff] for label, coeff in self.hamiltonian.to_list()],
            },
        }

    def to_json(self, path: str | os.PathLike | None = None) -> str:
        """The task as JSON text; also written to ``path`` if given."""
        text = _compact_json(self.to_dict())
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        return text

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Task":
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document (format={data.get('format')!r})")
        ham_data = data["hamiltonian"]
        ham = PauliSum.from_list(_terms_from_json(ham_data["terms"]), int(data["num_qubits"]))
        return cls(
            name=data["name"], num_qubits=int(data["num_qubits"]), hamiltonian=ham,
            exact_energy=float(data["exact_energy"]), lower_bound=float(data["lower_bound"]),
            hf_energy=None if data.get("hf_energy") is None else float(data["hf_energy"]),
            hf_bitstring=data.get("hf_bitstring"),
            chemical_accuracy=float(data.get("chemical_accuracy", CHEMICAL_ACCURACY)),
            max_layers=int(data.get("max_layers", 40)),
            halting=data.get("halting") or default_halting(),
            curriculum=data.get("curriculum") or {},
            molecule=data.get("molecule") or {},
        )

    @classmethod
    def from_json(cls, path: str | os.PathLike) -> "Task":
        """Load a task written by :meth:`to_json`."""
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"{os.fspath(path)!r} is not a {FORMAT} file; for a bare Hamiltonian "
                             "use Task.from_hamiltonian(path, name=...)")
        return cls.from_dict(data)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_hamiltonian(
        cls,
        hamiltonian: Any,
        name: str,
        *,
        num_qubits: int | None = None,
        hf_bitstring: str | None = None,
        hf_energy: float | None = None,
        exact_energy: float | None = None,
        max_layers: int = 40,
        chemical_accuracy: float = CHEMICAL_ACCURACY,
        halting: dict[str, Any] | None = None,
        curriculum: dict[str, Any] | None = None,
        molecule: dict[str, Any] | None = None,
    ) -> "Task":
        """A task from an operator (``PauliSum``, OpenFermion ``QubitOperator``, Qiskit
        ``SparsePauliOp``, term list or JSON file path); the exact energy is computed
        unless given, the HF energy from ``hf_bitstring`` (qubit 0 first)."""
        ham = as_pauli_sum(hamiltonian, num_qubits)
        n = ham.num_qubits
        if hf_bitstring is not None:
            computed = basis_energy(ham, hf_bitstring)
            if hf_energy is not None and abs(computed - hf_energy) > 1e-6:
                raise ValueError(
                    f"hf_energy {hf_energy} disagrees with <{hf_bitstring}|H|{hf_bitstring}> = {computed}; "
                    "is the bit string written qubit 0 first?"
                )
            hf_energy = computed
        exact = ground_energy(ham) if exact_energy is None else float(exact_energy)
        return cls(
            name=name, num_qubits=n, hamiltonian=ham, exact_energy=exact, lower_bound=ham.lower_bound(),
            hf_energy=hf_energy, hf_bitstring=hf_bitstring, chemical_accuracy=chemical_accuracy,
            max_layers=max_layers, halting=halting or default_halting(), curriculum=curriculum or {},
            molecule=molecule or {},
        )

    @classmethod
    def from_molecule(
        cls,
        geometry: Any,
        name: str,
        *,
        basis: str = "sto-3g",
        charge: int = 0,
        multiplicity: int = 1,
        frozen_orbitals: Any = (),
        active_orbitals: Any = None,
        mapping: str = "jordan_wigner",
        reduction: str | None = None,
        max_layers: int = 40,
        notes: str = "",
        source: str = "built from geometry (PySCF RHF, OpenFermion)",
        **task_options: Any,
    ) -> "Task":
        """Build a task from a molecule (needs PySCF); see :func:`crlqas.chemistry.build_molecular_hamiltonian`."""
        from crlqas.chemistry import build_molecular_hamiltonian

        built = build_molecular_hamiltonian(
            geometry, basis=basis, charge=charge, multiplicity=multiplicity, frozen_orbitals=frozen_orbitals,
            active_orbitals=active_orbitals, mapping=mapping, reduction=reduction,
        )
        meta = dict(built.molecule, source=source, notes=notes)
        task = cls.from_hamiltonian(built.hamiltonian, name, hf_bitstring=built.hf_bitstring,
                                    max_layers=max_layers, molecule=meta, **task_options)
        if abs(task.exact_energy - built.fci_energy) > 1e-6:
            # A mapping without tapering spans all particle numbers; its ground state may
            # lie in another sector than the molecule's. Record it rather than hide it.
            meta["warning"] = (f"qubit ground energy {task.exact_energy:.8f} differs from the FCI energy "
                               f"{built.fci_energy:.8f} of the molecule's sector")
        return task


# ---------------------------------------------------------------------- registry
_REGISTRY: dict[str, Task] = {}


def _load_shipped(name: str) -> Task:
    ref = resources.files("crlqas") / "data" / f"{name}.json"
    with ref.open("r", encoding="utf-8") as fh:
        task = Task.from_dict(json.load(fh))
    # the cached instance is shared by every caller: keep its arrays from being edited in place
    task.hamiltonian.codes.flags.writeable = False
    task.hamiltonian.coeffs.flags.writeable = False
    return task


def names() -> list[str]:
    """Names of the shipped tasks (paper order) followed by registered ones."""
    return list(PAPER_TASK_NAMES) + [n for n in _REGISTRY if n not in PAPER_TASK_NAMES]


def get(name: str) -> Task:
    """The task called ``name`` (shipped tasks are loaded once and cached)."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    if name in PAPER_TASK_NAMES:
        task = _load_shipped(name)
        _REGISTRY[name] = task
        return task
    raise KeyError(f"unknown task {name!r}; known tasks: {', '.join(names())}")


def register(task: Task, overwrite: bool = False) -> Task:
    """Add a user task to the registry so ``get(task.name)`` returns it."""
    if not isinstance(task, Task):
        raise TypeError(f"register() needs a crlqas.tasks.Task, got {type(task).__name__}")
    if not overwrite and (task.name in _REGISTRY or task.name in PAPER_TASK_NAMES):
        raise ValueError(f"a task named {task.name!r} already exists; pass overwrite=True to replace it")
    _REGISTRY[task.name] = task
    return task
