"""Size limits of the dense representations, checked before anything is allocated.

Each simulator keeps one dense array whose size grows exponentially with the
number of qubits; past these limits it would need more memory than a
workstation has, so the call is refused with a ``ValueError`` naming the size
instead of failing later with a ``MemoryError`` (or inside a compiled kernel).
"""

from __future__ import annotations

#: PTMSimulator: one Pauli vector of 4^n float64 per evaluation thread (4^14 x 8 B = 2 GiB)
MAX_PTM_QUBITS = 14
#: StatevectorSimulator: one state of 2^n complex128 per evaluation thread (2^26 x 16 B = 1 GiB)
MAX_STATEVECTOR_QUBITS = 26
#: DensityMatrixSimulator: a 2^n x 2^n complex128 density matrix plus temporaries (4^12 x 16 B = 256 MiB)
MAX_DENSITY_MATRIX_QUBITS = 12
#: PauliSum.to_matrix: a dense 2^n x 2^n complex128 matrix (4^14 x 16 B = 4 GiB)
MAX_DENSE_MATRIX_QUBITS = 14
#: PauliSum.ground_energy beyond the dense range: estimated peak bytes of the sparse matrix and Lanczos vectors
MAX_SPARSE_BYTES = 4 * 2**30


def format_bytes(num_bytes: int) -> str:
    """``1536`` -> ``'1.5 KiB'`` (integer input, so astronomically large sizes print too)."""
    n = int(num_bytes)
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")
    if n >= 1024 ** len(units):
        return f"about 2^{n.bit_length() - 1} B"
    i = 0
    while i < len(units) - 1 and n >= 1024 ** (i + 1):
        i += 1
    return f"{n} B" if i == 0 else f"{n / 1024**i:.1f} {units[i]}"


def check_ptm_size(num_qubits: int) -> None:
    """Refuse a register too large for the dense 4^n Pauli vector of the PTM simulator."""
    n = int(num_qubits)
    if n > MAX_PTM_QUBITS:
        raise ValueError(
            f"the PTM simulator holds a dense Pauli vector of 4^{n} float64 values ({format_bytes(8 * 4**n)}) "
            f"per evaluation thread; {n} qubits exceed its limit of {MAX_PTM_QUBITS} qubits "
            f"({format_bytes(8 * 4**MAX_PTM_QUBITS)} per vector). For a noiseless circuit use "
            f"sim.StatevectorSimulator (2^n amplitudes, up to {MAX_STATEVECTOR_QUBITS} qubits)")


def check_statevector_size(num_qubits: int) -> None:
    """Refuse a register too large for the 2^n complex state vector."""
    n = int(num_qubits)
    if n > MAX_STATEVECTOR_QUBITS:
        raise ValueError(
            f"the state-vector simulator holds 2^{n} complex128 amplitudes ({format_bytes(16 * 2**n)}) per "
            f"evaluation thread; {n} qubits exceed its limit of {MAX_STATEVECTOR_QUBITS} qubits "
            f"({format_bytes(16 * 2**MAX_STATEVECTOR_QUBITS)})")


def check_density_matrix_size(num_qubits: int) -> None:
    """Refuse a register too large for the reference density-matrix simulator."""
    n = int(num_qubits)
    if n > MAX_DENSITY_MATRIX_QUBITS:
        raise ValueError(
            f"the density-matrix simulator holds a 2^{n} x 2^{n} complex128 matrix ({format_bytes(16 * 4**n)}) "
            f"plus temporaries; {n} qubits exceed its limit of {MAX_DENSITY_MATRIX_QUBITS} qubits "
            f"({format_bytes(16 * 4**MAX_DENSITY_MATRIX_QUBITS)}). Use sim.PTMSimulator (noisy, up to "
            f"{MAX_PTM_QUBITS} qubits) or sim.StatevectorSimulator (noiseless, up to {MAX_STATEVECTOR_QUBITS})")
