"""Bad input to ``sim`` gets a clear TypeError/ValueError naming the problem, never a kernel crash or a wrong number."""

import numpy as np
import pytest

import sim
from sim.limits import (MAX_DENSE_MATRIX_QUBITS, MAX_DENSITY_MATRIX_QUBITS, MAX_PTM_QUBITS, MAX_STATEVECTOR_QUBITS,
                        format_bytes)


# ---------------------------------------------------------------------- qubit indices (B6)
@pytest.mark.parametrize("build, bad", [
    (lambda c: c.rx(True), "True"),
    (lambda c: c.h(1.0), "1.0"),
    (lambda c: c.cx(0, 1.0), "1.0"),
    (lambda c: c.cx(np.bool_(True), 0), "np.True_"),
    (lambda c: c.ry("1"), "'1'"),
    (lambda c: c.append("cz", (0.0, 1)), "0.0"),
])
def test_gate_qubits_must_be_integers_not_bools_floats_or_strings(build, bad):
    with pytest.raises(TypeError, match=rf"qubit indices must be integers, got {bad}"):
        build(sim.Circuit(2))


def test_numpy_integer_qubits_are_accepted_as_python_ints():
    c = sim.Circuit(3).rx(np.int64(2)).cx(np.int32(0), np.uint8(1)).append("h", np.array([1]))
    assert [op.qubits for op in c] == [(2,), (0, 1), (1,)]
    assert all(type(q) is int for op in c for q in op.qubits)


def test_bad_gate_name_angle_and_num_qubits_types():
    with pytest.raises(TypeError, match="gate name must be a string"):
        sim.Circuit(1).append(None, (0,))
    with pytest.raises(TypeError, match="angle must be a real number"):
        sim.Circuit(1).rx(0, "0.3")
    with pytest.raises(ValueError, match="num_qubits must be a positive integer, got True"):
        sim.Circuit(True)
    with pytest.raises(TypeError, match="parameter index must be an integer, got 1.5"):
        sim.Param(1.5)
    assert sim.Param(np.int64(2)).index == 2 and type(sim.Param(np.int64(2)).index) is int


# ---------------------------------------------------------------------- PauliSum (B7)
@pytest.mark.parametrize("coeff", [float("nan"), float("inf"), -np.inf, complex(1.0, np.inf)])
def test_non_finite_coefficients_name_the_term(coeff):
    with pytest.raises(ValueError, match="term 'XZ' has the non-finite coefficient"):
        sim.PauliSum.from_list([("ZZ", 1.0), ("XZ", coeff)])
    with pytest.raises(ValueError, match="term 'XZ' has the non-finite coefficient"):
        sim.PauliSum.from_dict({"ZZ": 1.0, "XZ": coeff})
    code = sim.pauli.label_to_code("XZ")
    with pytest.raises(ValueError, match="term 'XZ' has the non-finite coefficient"):
        sim.PauliSum(2, [3, code], np.array([1.0, coeff]))


def test_scaling_by_nan_is_rejected():
    h = sim.PauliSum.from_list([("Z", 1.0)])
    with pytest.raises(ValueError, match="term 'Z' has the non-finite coefficient nan"):
        h * float("nan")


@pytest.mark.parametrize("terms, error, match", [
    ([("ZA", 1.0)], ValueError, r"invalid Pauli character 'A' \(qubit 0, position 1\) in label 'ZA'; use I, X, Y, Z"),
    ([("Z", 1.0), ("XX", 1.0)], ValueError, "'XX' has length 2 but the first label 'Z' has length 1"),
    ([("", 1.0)], ValueError, "empty Pauli label"),
    ([(3, 1.0)], TypeError, "a Pauli label must be a string"),
    ([("ZZ",)], TypeError, r"\(label, coefficient\) pair"),
    ([("ZZ", "1.0")], TypeError, "term 'ZZ': the coefficient must be a number, got '1.0'"),
    ([("ZZ", None)], TypeError, "term 'ZZ': the coefficient must be a number, got None"),
    ({"ZZ": 1.0}, TypeError, "from_dict"),
])
def test_label_validation_messages(terms, error, match):
    with pytest.raises(error, match=match):
        sim.PauliSum.from_list(terms)


def test_constructor_argument_types():
    with pytest.raises(TypeError, match="num_qubits must be an integer"):
        sim.PauliSum(2.0, [1], [1.0])
    with pytest.raises(TypeError, match="Pauli codes must be integers"):
        sim.PauliSum(1, [1.5], [1.0])
    with pytest.raises(ValueError, match="Pauli code 16 is out of range for 2 qubits"):
        sim.PauliSum(2, [1, 16], [1.0, 1.0])
    with pytest.raises(ValueError, match="at most 31 qubits"):
        sim.PauliSum.from_list([("X" * 32, 1.0)])


# ---------------------------------------------------------------------- sizes (C12)
def test_to_matrix_refuses_large_registers_with_the_size_and_limit():
    n = MAX_DENSE_MATRIX_QUBITS + 1
    h = sim.PauliSum.from_list([("Z" * n, 1.0)])
    with pytest.raises(ValueError, match=rf"2\^{n} x 2\^{n} complex matrix needs 16.0 GiB; the limit is "
                                         rf"{MAX_DENSE_MATRIX_QUBITS} qubits"):
        h.to_matrix()


