"""Bridge between ``sim`` and Qiskit / Qiskit Aer.

Qiskit is imported inside the functions, so ``import sim`` never needs it.

Conventions shared by both sides (and therefore needing no reordering):
qubit 0 is the least significant bit, and the matrix of a gate, error or
Kraus operator on qubits ``(q0, q1)`` has basis index bit k = k-th qubit of
that tuple, exactly like a Qiskit instruction appended on qargs ``[q0, q1]``.

Parameter slots <-> Qiskit parameters:

* :func:`circuit_to_qiskit` names slot k ``theta[k]`` (one ``ParameterVector``
  called ``theta`` with one element per slot).
* :func:`circuit_from_qiskit` gives slot k to element k when *every*
  parameter of the circuit belongs to one and the same ``ParameterVector``
  (so a round trip keeps slot numbers, unused slots included, except unused
  slots after the last used one, which a ``Circuit`` does not record); otherwise
  slot k is the k-th entry of ``qc.parameters`` (Qiskit's stable sorted order:
  by name, vector elements by index).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from sim.channels import Channel, ReadoutError
from sim.circuit import GATE_ARITY, ROTATION_GATES, Circuit, Param
from sim.noise import NoiseModel

if TYPE_CHECKING:  # pragma: no cover - typing only
    from qiskit import QuantumCircuit

#: name of the ParameterVector that :func:`circuit_to_qiskit` creates
PARAMETER_VECTOR_NAME = "theta"
#: tolerance for checking that a converted channel reproduces the Aer error exactly
_CHANNEL_CHECK_TOL = 1e-10
#: instructions that carry no quantum operation and are dropped by circuit_from_qiskit
_SKIPPED_INSTRUCTIONS = frozenset({"barrier"})


# ---------------------------------------------------------------------- circuits
def circuit_to_qiskit(circuit: Circuit, params: np.ndarray | Sequence[float] | None = None) -> "QuantumCircuit":
    """A Qiskit ``QuantumCircuit`` for ``circuit``.

    Without ``params`` every slot k becomes the parameter ``theta[k]`` of a
    ``ParameterVector("theta", circuit.num_parameters)``; with ``params`` (one
    vector) the angles are bound numbers. Fixed angles stay numbers.
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVector

    if not isinstance(circuit, Circuit):
        raise TypeError(f"expected a sim.Circuit, got {type(circuit).__name__}")
    values = None
    if params is not None:
        values = circuit.check_parameters(params)
        if values.ndim != 1:
            raise ValueError(f"circuit_to_qiskit binds one parameter vector, got an array of shape {values.shape}")
    vector = None
    if values is None and circuit.num_parameters:
        vector = ParameterVector(PARAMETER_VECTOR_NAME, circuit.num_parameters)
    qc = QuantumCircuit(circuit.num_qubits)
    for op in circuit:
        if op.name in ROTATION_GATES:
            if op.param is None:
                angle = op.angle
            elif values is not None:
                angle = float(values[op.param])
            else:
                angle = vector[op.param]
            getattr(qc, op.name)(angle, op.qubits[0])
        else:
            getattr(qc, op.name)(*op.qubits)
    return qc


def _angle_of(operation, where: str) -> float | object:
    """A fixed float, or the bare ``Parameter`` an instruction's angle is."""
    from qiskit.circuit import Parameter, ParameterExpression

    (value,) = operation.params
    if isinstance(value, Parameter):
        return value
    if isinstance(value, ParameterExpression):
        if value.parameters:
            raise ValueError(f"{where}: angle {value} is a parameter expression; only bare parameters "
                             "(or numbers) can become parameter slots")
        value = complex(value)
        if abs(value.imag) > 1e-12:
            raise ValueError(f"{where}: complex angle {value}")
        return float(value.real)
    return float(value)


