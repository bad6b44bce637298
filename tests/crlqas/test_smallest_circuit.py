"""The run keeps the smallest circuit of an episode at chemical accuracy beside the lowest-error one."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import sim
from crlqas import tasks
from crlqas.cli import main
from crlqas.train import _size_key
from tiny_run import write_tiny_config



def test_size_key_orders_by_cnots_then_gates_then_depth_then_error():
    def record(cnots, gates, depth, error):
        return {"cnots": cnots, "gates": gates, "depth": depth, "error": error}

    ordered = [record(1, 9, 9, 1e-3), record(2, 3, 3, 1e-9), record(2, 4, 2, 1e-9), record(2, 4, 3, 1e-12),
               record(2, 4, 3, 1e-9)]
    assert sorted(ordered, key=_size_key) == ordered


def test_run_records_smallest_circuit_at_chemical_accuracy(tmp_path: Path, capsys):
    config = write_tiny_config(tmp_path, episodes=6, noise="none", iterations=None)
    out = tmp_path / "runs"
    assert main(["train", "--config", str(config), "--output", str(out), "--no-progress"]) == 0
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["episodes_at_chemical_accuracy"] > 0, "H2-2q noiseless reaches chemical accuracy at once"
    small = summary["smallest_at_chemical_accuracy"]
    assert small is not None
    record = json.loads((run / "smallest_circuit.json").read_text())
    assert (run / "smallest_circuit.qasm").read_text().startswith("OPENQASM 3")
    assert record["cnots"] == small["cnots"] and record["gates"] == small["gates"]
    # every episode the log counts at chemical accuracy is no smaller than the recorded one
    rows = [r for r in (run / "episodes.csv").read_text().splitlines()[1:]]
    header = (run / "episodes.csv").read_text().splitlines()[0].split(",")
    for line in rows:
        row = dict(zip(header, line.split(",")))
        if row["chemical_accuracy"] == "1":
            assert (int(row["cnots"]), int(row["gates"])) >= (small["cnots"], small["gates"])
    # the stored circuit with its angles re-evaluates to the recorded, chemically accurate energy
    task = tasks.get("H2-2q")
    circuit = sim.Circuit.from_dict(record["circuit"])
    energy = sim.StatevectorSimulator().expectation(circuit, task.hamiltonian)
    assert np.isclose(energy, record["energy"], atol=1e-9)
    assert abs(energy - task.exact_energy) < task.chemical_accuracy
