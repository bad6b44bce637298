"""``import sim`` must not pull in the heavy or optional stacks."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("gymnasium", "torch", "scipy", "qiskit", "qiskit_aer", "openfermion", "crlqas", "agents")


def test_import_sim_is_light():
    code = (
        "import sys, sim\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import sim loaded: {out.stdout.strip()}"


def test_public_names_exported():
    import sim

    for name in ("Circuit", "PauliSum", "NoiseModel", "PTMSimulator", "StatevectorSimulator",
                 "DensityMatrixSimulator", "Channel", "ReadoutError", "gate_unitary", "channels"):
        assert hasattr(sim, name), name