def test_ground_energy_goes_sparse_beyond_ten_qubits_and_refuses_beyond_the_memory_limit():
    n = 12
    terms = [("I" * (n - 1 - q) + "Z" + "I" * q, 0.3) for q in range(n)]
    terms += [("I" * (n - 1 - q) + "X" + "I" * q, -0.4) for q in range(n)]
    h = sim.PauliSum.from_list(terms)  # independent qubits: E0 = -n sqrt(0.3^2 + 0.4^2)
    assert h.ground_energy() == pytest.approx(-n * 0.5, abs=1e-9)
    small = sim.PauliSum.from_list([("XYZI", 0.3), ("ZZII", -1.0), ("IIXX", 0.7), ("IIII", 0.2), ("YIIY", 0.1)])
    np.testing.assert_array_equal(small.to_sparse().toarray(), small.to_matrix())
    big = sim.PauliSum.from_list([("X" * 25, 1.0), ("Y" * 25, 1.0), ("Z" * 25, 1.0)])
    with pytest.raises(ValueError, match=r"sparse 2\^25 x 2\^25 matrix needs about .* GiB, above the limit of 4.0 GiB"):
        big.ground_energy()


def test_sparse_ground_energy_matches_dense():
    rng = np.random.default_rng(1)
    labels = ["".join(rng.choice(list("IXYZ"), 11)) for _ in range(30)]
    h = sim.PauliSum.from_list([(lab, float(c)) for lab, c in zip(labels, rng.normal(size=30))])
    dense = float(np.linalg.eigvalsh(h.to_matrix())[0])
    assert h.ground_energy() == pytest.approx(dense, abs=1e-8)


def test_ptm_simulator_refuses_too_many_qubits_and_suggests_the_statevector():
    n = MAX_PTM_QUBITS + 1
    circuit = sim.Circuit(n).h(0)
    h = sim.PauliSum.from_list([("Z" * n, 1.0)])
    match = rf"4\^{n} float64 values \(8.0 GiB\).*limit of {MAX_PTM_QUBITS} qubits.*StatevectorSimulator"
    ptm = sim.PTMSimulator()
    for call in (lambda: ptm.compile(circuit, h), lambda: ptm.expectation(circuit, h), lambda: ptm.state(circuit)):
        with pytest.raises(ValueError, match=match):
            call()


def test_statevector_and_density_matrix_simulators_refuse_too_many_qubits():
    n = MAX_STATEVECTOR_QUBITS + 1
    with pytest.raises(ValueError, match=rf"2\^{n} complex128 amplitudes \(2.0 GiB\).*limit of "
                                         rf"{MAX_STATEVECTOR_QUBITS} qubits"):
        sim.StatevectorSimulator().compile(sim.Circuit(n), sim.PauliSum.from_list([("Z" * n, 1.0)]))
    with pytest.raises(ValueError, match=rf"limit of {MAX_STATEVECTOR_QUBITS} qubits"):
        sim.StatevectorSimulator().state(sim.Circuit(n))
    m = MAX_DENSITY_MATRIX_QUBITS + 1
    with pytest.raises(ValueError, match=rf"2\^{m} x 2\^{m} complex128 matrix \(1.0 GiB\).*limit of "
                                         rf"{MAX_DENSITY_MATRIX_QUBITS} qubits"):
        sim.DensityMatrixSimulator().expectation(sim.Circuit(m), sim.PauliSum.from_list([("Z" * m, 1.0)]))


def test_format_bytes():
    assert [format_bytes(b) for b in (12, 1536, 2**31, 8 * 4**100)] == ["12 B", "1.5 KiB", "2.0 GiB", "about 2^203 B"]


# ---------------------------------------------------------------------- compiled parameter counts (C13)
@pytest.fixture(params=["ptm", "statevector"])
def compiled(request):
    c = sim.Circuit(2).rx(0).ry(1).cx(0, 1).rz(1)
    h = sim.PauliSum.from_list([("ZZ", 1.0), ("XI", 0.5)])
    simulator = sim.PTMSimulator() if request.param == "ptm" else sim.StatevectorSimulator()
    return simulator.compile(c, h)


@pytest.mark.parametrize("params", [[0.1], np.array([0.1]), np.zeros(4), (0.1, 0.2)])
def test_compiled_call_with_the_wrong_number_of_parameters(compiled, params):
    got = len(params)
    with pytest.raises(ValueError, match=rf"expected 3 parameters, got {got}"):
        compiled(params)


def test_compiled_batch_with_the_wrong_number_of_columns(compiled):
    for batch in (np.zeros((4, 2)), [[0.1]], np.zeros((1, 4), dtype=np.float32)):
        cols = np.shape(batch)[1]
        with pytest.raises(ValueError, match=rf"expected 3 parameters per row .*got {cols} column\(s\)"):
            compiled.batch(batch)
    with pytest.raises(ValueError, match=r"expected a 2-D batch of shape \(rows, 3\).*params\[None, :\]"):
        compiled.batch(np.zeros(3))
    with pytest.raises(ValueError, match="expected one parameter vector of 3 parameters.*use .batch"):
        compiled(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"3 parameter slot\(s\); pass params"):
        compiled(None)
    assert np.isfinite(compiled([0.1, 0.2, 0.3])) and compiled.batch(np.zeros((2, 3))).shape == (2,)


def test_ptm_term_values_and_circuit_parameter_checks_name_the_counts():
    c = sim.Circuit(1).rx(0).ry(0).rz(0)
    compiled = sim.PTMSimulator().compile(c, sim.PauliSum.from_list([("Z", 1.0)]))
    with pytest.raises(ValueError, match="expected 3 parameters, got 1"):
        compiled.term_values([0.1])
    with pytest.raises(ValueError, match="expected 3 parameters, got 1"):
        c.bind([0.1])
    with pytest.raises(ValueError, match=r"expected 3 parameters, got 2 column\(s\) in the 2-D batch"):
        c.check_parameters(np.zeros((5, 2)))
