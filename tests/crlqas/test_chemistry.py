"""Building Hamiltonians from molecules (needs PySCF), checked against PySCF's own CASCI/FCI."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("pyscf")

from crlqas import chemistry, tasks  # noqa: E402
from crlqas.chemistry import PAPER_TASKS, build_molecular_hamiltonian, build_paper_tasks  # noqa: E402
from crlqas.tasks import Task  # noqa: E402

LIH_34 = "Li 0 0 0; H 0 0 3.4"


def _casci_energy(geometry: str, frozen: list[int], active: list[int]) -> float:
    """Independent frozen-core active-space energy from PySCF's CASCI."""
    from pyscf import gto, mcscf, scf

    mol = gto.M(atom=geometry, basis="sto-3g", verbose=0)
    mf = scf.RHF(mol)
    mf.conv_tol = 1e-11
    mf.kernel()
    nelecas = sum(mol.nelec) - 2 * len(frozen)
    mc = mcscf.CASCI(mf, len(active), nelecas)
    mc.ncore = len(frozen)
    mo = mc.sort_mo(active, base=0)
    return float(mc.kernel(mo)[0])


def _sector_ground_energy(ham, num_electrons: int) -> float:
    """Ground energy of a Jordan-Wigner Hamiltonian restricted to a particle number."""
    mat = ham.to_matrix()
    idx = [b for b in range(mat.shape[0]) if bin(b).count("1") == num_electrons]
    return float(np.linalg.eigvalsh(mat[np.ix_(idx, idx)])[0])


def test_rebuild_from_geometry_equals_shipped_data(tmp_path):
    built = build_paper_tasks(out_dir=tmp_path)
    assert list(built) == list(tasks.PAPER_TASK_NAMES)
    for name, task in built.items():
        shipped = tasks.get(name)
        assert task.hamiltonian.num_terms == shipped.hamiltonian.num_terms
        assert task.hamiltonian.allclose(shipped.hamiltonian, atol=1e-8), name
        assert task.exact_energy == pytest.approx(shipped.exact_energy, abs=1e-8)
        assert task.hf_energy == pytest.approx(shipped.hf_energy, abs=1e-8)
        assert task.hf_bitstring == shipped.hf_bitstring
        assert task.max_layers == shipped.max_layers
        assert Task.from_json(tmp_path / f"{name}.json").hamiltonian == task.hamiltonian


@pytest.mark.parametrize("name", ["H2-2q", "H2-4q", "LiH-4q", "LiH-6q", "H2O-8q"])
def test_shipped_energy_equals_pyscf_casci(name):
    spec = PAPER_TASKS[name]
    geometry = spec["geometry"]
    frozen = spec.get("frozen_orbitals", [])
    active = spec.get("active_orbitals", [0, 1])
    assert tasks.get(name).exact_energy == pytest.approx(_casci_energy(geometry, frozen, active), abs=1e-7)


def test_hf_energy_equals_scf_energy():
    for name in tasks.PAPER_TASK_NAMES:
        task = tasks.get(name)
        assert task.hf_energy == pytest.approx(task.molecule["scf_energy"], abs=1e-7)


@pytest.mark.parametrize(
    "geometry, frozen, active, tapered",
    [("H 0 0 0; H 0 0 0.7414", [], None, ["H2-2q", "H2-3q"]), (LIH_34, [0], [1, 2, 5], ["LiH-4q"])],
)
def test_tapered_ground_energy_equals_untapered_full_space(geometry, frozen, active, tapered):
    full = build_molecular_hamiltonian(geometry, frozen_orbitals=frozen, active_orbitals=active)
    n_el = sum(full.num_electrons)
    sector = _sector_ground_energy(full.hamiltonian, n_el)
    assert sector == pytest.approx(full.fci_energy, abs=1e-9)
    untapered_parity = build_molecular_hamiltonian(geometry, frozen_orbitals=frozen, active_orbitals=active,
                                                   mapping="parity")
    # parity and Jordan-Wigner differ by a basis change: same spectrum
    np.testing.assert_allclose(np.linalg.eigvalsh(untapered_parity.hamiltonian.to_matrix()),
                               np.linalg.eigvalsh(full.hamiltonian.to_matrix()), atol=1e-9)
    for name in tapered:
        assert tasks.get(name).exact_energy == pytest.approx(sector, abs=1e-9)


def test_wrong_sector_gives_a_different_energy():
    """The tapering eigenvalues matter: the other sector of LiH-4q is not the molecule's ground state."""
    from sim import PauliSum

    built = build_molecular_hamiltonian(LIH_34, frozen_orbitals=[0], active_orbitals=[1, 2, 5], mapping="parity")
    qop = built.hamiltonian.to_openfermion()
    right = chemistry._taper(qop, 6, {5: +1, 2: -1})  # 2 electrons, 1 alpha
    wrong = chemistry._taper(qop, 6, {5: +1, 2: +1})  # even alpha count
    e_right = PauliSum.from_openfermion(right, 4).ground_energy()
    e_wrong = PauliSum.from_openfermion(wrong, 4).ground_energy()
    assert e_right == pytest.approx(tasks.get("LiH-4q").exact_energy, abs=1e-9)
    assert abs(e_wrong - e_right) > 1e-3


