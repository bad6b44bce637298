"""The noise-floor analysis behind the README's reading of the noisy results (benchmarks/noise_floor.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from crlqas import tasks

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "noise_floor.py"


@pytest.fixture(scope="module")
def noise_floor():
    spec = importlib.util.spec_from_file_location("noise_floor", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _by_circuit(rows):
    return {(r["noise"], r["circuit"]): r for r in rows}


def test_reference_circuits_reach_the_exact_and_hartree_fock_energies_without_noise(noise_floor):
    for name in ("H2-2q", "H2-4q"):
        task = tasks.get(name)
        rows = _by_circuit(noise_floor.floor_rows(name, ["none"], starts=4, seed=0))
        assert abs(rows["none", "entangling"]["noisy_error"]) < 1e-9
        assert rows["none", "product"]["noisy_error"] == pytest.approx(task.hf_energy - task.exact_energy, abs=1e-9)


def test_under_mumbai_max_no_cnot_beats_the_product_state_on_h2(noise_floor):
    rows = _by_circuit(noise_floor.floor_rows("H2-2q", ["mumbai-median", "mumbai-max"], starts=4, seed=0))
    # median: the one-CNOT circuit is the better noisy energy; max: the product state is
    assert rows["mumbai-median", "entangling"]["noisy_error"] < rows["mumbai-median", "product"]["noisy_error"]
    assert rows["mumbai-max", "entangling"]["noisy_error"] > rows["mumbai-max", "product"]["noisy_error"]
    # and the noise floor of the correct circuit is far above chemical accuracy in both
    assert rows["mumbai-median", "entangling"]["noisy_error"] > 5 * tasks.get("H2-2q").chemical_accuracy
