"""Noisy-simulator benchmark: the PTM engine vs Qiskit Aer (density matrix) vs plain numpy, side by side.

Workload per qubit count n: one random 30-gate circuit (each gate a CX with
probability 1/3, else RX/RY/RZ on a random qubit, every angle a parameter),
``--evals`` random parameter vectors, exact energy of a random Hamiltonian
(5 / 15 / 118 / 193 / 250 Pauli terms at 2 / 4 / 6 / 8 / 10 qubits). Noise:
after every rotation depolarizing 0.001 (Aer's lambda) then thermal
relaxation (T1 = 100 us, T2 = 80 us, 35 ns); after every CX two-qubit
depolarizing 0.01 then thermal relaxation on both qubits (300 ns).

Timed (per evaluation, wall clock, everything in this one process):
  ours call   ``compiled(params)`` once per vector (compiled once beforehand)
  ours batch  ``compiled.batch(all vectors)``
  Aer batch   one ``AerSimulator(method="density_matrix").run`` for all vectors, the circuit
              transpiled once; the fastest thread setting (default OpenMP, one thread, parallel
              experiments), then the fastest of parameter_binds / runtime parameter binding /
              pre-assigned circuits and of native / Kraus-form noise, picked on a short pilot
  Aer run     one ``run`` per vector (up to ``--budget`` seconds, then extrapolated per evaluation)
  numpy       ``sim.reference.DensityMatrixSimulator`` (up to ``--budget`` seconds)

Memory: increase of the process's peak resident set (Linux VmHWM, reset through
/proc/self/clear_refs before each block) over the resident set at its start;
where that reset is unavailable, tracemalloc's peak (which misses memory
allocated inside Numba and Aer).

Usage: python benchmarks/bench_sim.py [--qubits 2,4,6,8,10] [--evals 200] [--budget 20] [--markdown]
                                     [--numpy-max-qubits 12] [--seed 7]
(The numpy reference needs minutes for one 10-qubit evaluation; --numpy-max-qubits 8 skips it there.)
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import sim
from sim import channels as ch
from sim.circuit import Circuit
from sim.interop.qiskit import circuit_to_qiskit, noise_model_to_qiskit
from sim.noise import NoiseModel
from sim.pauli import PauliSum
from sim.reference import DensityMatrixSimulator
from sim.simulator import PTMSimulator

#: Hamiltonian sizes of the paper's tasks (H2-2q, H2-4q, LiH-6q, H2O-8q) and a 10-qubit stand-in
TERMS = {2: 5, 4: 15, 6: 118, 8: 193, 10: 250}
NUM_GATES = 30
T1, T2 = 100e3, 80e3          # ns
TIME_1Q, TIME_CX = 35.0, 300.0  # ns
DEPOL_1Q, DEPOL_CX = 0.001, 0.01


# ---------------------------------------------------------------------- workload
def random_circuit(num_qubits: int, rng: np.random.Generator) -> Circuit:
    """30 gates: CX with probability 1/3, else RX/RY/RZ (a new parameter slot each)."""
    c = Circuit(num_qubits)
    for _ in range(NUM_GATES):
        if num_qubits > 1 and rng.random() < 1 / 3:
            a, b = rng.choice(num_qubits, size=2, replace=False)
            c.cx(int(a), int(b))
        else:
            c.append(str(rng.choice(["rx", "ry", "rz"])), (int(rng.integers(num_qubits)),))
    return c


def random_hamiltonian(num_qubits: int, num_terms: int, rng: np.random.Generator) -> PauliSum:
    """``num_terms`` distinct random non-identity Pauli strings with normal coefficients."""
    if num_terms > 4**num_qubits - 1:
        raise ValueError(f"{num_qubits} qubits have only {4**num_qubits - 1} non-identity strings")
    codes: set[int] = set()
    while len(codes) < num_terms:
        codes.add(int(rng.integers(1, 4**num_qubits)))
    ordered = sorted(codes)
    return PauliSum(num_qubits, ordered, rng.normal(size=len(ordered)))


def default_terms(num_qubits: int) -> int:
    return TERMS.get(num_qubits, min(4**num_qubits - 1, 25 * num_qubits))


def noise_models() -> tuple[NoiseModel, object]:
    """(our model, the same noise built natively with qiskit_aer.noise functions)."""
    from qiskit_aer import noise as aer_noise

    relax = lambda t: ch.thermal_relaxation(T1, T2, t)  # noqa: E731
    ours = NoiseModel()
    ours.add_quantum_error(ch.depolarizing(DEPOL_1Q).compose(relax(TIME_1Q)), ["rx", "ry", "rz"])
    ours.add_quantum_error(ch.depolarizing(DEPOL_CX, 2).compose(ch.product(relax(TIME_CX), relax(TIME_CX))), "cx")
    aer_relax = lambda t: aer_noise.thermal_relaxation_error(T1, T2, t)  # noqa: E731
    native = aer_noise.NoiseModel()
    native.add_all_qubit_quantum_error(aer_noise.depolarizing_error(DEPOL_1Q, 1).compose(aer_relax(TIME_1Q)),
                                       ["rx", "ry", "rz"])
    native.add_all_qubit_quantum_error(
        aer_noise.depolarizing_error(DEPOL_CX, 2).compose(aer_relax(TIME_CX).expand(aer_relax(TIME_CX))), ["cx"])
    return ours, native


# ---------------------------------------------------------------------- measurement tools
def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


MEMORY_METHOD = "peak RSS increase (VmHWM after clear_refs reset, glibc heap trimmed first)"


def _glibc():
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        # a fixed mmap threshold (no dynamic growth) sends big arrays to mmap, so their pages show up in RSS
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD
        return libc
    except (OSError, AttributeError):
        return None


_LIBC = _glibc()


class PeakMemory:
    """Peak memory a block adds, in MB (see the module docstring for the method)."""

    def __enter__(self) -> "PeakMemory":
        gc.collect()
        if _LIBC is not None:
            _LIBC.malloc_trim(0)  # return freed heap pages, so the baseline is what is really in use
        self.rss_mode = _reset_peak() and _status_kb("VmRSS") is not None
        if self.rss_mode:
            self.base = _status_kb("VmRSS")
        else:
            tracemalloc.start()
        self.mb = float("nan")
        return self

    def __exit__(self, *exc) -> None:
        if self.rss_mode:
            self.mb = max(0, (_status_kb("VmHWM") or 0) - self.base) / 1024
        else:
            self.mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()


def per_eval_loop(fn: Callable[[np.ndarray], float], params: np.ndarray, budget: float) -> tuple[float, np.ndarray]:
    """Call ``fn`` row by row until all rows are done or ``budget`` seconds passed (at least one row)."""
    values = []
    start = time.perf_counter()
    for row in params:
        values.append(fn(row))
        if time.perf_counter() - start > budget:
            break
    return (time.perf_counter() - start) / len(values), np.array(values)


# ---------------------------------------------------------------------- Aer
class AerRunner:
    """Aer density-matrix runs of one circuit, transpiled once, in several submission styles and thread settings."""

    SUBMIT = ("parameter_binds", "runtime_binds", "assigned")
    #: Aer's OpenMP split of one density matrix can lose to one thread (or to parallel experiments) at
    #: these sizes, so all three are tried
    THREADS = {
        "default threads": {},
        "1 thread": {"max_parallel_threads": 1},
        "parallel experiments": {"max_parallel_experiments": 0},
    }

    def __init__(self, circuit: Circuit, hamiltonian: PauliSum, aer_model):
        from qiskit import transpile
        from qiskit_aer import AerSimulator

        qc = circuit_to_qiskit(circuit)
        qc.save_expectation_value(hamiltonian.to_qiskit(), list(range(circuit.num_qubits)), label="e")
        self.backends = {
            (threads, runtime): AerSimulator(method="density_matrix", noise_model=aer_model,
                                             runtime_parameter_bind_enable=runtime, **options)
            for threads, options in self.THREADS.items() for runtime in (False, True)}
        # optimization_level=0: no gate merging, so the noise attaches to the same gates as ours
        self.qc = transpile(qc, self.backends[("default threads", False)], optimization_level=0)
        self.params = sorted(self.qc.parameters, key=lambda p: p.index)

    def run(self, submit: str, batch: np.ndarray, threads: str = "default threads") -> np.ndarray:
        if submit == "assigned":
            circuits = [self.qc.assign_parameters(dict(zip(self.params, row))) for row in batch]
            result = self.backends[(threads, False)].run(circuits, shots=1).result()
        else:
            binds = [{p: batch[:, k].tolist() for k, p in enumerate(self.params)}]
            backend = self.backends[(threads, submit == "runtime_binds")]
            result = backend.run(self.qc, parameter_binds=binds, shots=1).result()
        return np.array([float(np.real(result.data(i)["e"])) for i in range(batch.shape[0])])


def _fastest(candidates: list[tuple], run: Callable[..., object]) -> tuple:
    """The candidate whose ``run(*candidate)`` takes least wall time (each run once after a warm-up call)."""
    times = {}
    for cand in candidates:
        t0 = time.perf_counter()
        run(*cand)
        times[cand] = time.perf_counter() - t0
    return min(times, key=times.get)


# ---------------------------------------------------------------------- one row of the table
@dataclass
class Row:
    num_qubits: int
    num_terms: int
    compile_ms: float = float("nan")
    ours_call_ms: float = float("nan")
    ours_batch_ms: float = float("nan")
    aer_batch_ms: float = float("nan")
    aer_run_ms: float = float("nan")
    numpy_ms: float = float("nan")
    mem: dict = field(default_factory=dict)
    aer_variant: str = ""
    evals: dict = field(default_factory=dict)
    err_ours: float = float("nan")
    err_numpy: float = float("nan")


def warm_up() -> None:
    """Compile every Numba path (serial and parallel) before anything is timed."""
    ours, _ = noise_models()
    rng = np.random.default_rng(0)
    for n, rows in ((2, 3), (4, 64)):
        c = random_circuit(n, rng)
        compiled = PTMSimulator(ours, readout=False).compile(c, random_hamiltonian(n, 5, rng))
        batch = rng.uniform(-np.pi, np.pi, (rows, c.num_parameters))
        compiled(batch[0])
        compiled.batch(batch)


def bench_one(num_qubits: int, evals: int, budget: float, seed: int, log: Callable[[str], None],
              numpy_max_qubits: int = 12) -> Row:
    rng = np.random.default_rng(seed + num_qubits)
    circuit = random_circuit(num_qubits, rng)
    ham = random_hamiltonian(num_qubits, default_terms(num_qubits), rng)
    params = rng.uniform(-np.pi, np.pi, (evals, circuit.num_parameters))
    ours_model, native_model = noise_models()
    row = Row(num_qubits, ham.num_terms)

    # ours
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        compiled = PTMSimulator(ours_model, readout=False).compile(circuit, ham)
        row.compile_ms = 1e3 * (time.perf_counter() - t0)
        # the engine picks kernels by problem size (and loads some lazily): run every path used below once
        compiled(params[0])
        compiled.batch(params)
        t0 = time.perf_counter()
        single = np.array([compiled(p) for p in params])
        row.ours_call_ms = 1e3 * (time.perf_counter() - t0) / evals
    row.mem["ours call"] = mem.mb
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        batched = compiled.batch(params)
        row.ours_batch_ms = 1e3 * (time.perf_counter() - t0) / evals
    row.mem["ours batch"] = mem.mb
    log(f"  ours: call {row.ours_call_ms:.3f} ms, batch {row.ours_batch_ms:.3f} ms per evaluation")

    # Aer: pick the fastest thread setting, then submission style and noise form, on a short pilot
    runners = {"kraus": AerRunner(circuit, ham, noise_model_to_qiskit(ours_model)),
               "native": AerRunner(circuit, ham, native_model)}
    pilot = params[: min(evals, 16 if num_qubits <= 6 else 6)]
    for runner in runners.values():
        runner.run("parameter_binds", pilot[:2])  # first-call overheads out of the pilot
    (threads,) = _fastest([(t,) for t in AerRunner.THREADS],
                          lambda t: runners["kraus"].run("parameter_binds", pilot, t))
    form, submit = _fastest([(f, s) for f in runners for s in AerRunner.SUBMIT],
                            lambda f, s: runners[f].run(s, pilot, threads))
    row.aer_variant = f"{form} noise, {submit}, {threads}"
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        aer_values = runners[form].run(submit, params, threads)
        row.aer_batch_ms = 1e3 * (time.perf_counter() - t0) / evals
    row.mem["Aer batch"] = mem.mb
    log(f"  Aer batch ({row.aer_variant}): {row.aer_batch_ms:.3f} ms per evaluation")
    # accuracy against the Aer model that holds exactly our channels (the native one drops tiny branches)
    exact_aer = aer_values if form == "kraus" else runners["kraus"].run("parameter_binds", params[:20], threads)
    row.err_ours = float(max(np.max(np.abs(batched[: exact_aer.size] - exact_aer)),
                             np.max(np.abs(single[: exact_aer.size] - exact_aer))))

    # one run per evaluation: a single experiment, so only the thread setting of one simulation matters
    (run_threads,) = _fastest([("default threads",), ("1 thread",)],
                              lambda t: runners[form].run(submit, params[:1], t))
    with PeakMemory() as mem:
        per, run_values = per_eval_loop(lambda p: runners[form].run(submit, p[None, :], run_threads)[0], params,
                                        budget)
        row.aer_run_ms = 1e3 * per
    row.mem["Aer run"] = mem.mb
    row.evals["Aer run"] = run_values.size
    log(f"  Aer one run per evaluation ({run_threads}): {row.aer_run_ms:.3f} ms")

    if num_qubits > numpy_max_qubits:
        log("  numpy reference: skipped (--numpy-max-qubits)")
        return row
    reference = DensityMatrixSimulator(ours_model, readout=False)
    with PeakMemory() as mem:
        per, ref_values = per_eval_loop(lambda p: reference.expectation(circuit, ham, p), params, budget)
        row.numpy_ms = 1e3 * per
    row.mem["numpy"] = mem.mb
    row.evals["numpy"] = ref_values.size
    common = min(ref_values.size, exact_aer.size)
    row.err_numpy = float(np.max(np.abs(ref_values[:common] - exact_aer[:common])))
    log(f"  numpy reference: {row.numpy_ms:.3f} ms ({ref_values.size} evaluations)")
    return row


# ---------------------------------------------------------------------- output
HEADERS = ["qubits", "terms", "ours call ms", "ours batch ms", "Aer batch ms", "Aer 1-run ms", "numpy ms",
           "Aer batch / ours call", "Aer batch / ours batch", "peak MB ours / Aer / numpy", "max abs(dE) vs Aer",
           "Aer variant"]


def _fmt_ms(v: float) -> str:
    return f"{v:.3g}" if v >= 0.1 else f"{v:.3f}"


def table_rows(rows: list[Row]) -> list[list[str]]:
    out = []
    for r in rows:
        mem_ours = max(r.mem.get("ours call", 0.0), r.mem.get("ours batch", 0.0))
        mem_aer = max(r.mem.get("Aer batch", 0.0), r.mem.get("Aer run", 0.0))
        out.append([
            str(r.num_qubits), str(r.num_terms), _fmt_ms(r.ours_call_ms), _fmt_ms(r.ours_batch_ms),
            _fmt_ms(r.aer_batch_ms), f"{_fmt_ms(r.aer_run_ms)} ({r.evals.get('Aer run', 0)})",
            f"{_fmt_ms(r.numpy_ms)} ({r.evals['numpy']})" if r.evals.get("numpy") else "skipped",
            f"{r.aer_batch_ms / r.ours_call_ms:.1f}x", f"{r.aer_batch_ms / r.ours_batch_ms:.1f}x",
            f"{mem_ours:.2g} / {mem_aer:.2g} / " + (f"{r.mem['numpy']:.2g}" if "numpy" in r.mem else "-"),
            f"{r.err_ours:.1e}" + (f" (numpy {r.err_numpy:.1e})" if r.evals.get("numpy") else ""), r.aer_variant,
        ])
    return out


def format_plain(rows: list[Row]) -> str:
    body = table_rows(rows)
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(HEADERS)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(HEADERS, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths)) for b in body]
    return "\n".join(lines)


def format_markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    lines += ["| " + " | ".join(b) + " |" for b in table_rows(rows)]
    return "\n".join(lines)


def environment_note(evals: int) -> str:
    import numba
    import qiskit
    import qiskit_aer

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{evals} parameter vectors; times are per evaluation (wall clock). Aer 1-run and numpy columns: "
            f"evaluations actually run in parentheses (time-boxed by --budget). Memory: {MEMORY_METHOD}. "
            f"CPUs: {os.cpu_count()}, numba threads {numba.get_num_threads()}, load average at start {load:.2f}. "
            f"Python {platform.python_version()}, "
            f"numpy {np.__version__}, numba {numba.__version__}, qiskit {qiskit.__version__}, "
            f"qiskit-aer {qiskit_aer.__version__}, sim {getattr(sim, '__version__', 'dev')}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qubits", default="2,4,6,8,10", help="comma-separated qubit counts")
    parser.add_argument("--evals", type=int, default=200, help="parameter vectors per qubit count")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds per qubit count for the one-at-a-time Aer runs and for numpy")
    parser.add_argument("--numpy-max-qubits", type=int, default=12,
                        help="skip the (slow) numpy reference above this many qubits")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="also print the table as markdown")
    args = parser.parse_args(argv)
    try:
        qubits = [int(q) for q in args.qubits.split(",") if q.strip()]
    except ValueError:
        parser.error(f"--qubits must be comma-separated integers, got {args.qubits!r}")
    if not qubits or min(qubits) < 1 or max(qubits) > 12:
        parser.error("--qubits must lie in 1..12")
    if args.evals < 2:
        parser.error("--evals must be >= 2")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    note = environment_note(args.evals)
    log("warming up Numba ...")
    warm_up()
    rows = []
    for n in qubits:
        log(f"{n} qubits:")
        rows.append(bench_one(n, args.evals, args.budget, args.seed, log, args.numpy_max_qubits))
    print(format_plain(rows))
    print(note)
    if args.markdown:
        print()
        print(format_markdown(rows))
        print()
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