def test_active_space_without_frozen_core_is_rejected_and_would_be_wrong():
    """Dropping the occupied core orbital (instead of freezing it) gives a plausible but wrong LiH energy."""
    from pyscf import ao2mo, fci, gto, scf

    with pytest.raises(ValueError, match=r"occupied orbitals \[0\]"):
        build_molecular_hamiltonian(LIH_34, active_orbitals=[1, 2, 5], mapping="parity", reduction="two_qubit")
    # what a builder that silently drops orbital 0 computes: its integrals without the core field
    mol = gto.M(atom=LIH_34, basis="sto-3g", verbose=0)
    mf = scf.RHF(mol).run()
    act = [1, 2, 5]
    c = mf.mo_coeff[:, act]
    h1 = c.T @ mf.get_hcore() @ c
    eri = ao2mo.restore(1, ao2mo.kernel(mol, c), 3)
    wrong = fci.direct_spin1.FCI().kernel(h1, eri, 3, (1, 1), ecore=mol.energy_nuc())[0]
    right = tasks.get("LiH-4q").exact_energy
    assert abs(wrong - right) > 0.1


def test_open_shell_molecule_records_sector_warning():
    """H2+ (one electron): the Jordan-Wigner ground state of the full Fock space has two electrons."""
    task = Task.from_molecule("H 0 0 0; H 0 0 0.7414", name="H2+", charge=1, multiplicity=2)
    assert task.hf_bitstring == "1000"
    from pyscf import fci, gto, scf

    mol = gto.M(atom="H 0 0 0; H 0 0 0.7414", basis="sto-3g", charge=1, spin=1, verbose=0)
    e_fci = fci.FCI(scf.ROHF(mol).run()).kernel()[0]
    assert task.molecule["fci_energy"] == pytest.approx(e_fci, abs=1e-8)
    assert task.exact_energy < e_fci - 0.1
    assert "differs from the FCI energy" in task.molecule["warning"]


def test_geometry_forms_agree():
    a = build_molecular_hamiltonian("H 0 0 0; H 0 0 0.7414", mapping="parity", reduction="two_qubit")
    b = build_molecular_hamiltonian([("H", (0, 0, 0)), ("H", (0, 0, 0.7414))], mapping="parity",
                                    reduction="two_qubit")
    assert a.hamiltonian.allclose(b.hamiltonian, atol=1e-12)


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(frozen_orbitals=[0], active_orbitals=[1, 2, 6]), "out of range"),
        (dict(frozen_orbitals=[0], active_orbitals=[0, 1]), "both frozen and active"),
        (dict(frozen_orbitals=[3], active_orbitals=[0, 1]), "not doubly occupied"),
        (dict(frozen_orbitals=[0], active_orbitals=[2, 3]), "neither frozen nor active"),
        (dict(frozen_orbitals=[0], active_orbitals=[]), "empty"),
        (dict(mapping="bravyi_kitaev"), "unknown mapping"),
        (dict(reduction="two_qubit"), "needs mapping='parity'"),
        (dict(mapping="parity", reduction="three_qubit"), "unknown reduction"),
        (dict(multiplicity=2), "PySCF rejected"),
    ],
)
def test_bad_active_spaces_and_options_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        build_molecular_hamiltonian(LIH_34, **kwargs)


def test_electrons_that_do_not_fit_are_rejected():
    # H2O has 5 occupied orbitals; 3 frozen + 1 active cannot hold the other 4 electrons
    with pytest.raises(ValueError, match="neither frozen nor active"):
        build_molecular_hamiltonian(PAPER_TASKS["H2O-8q"]["geometry"], frozen_orbitals=[0, 1, 2],
                                    active_orbitals=[3])
    with pytest.raises(ValueError):
        chemistry._check_orbitals(6, 3, 3, [0], [1])


def test_bad_geometry_rejected():
    with pytest.raises(ValueError, match="three coordinates"):
        build_molecular_hamiltonian("H 0 0; H 0 0 0.74")
    with pytest.raises(ValueError, match="empty"):
        build_molecular_hamiltonian("")


def test_unknown_paper_task():
    with pytest.raises(KeyError, match="H2-2q"):
        build_paper_tasks(["He-1q"])


def test_missing_pyscf_names_the_extra(monkeypatch):
    for mod in [m for m in sys.modules if m == "pyscf" or m.startswith("pyscf.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "pyscf", None)
    with pytest.raises(ImportError, match=r"crlqas\[chem\]"):
        build_molecular_hamiltonian("H 0 0 0; H 0 0 0.7414")