def _final_measurements(qc: "QuantumCircuit") -> set[int]:
    """Indices (into qc.data) of measurements after which their qubit sees no further operation."""
    final: set[int] = set()
    touched_later: set[int] = set()
    for pos in range(len(qc.data) - 1, -1, -1):
        inst = qc.data[pos]
        qubits = {qc.find_bit(q).index for q in inst.qubits}
        if inst.operation.name == "barrier":
            continue
        if inst.operation.name == "measure" and not (qubits & touched_later):
            final.add(pos)
        touched_later |= qubits
    return final


def circuit_from_qiskit(qc: "QuantumCircuit") -> Circuit:
    """Convert a Qiskit ``QuantumCircuit`` built from gates ``sim`` knows (see ``sim.GATE_ARITY``).

    Unbound parameters become slots (order: see the module docstring), fixed
    angles stay fixed. Barriers are skipped. Measurements at the very end of a
    qubit's line are skipped (``sim`` returns expectation values of the final
    state, which is what measuring there would estimate); a measurement
    followed by another operation on its qubit, and every other instruction
    ``sim`` does not know (``reset``, ``u``, control flow, ...), raise
    ``ValueError`` naming it (transpile to rx/ry/rz/cx/... first).
    The global phase is dropped (it changes no expectation value).
    """
    from qiskit import QuantumCircuit
    from qiskit.circuit import ParameterVectorElement

    if not isinstance(qc, QuantumCircuit):
        raise TypeError(f"expected a qiskit QuantumCircuit, got {type(qc).__name__}")
    if qc.num_qubits < 1:
        raise ValueError("the Qiskit circuit has no qubits")
    parameters = list(qc.parameters)
    vectors = {id(p.vector) for p in parameters if isinstance(p, ParameterVectorElement)}
    one_vector = bool(parameters) and len(vectors) == 1 and all(
        isinstance(p, ParameterVectorElement) for p in parameters)
    if one_vector:
        slot_of = {p: int(p.index) for p in parameters}
    else:
        slot_of = {p: k for k, p in enumerate(parameters)}

    final_measures = _final_measurements(qc)
    out = Circuit(qc.num_qubits)
    for pos, inst in enumerate(qc.data):
        op = inst.operation
        name = op.name
        qubits = tuple(qc.find_bit(q).index for q in inst.qubits)
        where = f"instruction #{pos} {name!r} on qubits {qubits}"
        if name in _SKIPPED_INSTRUCTIONS:
            continue
        if name == "measure":
            if pos in final_measures:
                continue
            raise ValueError(f"{where}: a mid-circuit measurement cannot be converted (sim has no "
                             "measurement operations; only final measurements are skipped)")
        if name not in GATE_ARITY:
            raise ValueError(f"{where}: unsupported instruction {name!r}; sim knows {sorted(GATE_ARITY)} "
                             "(transpile to these basis gates first)")
        if inst.clbits:
            raise ValueError(f"{where}: classical bits on a gate are not supported")
        if name in ROTATION_GATES:
            angle = _angle_of(op, where)
            out.append(name, qubits, Param(slot_of[angle]) if not isinstance(angle, float) else angle)
        else:
            if op.params:
                raise ValueError(f"{where}: gate {name!r} unexpectedly has parameters {op.params}")
            out.append(name, qubits)
    return out


def to_qasm3(circuit: Circuit, params: np.ndarray | Sequence[float] | None = None) -> str:
    """OpenQASM 3 text of ``circuit`` (bound to ``params`` if given, else with ``theta[k]`` inputs)."""
    from qiskit import qasm3

    return qasm3.dumps(circuit_to_qiskit(circuit, params))


# ---------------------------------------------------------------------- channels
def _kraus_from_superop(superop) -> list[np.ndarray]:
    """Kraus operators of a Qiskit ``SuperOp`` from its Choi matrix, keeping every non-zero branch.

    Qiskit's own ``Kraus(...)`` drops Choi eigenvalues below 1e-8, i.e. rare
    error branches; here only eigenvalues at the float noise floor go.
    """
    from qiskit.quantum_info import Choi

    choi = Choi(superop).data
    dim = superop.dim[0]
    choi = 0.5 * (choi + choi.conj().T)
    vals, vecs = np.linalg.eigh(choi)
    scale = max(float(vals.max()), 1e-300)
    if vals.min() < -1e-9 * scale:
        raise ValueError(f"the error is not completely positive (Choi eigenvalue {vals.min():.3g})")
    keep = vals > 1e-15 * scale
    # Qiskit's Choi is column-vectorised: K = sqrt(v) * unvec_F(eigenvector)
    return [np.sqrt(v) * vecs[:, i].reshape((dim, dim), order="F") for i, v in zip(np.nonzero(keep)[0], vals[keep])]


def channel_from_qiskit(error) -> Channel:
    """A ``sim`` channel equal to a Qiskit Aer ``QuantumError`` (or any Qiskit quantum channel / error object).

    The Aer error's qubit k becomes the channel's qubit k (= the gate's k-th qubit).
    """
    from qiskit.quantum_info import SuperOp

    try:
        if hasattr(error, "to_quantumchannel"):
            superop = SuperOp(error.to_quantumchannel())
        else:
            superop = SuperOp(error)
    except Exception as exc:  # qiskit raises a zoo of types here
        raise ValueError(f"cannot convert {type(error).__name__} to a quantum channel: {exc}") from exc
    if superop.dim[0] != superop.dim[1]:
        raise ValueError(f"error changes the number of qubits (dims {superop.dim})")
    ops = _kraus_from_superop(superop)
    channel = Channel(ops, label=f"qiskit:{type(error).__name__}")
    # the decomposition must reproduce the error: never hand back a silently different channel
    rebuilt = _superop_of_kraus(channel.kraus_operators)
    dev = float(np.max(np.abs(rebuilt - superop.data)))
    if dev > _CHANNEL_CHECK_TOL:
        raise ValueError(f"Kraus decomposition of {type(error).__name__} is off by {dev:.3g}")
    return channel


def _superop_of_kraus(ops: Sequence[np.ndarray]) -> np.ndarray:
    """Column-vectorised superoperator ``sum_k conj(K) (x) K`` (Qiskit's ``SuperOp`` convention)."""
    return sum(np.kron(k.conj(), k) for k in ops)


def channel_to_qiskit(channel: Channel):
    """A Qiskit Aer ``QuantumError`` wrapping the channel's Kraus operators.

    The Kraus form (one circuit, probability 1) keeps rare branches that Aer
    would drop (probability <= 1e-10) when composing mixture-form errors.
    """
    from qiskit.quantum_info import Kraus
    from qiskit_aer.noise import QuantumError

    if not isinstance(channel, Channel):
        raise TypeError(f"expected a sim.channels.Channel, got {type(channel).__name__}")
    return QuantumError(Kraus([np.asarray(k) for k in channel.kraus_operators]))


# ---------------------------------------------------------------------- noise models
def noise_model_from_qiskit(aer_noise_model) -> NoiseModel:
    """Convert a Qiskit Aer ``NoiseModel`` into a ``sim.NoiseModel``, error by error.

    Converts all-qubit and qubit-specific quantum errors (keeping Aer's rule
    that a qubit-specific entry replaces the all-qubit one) and all-qubit and
    single-qubit readout errors. Raises ``ValueError`` naming the culprit for
    anything it cannot represent (errors on instructions ``sim`` does not know,
    e.g. ``measure``, ``u3`` or ``reset``; errors acting on a different number
    of qubits than their gate; correlated multi-qubit readout errors; custom
    noise passes; non-local errors). Nothing is dropped silently.
    """
    from qiskit_aer.noise import NoiseModel as AerNoiseModel

    if not isinstance(aer_noise_model, AerNoiseModel):
        raise TypeError(f"expected a qiskit_aer.noise.NoiseModel, got {type(aer_noise_model).__name__}")
    aer = aer_noise_model
    if getattr(aer, "_custom_noise_passes", None):
        raise ValueError(f"the Aer noise model has custom noise passes {aer._custom_noise_passes}; they cannot be "
                         "converted")
    if getattr(aer, "_nonlocal_quantum_errors", None):
        raise ValueError("the Aer noise model has non-local quantum errors (noise on qubits other than the gate's); "
                         "sim does not support them")

    def check_gate(name: str, num_qubits: int, qubits: tuple[int, ...] | None) -> None:
        where = f"quantum error on {name!r}" + (f" qubits {qubits}" if qubits is not None else " (all qubits)")
        if name not in GATE_ARITY:
            raise ValueError(f"{where}: sim has no instruction {name!r} (known gates: {sorted(GATE_ARITY)})")
        if num_qubits != GATE_ARITY[name]:
            raise ValueError(f"{where}: a {num_qubits}-qubit error on a {GATE_ARITY[name]}-qubit gate")

    model = NoiseModel()
    for name, error in aer._default_quantum_errors.items():
        check_gate(name, error.num_qubits, None)
        model.add_quantum_error(channel_from_qiskit(error), name)
    for name, per_qubits in aer._local_quantum_errors.items():
        for qubits, error in per_qubits.items():
            qubits = tuple(int(q) for q in qubits)
            check_gate(name, error.num_qubits, qubits)
            model.add_quantum_error(channel_from_qiskit(error), name, qubits)

    default_readout = aer._default_readout_error
    if default_readout is not None:
        model.add_readout_error(_readout_from_qiskit(default_readout, None))
    for qubits, error in aer._local_readout_errors.items():
        qubits = tuple(int(q) for q in qubits)
        model.add_readout_error(_readout_from_qiskit(error, qubits), qubits[0])
    return model


def _readout_from_qiskit(error, qubits: tuple[int, ...] | None) -> ReadoutError:
    where = "all-qubit readout error" if qubits is None else f"readout error on qubits {qubits}"
    if error.number_of_qubits != 1 or (qubits is not None and len(qubits) != 1):
        raise ValueError(f"{where}: a correlated {error.number_of_qubits}-qubit readout error cannot be converted "
                         "(sim models independent per-qubit readout)")
    return ReadoutError(np.asarray(error.probabilities, dtype=np.float64))


def noise_model_to_qiskit(noise_model: NoiseModel):
    """The same model as a Qiskit Aer ``NoiseModel``.

    Every quantum error is passed as ``QuantumError(Kraus(...))`` (see
    :func:`channel_to_qiskit`); readout errors become Aer ``ReadoutError``s
    with the same assignment matrix.
    """
    from qiskit_aer.noise import NoiseModel as AerNoiseModel
    from qiskit_aer.noise import ReadoutError as AerReadoutError

    if not isinstance(noise_model, NoiseModel):
        raise TypeError(f"expected a sim.NoiseModel, got {type(noise_model).__name__}")
    aer = AerNoiseModel()
    entries = noise_model.quantum_errors()
    defaults = {gate for gate, qubits, _ in entries if qubits is None}
    for gate, qubits, channel in entries:
        error = channel_to_qiskit(channel)
        if qubits is not None and gate in defaults and error.ideal():
            # Aer ignores ideal errors, so its all-qubit error would act here instead of none
            raise ValueError(f"the noiseless entry for {gate!r} on qubits {qubits} overrides an all-qubit error; "
                             "Aer cannot express that (it skips ideal errors)")
        if qubits is None:
            aer.add_all_qubit_quantum_error(error, gate, warnings=False)
        else:
            aer.add_quantum_error(error, gate, list(qubits), warnings=False)
    for qubit, readout in noise_model.readout_errors():
        err = AerReadoutError(np.array(readout.probabilities))
        if qubit is None:
            aer.add_all_qubit_readout_error(err, warnings=False)
        else:
            aer.add_readout_error(err, [qubit], warnings=False)
    return aer


__all__ = [
    "PARAMETER_VECTOR_NAME", "circuit_to_qiskit", "circuit_from_qiskit", "to_qasm3",
    "channel_from_qiskit", "channel_to_qiskit", "noise_model_from_qiskit", "noise_model_to_qiskit",
]
