"""autograd.compile: a recorded graph replayed on a batch must equal the scalar engine, example by example."""

import math
import re

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value
from autograd.compiled import GraphStructureError

# --- random graphs using every op ---------------------------------------------------------

UNARY = ["neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "step", "**k", "c**y"]
BINARY = ["+", "-", "*", "/", "**"]
NARY = ["sum", "dot", "dot+bias", "dot_data", "dot_data+bias", "logsumexp", "softmax"]

instruction = st.tuples(st.sampled_from(UNARY + BINARY + NARY),
                        st.lists(st.integers(0, 10_000), min_size=2, max_size=6),
                        st.sampled_from([2.0, 3.0, -1.0, 0.5, -0.3]))


def grow(pool, op, picks, k):
    """Add one node (or, for softmax, several) of `op` to the pool, reading earlier nodes.

    Inputs are wrapped where an op has a restricted domain, so that every example is valid:
    the point here is exactness, the error paths are tested on their own below.
    """
    a, b = (pool[i % len(pool)] for i in picks[:2])
    chosen = [pool[i % len(pool)] for i in picks]
    if op in ("+", "-", "*"):
        return [autograd.apply(op, a, b)]
    if op == "/":
        return [a / (b * b + 1.0)]
    if op == "**":
        return [(a.tanh() + 2.0) ** b.tanh()]
    if op == "neg":
        return [-a]
    if op == "abs":
        return [abs(a)]
    if op == "exp":
        return [(a.tanh() * 3.0).exp()]
    if op == "log":
        return [(a * a + 0.5).log()]
    if op == "sqrt":
        return [(a * a + 0.1).sqrt()]
    if op in ("tanh", "sigmoid", "relu"):
        return [getattr(a, op)()]
    if op == "step":
        return [a.step(k)]
    if op == "**k":
        return [a ** k if float(k).is_integer() and k > 0 else (a * a + 1.0) ** k]
    if op == "c**y":
        return [2.5 ** a.tanh()]
    if op == "sum":
        return [autograd.sum(chosen)]
    if op in ("dot", "dot+bias"):
        half = max(1, len(chosen) // 2)
        bias = chosen[-1] if op == "dot+bias" else None
        return [autograd.dot(chosen[:half], chosen[half:2 * half] or chosen[:half], bias)]
    if op in ("dot_data", "dot_data+bias"):  # weights read data: constants baked into the graph
        half = max(1, len(chosen) // 2)
        bias = chosen[-1] if op == "dot_data+bias" else None
        return [autograd.dot(chosen[:half], [k * (j + 1) * 0.25 for j in range(half)], bias)]
    if op == "logsumexp":
        return [autograd.logsumexp(chosen)]
    return autograd.softmax(chosen)  # softmax: several nodes reading one logsumexp (a diamond)


def random_graph(program, parameters):
    """build(xs, ys) -> the loss: the instructions applied to inputs, targets and parameters."""
    def build(xs, ys):
        pool = list(xs) + list(ys) + list(parameters)
        for op, picks, k in program:
            pool.extend(grow(pool, op, picks, k))
        return autograd.sum(pool[-4:] + [parameters[0] * xs[0]])  # depends on parameters, re-uses nodes
    return build


def scalar_reference(build, X, Y, parameters, reduction="mean"):
    """The loss and ∂loss/∂θ, one example at a time through the scalar engine."""
    losses, grads = [], np.zeros(len(parameters))
    for x, y in zip(X, Y):
        xs, ys = [Value(v) for v in x], [Value(v) for v in y]
        loss = build(xs, ys)
        losses.append(loss.data)
        grads += autograd.grad(loss, parameters)
    if reduction == "mean":
        return math.fsum(losses) / len(X), grads / len(X)
    return math.fsum(losses), grads


def assert_close(got, expected, rtol=1e-9):
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * scale)


def in_program_order(program, parameters, values):
    """values given in the order of `parameters`, rearranged into the program's θ order."""
    where = {id(p): i for i, p in enumerate(parameters)}
    return np.array([values[where[id(p)]] for p in program.parameters])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=st.lists(instruction, min_size=1, max_size=14), seed=st.integers(0, 2**32 - 1),
       reduction=st.sampled_from(["mean", "sum"]))
def test_random_graphs_match_the_scalar_engine(program, seed, reduction):
    rng = np.random.default_rng(seed)
    parameters = [Value(float(v), label=f"p{i}") for i, v in enumerate(rng.normal(size=4))]
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    build = random_graph(program, parameters)
    xs, ys = [Value(v) for v in X[0]], [Value(v) for v in Y[0]]
    compiled = autograd.compile(build(xs, ys), inputs=xs, targets=ys, parameters=parameters,
                                reduction=reduction)
    loss = compiled.gradient(X, Y)
    expected_loss, expected_grads = scalar_reference(build, X, Y, parameters, reduction)
    assert_close(loss, expected_loss)
    assert_close(compiled.grad, in_program_order(compiled, parameters, expected_grads))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=st.lists(instruction, min_size=1, max_size=10), seed=st.integers(0, 2**32 - 1))
def test_recording_from_a_function_gives_the_same_program(program, seed):
    rng = np.random.default_rng(seed)
    parameters = [Value(float(v)) for v in rng.normal(size=4)]
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    build = random_graph(program, parameters)
    compiled = autograd.compile(build, examples=(X, Y))  # parameters: the leaves every recording shares
    found = set(map(id, compiled.parameters))
    assert id(parameters[0]) in found and found <= set(map(id, parameters))
    loss = compiled.gradient(X, Y)
    expected_loss, expected_grads = scalar_reference(build, X, Y, parameters)
    assert_close(loss, expected_loss)
    assert_close(compiled.grad, in_program_order(compiled, parameters, expected_grads))


# --- MLP-shaped graphs: dense layers as matrix products -------------------------------------

def hand_mlp(sizes, activation, rng):
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        W = [[Value(rng.normal(), label=f"w{j},{k}") for k in range(n_in)] for j in range(n_out)]
        b = [Value(rng.normal(), label=f"b{j}") for j in range(n_out)]
        layers.append((W, b))
    parameters = [p for W, b in layers for row, bias in zip(W, b) for p in row + [bias]]

    def model(xs):
        a = xs
        for W, b in layers:
            a = [getattr(autograd.dot(row, a, bias), activation)() for row, bias in zip(W, b)]
        return a
    return model, parameters


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_mlp_runs_each_layer_as_one_matrix_product_and_matches(activation):
    rng = np.random.default_rng(1)
    model, parameters = hand_mlp([6, 5, 3], activation, rng)
    X, Y = rng.normal(size=(8, 6)), rng.random(size=(8, 3))

    def build(xs, ys):
        return autograd.sum([(a - y) ** 2 for a, y in zip(model(xs), ys)]) * 0.5

    compiled = autograd.compile(build, examples=(X, Y), parameters=parameters)
    layers = re.findall(r"^    (\w+) = (\w+) @ (\w+) \+ (\w+)", compiled.source.split("def gradient")[1], re.M)
    assert len(layers) == 2  # z = W a + b, one matrix product per layer
    namespace = compiled._gradient.__globals__
    assert all(np.shares_memory(namespace[W], compiled.theta) for _, W, _, _ in layers)  # W is θ, not a copy
    loss = compiled.gradient(X, Y)
    expected_loss, expected_grads = scalar_reference(build, X, Y, parameters)
    assert_close(loss, expected_loss)
    assert_close(compiled.grad, in_program_order(compiled, parameters, expected_grads))


def test_backward_adds_into_the_parameter_values_like_the_scalar_engine():
    rng = np.random.default_rng(2)
    model, parameters = hand_mlp([4, 3, 2], "tanh", rng)
    X, Y = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    xs, ys = [Value(v) for v in X[0]], [Value(v) for v in Y[0]]
    loss = autograd.sum([(a - y) ** 2 for a, y in zip(model(xs), ys)])
    compiled = autograd.compile(loss, inputs=xs, targets=ys, parameters=parameters, reduction="sum")
    for p in parameters:
        p.grad = 1.0  # gradients accumulate, as with Value.backward
    compiled.backward(X, Y)
    _, expected = scalar_reference(lambda xs, ys: autograd.sum([(a - y) ** 2 for a, y in zip(model(xs), ys)]),
                                   X, Y, parameters, reduction="sum")
    assert_close([p.grad for p in parameters], expected + 1.0)


def test_parameters_round_trip_between_values_and_theta():
    rng = np.random.default_rng(3)
    model, parameters = hand_mlp([3, 2], "sigmoid", rng)
    xs = [Value(0.0) for _ in range(3)]
    compiled = autograd.compile(model(xs), inputs=xs, parameters=parameters)
    compiled.theta -= 1.0
    before = [p.data for p in compiled.parameters]
    compiled.write_parameters()
    assert [p.data for p in compiled.parameters] == [v - 1.0 for v in before] or \
        np.allclose([p.data for p in compiled.parameters], compiled.theta)
    for p in parameters:
        p.data = 0.25
    compiled.read_parameters()
    assert np.all(compiled.theta == 0.25)


def test_predict_gives_the_outputs_without_targets():
    rng = np.random.default_rng(4)
    model, parameters = hand_mlp([3, 4, 2], "tanh", rng)
    X = rng.normal(size=(7, 3))

    def build(xs, ys):
        out = model(xs)
        return autograd.sum([(a - y) ** 2 for a, y in zip(out, ys)]), out

    compiled = autograd.compile(build, examples=(X, np.zeros((7, 2))), parameters=parameters)
    expected = [[a.data for a in model([Value(v) for v in x])] for x in X]
    assert_close(compiled.predict(X), expected)


def test_a_forward_only_program_of_several_outputs():
    rng = np.random.default_rng(5)
    model, parameters = hand_mlp([2, 3], "relu", rng)
    xs = [Value(0.1), Value(0.2)]
    compiled = autograd.compile(model(xs), inputs=xs, parameters=parameters)
    X = rng.normal(size=(4, 2))
    assert_close(compiled(X), [[a.data for a in model([Value(v) for v in x])] for x in X])
    with pytest.raises(ValueError, match="several outputs"):
        compiled.gradient(X)


# --- bad input: the same clear errors as the scalar path ----------------------------------

@pytest.fixture
def small_program():
    w = Value(0.5, label="w")
    xs, ys = [Value(1.0, label="x_1"), Value(2.0, label="x_2")], [Value(1.0, label="y_1")]
    loss = ((xs[0] * w).log() + xs[1] / ys[0]) ** 2
    return autograd.compile(loss, inputs=xs, targets=ys, parameters=[w])


def test_wrong_width_is_a_value_error_naming_the_widths(small_program):
    with pytest.raises(ValueError, match="expected 2 numbers per example, got 3"):
        small_program.gradient(np.ones((4, 3)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="3 rows of targets for 4 examples"):
        small_program.gradient(np.ones((4, 2)), np.ones((3, 1)))


def test_non_finite_input_names_the_example_and_column(small_program):
    X = np.ones((4, 2))
    X[2, 1] = np.nan
    with pytest.raises(ValueError, match="nan in example 2, column 1"):
        small_program.gradient(X, np.ones((4, 1)))
    with pytest.raises(TypeError, match="real numbers"):
        small_program.gradient(np.array([["a", "b"]]), np.ones((1, 1)))


def test_a_domain_error_names_the_op_and_the_example(small_program):
    X = np.ones((9, 2))
    X[7, 0] = 0.0  # log(0 * w) in example 7
    with pytest.raises(ValueError, match=r"^log: .*example 7 of the batch"):
        small_program.gradient(X, np.ones((9, 1)))
    Y = np.ones((9, 1))
    Y[3, 0] = 0.0  # x_2 / 0 in example 3
    with pytest.raises(ZeroDivisionError, match=r"^/: division by zero.*example 3 of the batch"):
        small_program.gradient(np.ones((9, 2)), Y)


def test_the_error_is_the_one_the_scalar_engine_raises():
    x = Value(0.5, label="x")
    compiled = autograd.compile((x * 800.0).exp(), inputs=[x], parameters=[])
    with pytest.raises(OverflowError) as batched:
        compiled(np.array([[0.5], [1.0]]))
    with pytest.raises(OverflowError) as scalar:
        (Value(1.0, label="x") * 800.0).exp()
    assert str(batched.value) == f"{scalar.value} (in example 1 of the batch)"
    # ... and it carries the example and the scalar engine's words, for a caller to rename the example
    assert batched.value.example == 1 and batched.value.reason == str(scalar.value)


def test_a_non_finite_gradient_names_the_node_and_the_example():
    w = Value(1.0, label="w")
    x = Value(1.0, label="x")
    compiled = autograd.compile((x * w).sqrt(), inputs=[x], parameters=[w])  # ∂√u/∂u is infinite at u = 0
    with pytest.raises(FloatingPointError, match="example 2 of the batch"):
        compiled.gradient(np.array([[1.0], [4.0], [0.0]]))


@pytest.mark.parametrize("check", [True, False])
def test_the_batch_checks_stay_with_check_false_and_outside_errstate(check):
    # check=False skips the checks of X and the errstate (nn.fit's epoch loop has its own), not
    # the checks of the loss and ∇θ: a non-finite value is still named through the scalar engine.
    w = Value(1.0, label="w")
    x = Value(1.0, label="x")
    compiled = autograd.compile((x * w).sqrt(), inputs=[x], parameters=[w])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's own words, outside errstate
        with pytest.raises(FloatingPointError, match="example 2 of the batch"):
            compiled.gradient(np.array([[1.0], [4.0], [0.0]]), check=check)
    assert compiled.gradient(np.array([[1.0], [4.0]]), check=check) == pytest.approx(1.5)


# --- graphs whose structure depends on the data ---------------------------------------------

def test_branching_on_data_is_refused_with_a_way_out():
    w = Value(0.3, label="w")

    def build(xs):
        return (xs[0] * w).tanh() if xs[0].data > 0 else (xs[0] * w).sigmoid()

    with pytest.raises(GraphStructureError, match=r"depends on the data.*compiled=False"):
        autograd.compile(build, examples=np.array([[1.0], [-1.0], [2.0]]), parameters=[w])


def test_a_number_taken_out_of_a_value_is_refused():
    w = Value(0.3, label="w")
    with pytest.raises(GraphStructureError, match="constant"):
        autograd.compile(lambda xs: w * xs[0].data, examples=np.array([[1.0], [2.0]]), parameters=[w])


@pytest.mark.parametrize("build, says", [
    (lambda w, xs: xs[0] * w if xs[0].data > 0 else w * xs[0], "op '\\*' of parameter 0, input 0 where the first recording has op '\\*' of input 0, parameter 0"),
    (lambda w, xs: xs[0] * w if xs[0].data > 0 else xs[1] * w, "of input 1, parameter 0 where the first recording has op '\\*' of input 0"),
    (lambda w, xs: (xs[0] * w).tanh() * xs[1] if xs[0].data > 0 else (xs[0] * w).tanh() * xs[0], "op node 1, input 0 where"),
])
def test_which_leaf_or_node_feeds_an_op_is_part_of_the_structure(build, says):
    w = Value(0.3, label="w")
    with pytest.raises(GraphStructureError, match=says):
        autograd.compile(lambda xs: build(w, xs), examples=np.array([[1.0, 2.0], [-1.0, 2.0]]), parameters=[w])


@pytest.mark.parametrize("build", [
    lambda w, xs: (xs[0] * w) * 2.0 if xs[0] > 0 else xs[0] * w,      # a branch on a placeholder
    lambda w, xs: max(xs[0] * w, 0.1 * (xs[0] * w)),                  # a leaky ReLU through max()
    lambda w, xs: w * float(xs[0].tanh()),                             # a number taken out
    lambda w, xs: w * (xs[0] * w).exp().item(),
    lambda w, xs: sorted([xs[0], w])[0] * w,
])
def test_a_number_of_the_example_taken_out_is_refused_even_where_every_recording_agrees(build):
    # Every recorded example (the first, second and last) is positive: the structure agrees,
    # yet the 4th example would take the other branch. The comparison itself is what tells.
    w = Value(0.3, label="w")
    X = np.array([[1.0], [2.0], [3.0], [-4.0], [5.0]])
    with pytest.raises(GraphStructureError, match="took the number out of the Value .*depends on the example"):
        autograd.compile(lambda xs: build(w, xs), examples=X, parameters=[w])


@pytest.mark.parametrize("build, given", [
    (lambda w, v, xs: max(w, v) * xs[0] if w > 0 else v * xs[0], [True, False]),
    (lambda w, v, xs: (w if w > 0 else -w) * xs[0], [True, False]),
    (lambda w, v, xs: xs[0] * float(w * 2.0), [True]),  # w is in no graph: it is a parameter only when named
    (lambda w, v, xs: xs[0] * (w + v).item(), [True]),
])
def test_a_number_taken_out_of_a_parameter_is_refused_as_theta_moves_the_branch(build, given):
    # The recorded branch would be replayed after training moves w across 0: this once
    # compiled, and the program then computed w·x where the scalar engine computes -w·x.
    w, v = Value(0.3, label="w"), Value(-0.2, label="v")
    for named in given:
        with pytest.raises(GraphStructureError, match="depends on the parameters: .*whatever θ becomes"):
            autograd.compile(lambda xs: build(w, v, xs), examples=np.array([[1.0], [-2.0]]),
                             parameters=[w, v] if named else None)


def test_a_comparison_of_constants_alone_still_compiles():
    w, c = Value(0.3, label="w"), Value(2.0, label="c", requires_grad=False)
    program = autograd.compile(lambda xs: w * xs[0] * (3.0 if c > 1 else 4.0) * float(Value(2.0) * 0.5),
                               examples=np.array([[1.0], [-2.0]]), parameters=[w])
    assert_close(program(np.array([[1.0], [-2.0]])), [0.9, -1.8])


def test_same_structure_on_other_examples_is_accepted():
    w = Value(0.3, label="w")
    compiled = autograd.compile(lambda xs: (w * xs[0]).relu(), examples=np.array([[1.0], [-2.0]]))
    assert compiled.parameters == [w]
    assert_close(compiled(np.array([[1.0], [-2.0]])), [0.3, 0.0])


def test_misuse_of_compile_is_a_clear_error():
    x, w = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match="examples="):
        autograd.compile(lambda xs: xs[0] * w)
    with pytest.raises(ValueError, match="both as a parameter and as an input"):
        autograd.compile(x * w, inputs=[x], parameters=[x, w])
    with pytest.raises(ValueError, match="reduction"):
        autograd.compile(x * w, inputs=[x], parameters=[w], reduction="average")
    with pytest.raises(ValueError, match="not a leaf"):
        autograd.compile(x * w, inputs=[x], parameters=[x * w])


def test_a_recorded_graph_needs_its_parameters_named():
    # Without parameters=, the constant 1.0 would be trained as if it were a weight.
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    with pytest.raises(TypeError, match=r"pass parameters= \(e\.g\. parameters=model\.parameters\(\)\)"):
        autograd.compile(x * w + 1.0, inputs=[x])
    compiled = autograd.compile(x * w + 1.0, inputs=[x], parameters=[w])
    assert compiled.parameters == [w]
    assert_close(compiled.run(np.array([[1.0], [2.0]])), [4.0, 7.0])


def test_check_records_on_that_many_examples_spread_over_the_data():
    w = Value(0.5, label="w")
    seen = []

    def build(xs):
        seen.append(xs[0].data)
        return w * xs[0]

    X = np.arange(10.0).reshape(-1, 1)
    autograd.compile(build, examples=X, parameters=[w], check=5)
    assert len(seen) == 5 and {0.0, 1.0, 9.0} <= set(seen) and len(set(seen)) == 5
    seen.clear()
    autograd.compile(build, examples=X, parameters=[w])  # the default: the first, the second, the last
    assert seen == [0.0, 1.0, 9.0]
    seen.clear()
    autograd.compile(build, examples=X[:1], parameters=[w], check=4)  # one example: recorded twice
    assert seen == [0.0, 0.0]
    with pytest.raises(ValueError, match=r"compile check \(examples to record on\): expected an int >= 1, got 0"):
        autograd.compile(build, examples=X, parameters=[w], check=0)  # a wrong value: ValueError
    with pytest.raises(TypeError, match=r"compile check \(examples to record on\): expected an int"):
        autograd.compile(build, examples=X, parameters=[w], check="3")
    autograd.compile(build, examples=X, parameters=[w], check=np.int64(3))  # numpy ints are ints


def test_a_branch_on_data_beyond_the_third_example_is_found_with_a_larger_check():
    w = Value(0.3, label="w")

    def build(xs):
        return (xs[0] * w).tanh() if xs[0].data < 5 else (xs[0] * w).sigmoid()

    X = np.array([[0.0], [1.0], [7.0], [2.0], [3.0]])
    autograd.compile(build, examples=X, parameters=[w])  # examples 0, 1 and 4 agree: not seen
    with pytest.raises(GraphStructureError, match="recording example 2"):
        autograd.compile(build, examples=X, parameters=[w], check=5)


def test_the_source_is_straight_line_numpy_and_runs_as_printed():
    rng = np.random.default_rng(9)
    model, parameters = hand_mlp([3, 4, 2], "tanh", rng)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    compiled = autograd.compile(lambda xs, ys: autograd.sum([(a - y) ** 2 for a, y in zip(model(xs), ys)]),
                                examples=(X, Y), parameters=parameters)
    source = compiled.source
    assert {"def run(x, y):", "def gradient(x, y, seed, batch):", "def predict(x):"} & set(source.splitlines()) \
        == {"def run(x, y):", "def gradient(x, y, seed, batch):"}
    body = "\n".join(line.split("#")[0] for line in source.split("def gradient")[1].splitlines())
    assert not re.search(r"\b(for|while|if)\b", body)  # no dispatch at run time: straight-line code
    assert re.search(r"= W\w* @ x \+ b\w*", body) and "M.tanh(" in body
    namespace = dict(compiled._gradient.__globals__)
    exec(source, namespace)  # the printed source is the program: it gives the same gradient
    namespace["gradient"](X.T, Y.T, np.full((1, 5), 0.2), 5)
    expected = compiled.grad.copy()
    compiled.gradient(X, Y)
    assert_close(expected, compiled.grad)


# --- the loss tail: a Σ of squares is one dot product, and nothing unread is computed ----------

def assigned_but_never_read(function_source):
    """The names a generated function assigns that no later line (nor its return) reads."""
    lines = [line.split("  #")[0].strip() for line in function_source.splitlines()[1:] if line.strip()]
    unread = []
    for i, line in enumerate(lines):
        assigned = re.match(r"(\w+) = ", line)
        later = " ".join(lines[i + 1:])
        if assigned and not re.search(rf"\b{assigned.group(1)}\b", later):
            unread.append(assigned.group(1))
    return unread


def functions_of(source):
    return ["def " + part for part in source.split("\n\ndef ")[1:]]


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4), seed=st.integers(0, 2**32 - 1),
       reduction=st.sampled_from(["mean", "sum"]))
def test_a_sum_of_squares_loss_is_one_dot_product_and_matches_the_scalar_engine(sizes, seed, reduction):
    rng = np.random.default_rng(seed)
    model, parameters = hand_mlp(sizes, "tanh", rng)
    X, Y = rng.normal(size=(6, sizes[0])), rng.normal(size=(6, sizes[-1]))

    def build(xs, ys):  # nn.sse: Σ_j (a_j - y_j)²
        outputs = model(xs)
        return autograd.sum([(a - y) ** 2 for a, y in zip(outputs, ys)]), outputs

    compiled = autograd.compile(build, examples=(X, Y), parameters=parameters, reduction=reduction)
    gradient = compiled.source.split("def gradient")[1].split("def predict")[0]
    if sizes[-1] > 1:  # one output is a single square, not a Σ
        assert re.search(r"^    loss = np\.vdot\((\w+), \1\)", gradient, re.M)
        assert "** 2.0" not in gradient  # the squares themselves are never computed
    for function in functions_of(compiled.source):
        assert assigned_but_never_read(function) == []
    loss = compiled.gradient(X, Y)
    expected_loss, expected_grads = scalar_reference(lambda xs, ys: build(xs, ys)[0], X, Y, parameters, reduction)
    assert_close(loss, expected_loss)
    assert_close(compiled.grad, in_program_order(compiled, parameters, expected_grads))
    assert_close(compiled.run(X, Y), [build([Value(v) for v in x], [Value(v) for v in y])[0].data
                                      for x, y in zip(X, Y)])


@pytest.mark.parametrize("loss_of", [
    lambda ts, p: autograd.sum([t ** 3 for t in ts]),                     # cubes: no dot product
    lambda ts, p: autograd.sum([t ** 2 for t in ts] + [p * p]),            # one term is not of the group
], ids=["cubes", "another-term"])
def test_other_sums_are_not_taken_for_a_sum_of_squares(loss_of):
    rng = np.random.default_rng(4)
    p = Value(0.7, label="p")
    X = rng.normal(size=(5, 3))

    def build(xs):
        ts = [x * p for x in xs]
        return loss_of(ts, p)

    compiled = autograd.compile(build, examples=X, parameters=[p])
    gradient = compiled.source.split("def gradient")[1]
    assert "np.vdot" not in gradient
    loss = compiled.gradient(X)
    expected_loss, expected_grads = scalar_reference(lambda xs, ys: build(xs), X, np.zeros((5, 0)), [p])
    assert_close(loss, expected_loss)
    assert_close(compiled.grad, expected_grads)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=st.lists(instruction, min_size=1, max_size=10), seed=st.integers(0, 2**32 - 1),
       squares_are_outputs=st.booleans())
def test_a_sum_of_squares_over_random_graphs_matches_also_when_the_squares_are_outputs(
        program, seed, squares_are_outputs):
    rng = np.random.default_rng(seed)
    parameters = [Value(float(v), label=f"p{i}") for i, v in enumerate(rng.normal(size=4))]
    X = rng.normal(size=(5, 3))
    grow_graph = random_graph(program, parameters)

    def build(xs):  # a Σ of squares of one depth, on a random graph of the inputs
        r = grow_graph(xs, [])
        squares = [(r * p + x) ** 2 for p, x in zip(parameters, xs)]
        return autograd.sum(squares), squares

    xs = [Value(v) for v in X[0]]
    loss, squares = build(xs)
    compiled = autograd.compile(loss, inputs=xs, parameters=parameters,
                                outputs=squares if squares_are_outputs else ())
    assert "np.vdot" in compiled.source.split("def gradient")[1]
    for function in functions_of(compiled.source):
        assert assigned_but_never_read(function) == []
    got = compiled.gradient(X)
    expected_loss, expected_grads = scalar_reference(lambda xs, ys: build(xs)[0], X, np.zeros((5, 0)), parameters)
    assert_close(got, expected_loss)
    assert_close(compiled.grad, in_program_order(compiled, parameters, expected_grads))
    if squares_are_outputs:  # then the squares are computed after all: they are the batch's outputs
        expected_squares = [[s.data for s in build([Value(v) for v in x])[1]] for x in X]
        assert_close(compiled.last_outputs(), expected_squares)


# --- names and groups the generated code must not confuse ------------------------------------

@pytest.mark.parametrize("label", ["loss", "seed", "batch", "grad", "theta", "rows", "x", "y", "M", "np"])
def test_a_root_labelled_like_a_name_of_the_generated_code_still_gets_its_gradient(label):
    rng = np.random.default_rng(3)
    p, q = Value(0.4, label="p"), Value(-0.7, label="q")
    X = rng.normal(size=(6, 2))

    def build(xs):
        loss = (xs[0] * p + xs[1] * q).exp()
        loss.label = label
        return loss

    compiled = autograd.compile(build, examples=X, parameters=[p, q])
    loss = compiled.gradient(X)
    expected_loss, expected_grads = scalar_reference(lambda xs, ys: build(xs), X, np.zeros((6, 0)), [p, q])
    assert_close(loss, expected_loss)
    assert_close(compiled.grad, expected_grads)


def test_predict_computes_an_output_whose_group_starts_with_a_node_that_is_not_an_output():
    rng = np.random.default_rng(5)
    p, q = Value(0.3, label="p"), Value(1.2, label="q")
    X = rng.normal(size=(4, 2))

    def build(xs):
        hidden, output = xs[0] * p, xs[1] * q  # one group: the same op at the same depth
        return autograd.sum([hidden, output.tanh()]), [output]

    compiled = autograd.compile(build, examples=X, parameters=[p, q])
    np.testing.assert_allclose(compiled.predict(X)[:, 0], X[:, 1] * 1.2, rtol=1e-12)


# --- graphs a fuzzer found: each compiled wrongly or not at all --------------------------------

def assert_matches_the_scalar_engine(build, X, parameters, reduction="mean"):
    """Compile build(xs) (a loss, or (loss, outputs)) and compare gradient, run and (with
    outputs) predict and last_outputs with the scalar engine, example by example."""
    def loss_of(xs):
        out = build(xs)
        return out[0] if isinstance(out, tuple) else out

    compiled = autograd.compile(build, examples=X, parameters=parameters, reduction=reduction)
    expected_loss, expected_grads = scalar_reference(lambda xs, ys: loss_of(xs), X, np.zeros((len(X), 0)),
                                                     parameters, reduction)
    assert_close(compiled.gradient(X), expected_loss)
    assert_close(compiled.grad, in_program_order(compiled, parameters, expected_grads))
    assert_close(compiled.run(X), [loss_of([Value(v) for v in x]).data for x in X])
    if compiled.outputs:
        expected = [[o.data for o in build([Value(v) for v in x])[1]] for x in X]
        assert_close(compiled.last_outputs(), expected)
        assert_close(compiled.predict(X), expected)
    return compiled


X3 = np.random.default_rng(11).normal(size=(4, 3))


@pytest.mark.parametrize("label", ["W(2)_1", "W2", "b2", "grad_W2", "d_z2", "t1", "c1", "_k1", "xs_C", "C",
                                   "abs", "sum", "lambda", "None", "δ", "ŷ", "ｔｈｅｔａ", "ｓｅｅｄ", "a b", "",
                                   "a\nb", "h\n    t2 = t2 * 2.0  #"])
def test_any_label_on_an_op_node_next_to_a_layer_compiles_to_the_right_numbers(label):
    p = Value(0.2, label="p")
    W = [[Value(0.1 * (j + k), label=f"w(2)_{j},{k}") for k in (1, 2, 3)] for j in (1, 2)]
    b = [Value(0.05 * j, label=f"b(2)_{j}") for j in (1, 2)]

    def build(xs):
        z = [autograd.dot(row, xs, bias) for row, bias in zip(W, b)]
        t = (z[0] * p).exp()
        t.label = label
        return autograd.sum([t, abs(z[1]) * p, t * t])

    compiled = assert_matches_the_scalar_engine(build, X3, [w for row in W for w in row] + b + [p])
    assert "\n" not in "".join(line.split("#", 1)[-1] for line in compiled.source.splitlines() if "#" in line)


@pytest.mark.parametrize("stem", ["m", "none", "true", "theta", "grad", "ｗ", "ǆ", "W"])
def test_weights_whose_capital_stem_is_taken_or_a_keyword_still_make_a_layer(stem):
    layers = [[[Value(0.3 - 0.1 * (j + k), label=f"{stem}_{j},{k}") for k in range(3)] for j in range(2)],
              [[Value(0.2 + 0.1 * k, label=f"W(3)_1,{k}") for k in range(2)]]]

    def build(xs):
        hidden = [autograd.dot(row, xs).tanh() for row in layers[0]]
        return autograd.dot(layers[1][0], hidden) ** 2

    compiled = assert_matches_the_scalar_engine(build, X3, [w for layer in layers for row in layer for w in row])
    assert len(re.findall(r"^    \w+ = \w+ @ ", compiled.source.split("def gradient")[1], re.M)) == 2


def test_a_negative_constant_base_is_written_in_parentheses():
    base, p = Value(-2.0, requires_grad=False), Value(0.5, label="p")
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    compiled = autograd.compile(lambda xs: p * (base ** xs[0]), examples=X, parameters=[p], reduction="sum")
    assert_close(compiled.run(X), [0.5 * (-2.0) ** k for k in (1, 2, 3, 4)])
    compiled.gradient(X)  # ∂C/∂p = Σ (-2)^x (the scalar engine's own backward stops at ∂/∂x, nan)
    assert_close(compiled.grad, [(-2.0) + 4.0 - 8.0 + 16.0])


def test_a_node_of_constants_alone_is_folded_into_the_program():
    p, c = Value(0.3, label="p"), Value(2.0, requires_grad=False)
    assert_matches_the_scalar_engine(lambda xs: autograd.sum([-c, xs[0] * p, (c * c).exp() * p]), X3, [p])


@pytest.mark.parametrize("by", [lambda t: t * 2.0, lambda t: t / 2.0])
def test_one_row_of_delta_standing_for_every_row_is_not_sliced(by):
    p, q = Value(0.3, label="p"), Value(0.7, label="q")
    assert_matches_the_scalar_engine(lambda xs: autograd.sum([by(xs[0] * p), by(xs[0] + q)]), X3, [p, q])


def test_an_output_that_is_a_constant_is_one_row_for_every_example():
    p = Value(0.3, label="p")
    compiled = autograd.compile(lambda xs: ((xs[0] * p) ** 2, [Value(4.0, requires_grad=False)]),
                                examples=X3, parameters=[p])
    np.testing.assert_array_equal(compiled.predict(X3), np.full((len(X3), 1), 4.0))


def test_predict_of_outputs_that_share_groups_with_rows_it_does_not_need():
    p, q = Value(0.3, label="p"), Value(0.7, label="q")

    def build(xs):
        hidden, other = (xs[0] * p).tanh(), (xs[1] + q).tanh()  # one tanh group, rows from two groups
        return autograd.sum([hidden, other]), [hidden]

    assert_matches_the_scalar_engine(build, X3, [p, q])
    x, y = Value(0.5, label="x_1"), Value(1.0, label="y_1")
    h, u = x * p, y * p  # one group, and u reads the target, which predict is not given
    compiled = autograd.compile(autograd.sum([h, u]), inputs=[x], targets=[y], parameters=[p], outputs=[h])
    np.testing.assert_allclose(compiled.predict(np.array([[2.0], [3.0]])), [[0.6], [0.9]], rtol=1e-12)


def test_outputs_that_read_the_loss_and_outputs_the_same_for_every_example():
    p = Value(0.3, label="p")

    def build(xs):
        loss = autograd.sum([(xs[0] * p) ** 2, (xs[1] + p) ** 2])
        return loss, [loss.tanh(), p.tanh()]  # one reads the Σ loss; one does not depend on x

    compiled = assert_matches_the_scalar_engine(build, X3, [p])
    assert compiled.last_outputs().shape == (len(X3), 2)


@settings(max_examples=40, deadline=None)
@given(x=st.floats(-3, 3), w=st.floats(-3, 3))
def test_gradients_that_cancel_to_zero_are_not_taken_for_an_internal_error(x, w):
    xv, wv = Value(x, label="x_1"), Value(w, label="w")
    s = autograd.softmax([xv * wv, xv, xv + wv, wv.tanh()])  # Σ softmax = 1: ∂/∂w is 0 up to rounding
    compiled = autograd.compile(autograd.sum(s), inputs=[xv], parameters=[wv])
    compiled.gradient(np.array([[x], [x + 1.0]]))
    assert abs(compiled.grad[0]) < 1e-12


def _gradients_made_wrong_at(monkeypatch, k):
    """Every program compiled from now on adds a small error to ∂C/∂θ_k: compile's own check
    must refuse it."""
    from autograd.compiled import program as program_module
    made = program_module.Program.__init__

    def made_wrong(self, *args, **kwargs):
        made(self, *args, **kwargs)
        right = self._gradient

        def wrong(*a):
            result = right(*a)
            self._grad[k] += 1e-6 * (1.0 + abs(self._grad[k]))
            return result
        self._gradient = wrong

    monkeypatch.setattr(program_module.Program, "__init__", made_wrong)


def test_a_wrong_compiled_gradient_is_refused_at_compile_time(monkeypatch):
    _gradients_made_wrong_at(monkeypatch, 1)  # a small error in one parameter
    p, q = Value(0.3, label="p"), Value(0.7, label="q")
    with pytest.raises(RuntimeError, match=r"internal error: the compiled gradient at node 'q'"):
        autograd.compile(lambda xs: (xs[0] * p + xs[1] * q).tanh(), examples=X3, parameters=[p, q])


def test_a_row_that_is_only_an_output_adds_nothing_to_the_gradient_even_where_its_derivative_is_infinite():
    p, q = Value(0.3, label="p"), Value(0.7, label="q")

    def build(xs):
        on_path, only_output = (xs[0] * p + 1.0).sqrt(), (xs[0] * q + 0.0).sqrt()  # same ops, same depths
        return on_path, [only_output]

    X = np.array([[1.0], [0.0]])  # √0 in the output: its derivative is infinite, its δ is 0
    compiled = assert_matches_the_scalar_engine(build, X, [p, q])
    assert compiled.grad[1] == 0.0


NASTY_LABELS = ["loss", "seed", "batch", "grad", "theta", "rows", "x", "y", "M", "np", "abs", "sum", "None",
                "lambda", "W2", "W(2)_1", "w(2)_1,1", "b2", "grad_W2", "d_z2", "t1", "c1", "_k1", "xs_C", "C",
                "z2_in", "δ", "ŷ", "ｔｈｅｔａ", "ｘ", "ǆ", "a b", "", "a\nb", "a\rb", "a\x00b", "z(2)_1", "z(2)_2"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program=st.lists(instruction, min_size=1, max_size=12), seed=st.integers(0, 2**32 - 1),
       labels=st.lists(st.sampled_from(NASTY_LABELS), min_size=1, max_size=12),
       output_picks=st.lists(st.integers(0, 10_000), max_size=3), reduction=st.sampled_from(["mean", "sum"]))
def test_random_graphs_with_any_labels_and_outputs_match_the_scalar_engine(program, seed, labels, output_picks,
                                                                           reduction):
    rng = np.random.default_rng(seed)
    parameters = [Value(float(v), label=labels[i % len(labels)]) for i, v in enumerate(rng.normal(size=4))]
    X = rng.normal(size=(5, 3))
    grow_graph = random_graph(program, parameters)

    def build(xs):
        loss = grow_graph(xs, [])
        ops = [node for node in autograd.topological_order(loss) if node.parents]
        for k, node in enumerate(ops):
            node.label = labels[k % len(labels)]
        return loss, [ops[i % len(ops)] for i in output_picks] or ()

    def loss_only(xs):
        return build(xs)[0]

    compiled = autograd.compile(lambda xs: build(xs) if output_picks else loss_only(xs), examples=X,
                                parameters=parameters, reduction=reduction)
    expected_loss, expected_grads = scalar_reference(lambda xs, ys: loss_only(xs), X, np.zeros((5, 0)),
                                                     parameters, reduction)
    assert_close(compiled.gradient(X), expected_loss)
    assert_close(compiled.grad, in_program_order(compiled, parameters, expected_grads))
    assert_close(compiled.run(X), [loss_only([Value(v) for v in x]).data for x in X])
    if output_picks:
        expected = [[o.data for o in build([Value(v) for v in x])[1]] for x in X]
        assert_close(compiled.last_outputs(), expected)
        assert_close(compiled.predict(X), expected)


# --- the scalar engine's numbers where numpy's differ; all or none into .grad ------------------

def test_a_sum_that_overflows_in_numpys_order_gives_the_scalar_engines_numbers():
    # numpy sums 16 numbers pairwise, (1e308 + 1e308) + ...: inf - inf = nan; the scalar
    # engine's left fold gives 0. The program says what the scalar engine says.
    w = Value(1.0, label="w")
    xs = [Value(0.0, label=f"x{i}") for i in range(16)]
    program = autograd.compile(autograd.sum(xs) * w, inputs=xs, parameters=[w])
    X = np.array([[1e308, -1e308] * 8, [1.0] * 16])
    assert program(X).tolist() == [0.0, 16.0]
    assert program.gradient(X) == 8.0 and program.grad.tolist() == [8.0]
    expected = autograd.gradients(autograd.sum([Value(v) for v in X[0].tolist()]) * w)[w]
    assert program.gradient(X[:1]) == 0.0 and program.grad.tolist() == [expected] == [0.0]


def test_program_backward_into_a_grad_that_would_overflow_changes_no_grad():
    w, b, x = Value(1.0, label="w"), Value(0.0, label="b"), Value(0.0, label="x")
    program = autograd.compile(w * x + b, inputs=[x], parameters=[w, b])
    w.grad, b.grad = 1.7e308, 0.5
    with pytest.raises(FloatingPointError, match="accumulated .grad at node 'w' .*would be inf.*no .grad was changed"):
        program.backward([[1.7e308]])
    assert (w.grad, b.grad) == (1.7e308, 0.5)
    program.backward([[1.0]])
    assert (w.grad, b.grad) == (1.7e308 + 1.0, 1.5)


def test_bad_arguments_of_compile_and_theta_are_named():
    w, b, x, y = Value(1.0, label="w"), Value(0.0, label="b"), Value(0.0, label="x"), Value(0.0, label="y")
    loss = (w * x + b - y) ** 2
    with pytest.raises(TypeError, match="compile: outputs must give a Value or a non-empty list of Values"):
        autograd.compile(loss, inputs=[x], targets=[y], parameters=[w, b], outputs=[1.0])

    def build(xs, ys):
        return ((w * xs[0] + b) - ys[0]) ** 2

    X, Y = np.array([[1.0], [2.0]]), np.array([[0.5], [0.25]])
    with pytest.raises(ValueError, match="is a leaf .*no_grad"):
        autograd.compile(autograd.no_grad(build), examples=(X, Y))
    with pytest.raises(TypeError, match="compile examples: expected X or a pair \\(X, Y\\), got a tuple of 3"):
        autograd.compile(build, examples=(X, Y, Y))
    program = autograd.compile(loss, inputs=[x], targets=[y], parameters=[w, b])
    with pytest.raises(TypeError, match="theta: expected real numbers"):
        program.theta = ["a", "b"]
    with pytest.raises(ValueError, match="theta: expected finite numbers, got nan for parameter 1"):
        program.theta = [1.0, np.nan]
    with pytest.raises(ValueError, match="theta: expected 2 numbers"):
        program.theta = [1.0]
    assert program.theta.tolist() == [1.0, 0.0]


def test_the_scalar_engines_replay_of_a_batch_works_under_no_grad_too():
    # The replay names what failed (or gives the numbers) whatever the caller's grad mode:
    # under no_grad its copies would be constants, with no gradient to give.
    w = Value(0.5, label="w")
    program = autograd.compile(lambda xs, ys: ((w * xs[0]).sqrt() - ys[0]) ** 2,
                               examples=(np.array([[1.0], [2.0], [3.0]]), np.zeros((3, 1))), parameters=[w])
    with autograd.no_grad():
        with pytest.raises(FloatingPointError, match="sqrt.*in example 0 of the batch"):
            program.gradient(np.array([[0.0], [1.0]]), np.zeros((2, 1)))
        xs = [Value(0.0, label=f"x{i}") for i in range(16)]
    program = autograd.compile(autograd.sum(xs) * w, inputs=xs, parameters=[w])
    with autograd.no_grad():
        assert program.gradient(np.array([[1e308, -1e308] * 8])) == 0.0 and program.grad.tolist() == [0.0]


# --- a softmax is one group: s = softmax(x), its exponentials computed once -------------------

def test_the_rows_of_one_softmax_are_one_line_with_its_exponentials_computed_once():
    import nn
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(7, 6)), np.eye(4)[rng.integers(0, 4, size=7)]
    model = nn.MLP(6, [5, 4], activation="sigmoid", output_activation="softmax", seed=0)
    compiled = autograd.compile(lambda xs, ys: nn.sse(model(xs), ys), examples=(X, Y),
                                parameters=model.parameters())
    gradient = compiled.source.split("def gradient")[1].split("def predict")[0]
    assert gradient.count("M.logsumexp(") == 1 and gradient.count("M.exp(") == 1
    assert re.search(r"^    (\w+) = e_\1 / total_\1  # \1 = softmax\(", gradient, re.M)  # s: all 4 rows at once
    assert len(re.findall(r"^    d_z3 = ", gradient, re.M)) == 1  # ∂C/∂z: one line, not one per row
    assert max(len(line.split("  #")[0]) for line in gradient.splitlines()) < 100
    expected_loss, expected_grads = scalar_reference(lambda xs, ys: nn.sse(model(xs), ys), X, Y,
                                                     model.parameters())
    assert_close(compiled.gradient(X, Y), expected_loss)
    assert_close(compiled.grad, in_program_order(compiled, model.parameters(), expected_grads))


@pytest.mark.parametrize("x, c", [
    ([40.0, 0.0, -3.0, 1.0], [1.0, 0.0, 0.0, 0.0]),      # s_0 rounds to 1: 1 - s_0 is Σ of the others
    ([40.0, 0.0, -3.0, 1.0], [0.0, 1.0, -2.0, 0.5]),
    ([0.3, -1.2, 2.0, 0.7], [0.3, -2.0, 5.0, 1.0]),
    ([0.3, -1.2, 2.0, 0.7], [1.0, 1.0, 1.0, 1.0]),       # Σ s = 1: exact ∂/∂x is 0, rounding is left
    ([-1e308, 1e308], [2.0, -3.0]),                        # softmax is [0, 1] (logsumexp's stability)
    ([745.0, -745.0, 0.0], [1.0, 3.0, -1.0]),
])
def test_the_softmax_groups_backward_is_the_tables_entry_to_rounding(x, c):
    """Σ_i c_i ∂s_i/∂x_j from OPS["softmax"] row by row (the scalar namespace) against the group's
    O(k) form, to a few ulps of the size of the terms it sums."""
    from autograd import backends
    xs = [Value(v, label=f"x_{j}") for j, v in enumerate(x)]
    s = autograd.softmax(xs)
    compiled = autograd.compile(autograd.sum([ci * si for ci, si in zip(c, s)]), parameters=xs,
                                reduction="sum")
    compiled.gradient(np.zeros((1, 0)))
    entry = autograd.OPS["softmax"]
    rows = [np.array(entry.derivatives(backends.scalar, si.data, tuple(x), i=i)) for i, si in enumerate(s)]
    want = sum(ci * row for ci, row in zip(c, rows))
    size = sum(abs(ci * row) for ci, row in zip(c, rows))
    got = np.array([compiled.grad[[id(p) for p in compiled.parameters].index(id(v))] for v in xs])
    assert np.all(np.abs(got - want) <= 8 * np.finfo(float).eps * size), (got, want)
    assert compiled.run(np.zeros((1, 0)))[0] == pytest.approx(sum(ci * si.data for ci, si in zip(c, s)), rel=1e-15)


def test_some_rows_of_a_softmax_and_an_output_row_match_the_scalar_engine():
    p, q = Value(0.4, label="p"), Value(-1.3, label="q")

    def build(xs):
        s = autograd.softmax([xs[0] * p, xs[1], xs[2] * q, p + q])
        return (s[0] * 2.0 + s[2].log(), [s[1]])  # rows 0 and 2 on the loss's path, row 1 only an output

    compiled = assert_matches_the_scalar_engine(build, X3, [p, q])
    gradient = compiled.source.split("def gradient")[1].split("def predict")[0]
    assert gradient.count("M.logsumexp(") == 2  # one per group: the rows on the loss's path, the output


# --- the forward passes check what the scalar engine checks, inside the graph too -----------

# f(x) whose intermediate is not finite at x = 0 (log 0, 1/0, ...) and that a later op turns finite
MASKED = {
    "step(log x)": lambda x: x.log().step(),
    "step(sqrt x)": lambda x: (x - 1.0).sqrt().step(),  # nan at x < 1
    "tanh(1/x)": lambda x: (1.0 / x).tanh(),
    "sigmoid(-1/x²)": lambda x: (-1.0 / (x * x)).sigmoid(),
    "exp(-1/x²)": lambda x: (-(1.0 / (x * x))).exp(),
    "expm1(-1/x²)": lambda x: (-(1.0 / (x * x))).expm1(),
    "atan(1/x)": lambda x: (1.0 / x).atan(),
    "relu(-1/x²)": lambda x: (-1.0 / (x * x)).relu(),
    "max(log x, 0)": lambda x: autograd.maximum(x.log(), 0.0),
    "min(1/x², 1)": lambda x: autograd.minimum(1.0 / (x * x), 1.0),
    "2^(-1/x²)": lambda x: 2.0 ** (-1.0 / (x * x)),
    "(1/x²)^-1": lambda x: (1.0 / (x * x)) ** -1,
    "1 / (1/x²)": lambda x: 1.0 / (1.0 / (x * x)),
    "softmax(log x, 0)": lambda x: autograd.softmax([x.log(), 0.0])[1],
    "logsumexp(log x, 0)": lambda x: autograd.logsumexp([x.log(), 0.0]),
}


@pytest.mark.parametrize("name", list(MASKED))
def test_a_value_a_later_op_turns_finite_is_refused_by_run_and_predict_as_the_scalar_engine_does(name):
    f = MASKED[name]
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    out = w * x + f(x)
    program = autograd.compile(out, inputs=[x], parameters=[w], outputs=[out])
    X = np.array([[2.0], [0.0], [3.0], [0.0]])  # example 1 is the first the scalar engine refuses
    with pytest.raises(Exception) as scalar:
        w * Value(0.0, label="x") + f(Value(0.0, label="x"))
    for run in (program.run, program.predict, program):
        with pytest.raises(type(scalar.value)) as batched:
            run(X)
        assert str(batched.value) == f"{scalar.value} (in example 1 of the batch)"
    expected = [(w * Value(v) + f(Value(v))).data for v in (2.0, 3.0)]
    assert program.run(X[[0, 2]]).tolist() == program.predict(X[[0, 2]])[:, 0].tolist() == expected


def test_the_first_example_the_scalar_engine_refuses_is_named_also_when_a_later_one_overflows_visibly():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    out = w * x + x.log().step() + 1.0 / (x - 5.0)  # x = 0: log 0 turned finite by step; x = 5: the output is inf
    program = autograd.compile(out, inputs=[x], parameters=[w], outputs=[out])
    for X, first in (([[1.0], [0.0], [5.0]], "log: .*example 1 of"), ([[1.0], [5.0], [0.0]], "/: .*example 1 of")):
        for run in (program.run, program.predict):
            with pytest.raises((ValueError, ZeroDivisionError), match=first):
                run(np.array(X))
    with pytest.raises(ValueError, match="log: .*example 1 of"):  # gradient's own replay, after its loss
        program.gradient(np.array([[1.0], [0.0], [5.0]]))


def test_only_a_row_that_feeds_the_op_is_checked_and_a_finite_overflowing_sum_is_no_failure():
    # predict reads zeros for the targets in rows it does not return (tanh(w x) and tanh(1/y)
    # are one line): 1/y there is no failure. w x = 1e308 twice: their sum overflows, they do not.
    w, x, y = Value(1.0, label="w"), Value(2.0, label="x"), Value(1.0, label="y")
    a = (w * x).tanh()
    loss = (a - y) ** 2 + (1.0 / y).tanh()
    program = autograd.compile(loss, inputs=[x], targets=[y], parameters=[w], outputs=[a])
    X = np.array([[1e308], [1e308], [1.0]])
    assert program.predict(X)[:, 0].tolist() == [1.0, 1.0, math.tanh(1.0)]
    with pytest.raises(ZeroDivisionError, match="example 1 of the batch"):
        program.run(X, np.array([[1.0], [0.0], [1.0]]))


def test_every_op_the_forward_check_trusts_keeps_a_value_that_is_not_finite_so():
    # Op.keeps_non_finite, read off the table: for each op that has it, an input that is not
    # finite gives an output that is not finite, on the array namespace the program runs,
    # whatever the other inputs; an op that can turn it finite must not have it.
    import itertools

    from autograd.backends import array
    from autograd.ops import OPS
    finite, bad = [0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 1e300, -1e300], [np.inf, -np.inf, np.nan]
    consts = {"**k": [{"k": k} for k in (2.0, -1.0, 0.5, 3.0, 0.0)], "c**y": [{"c": c} for c in (2.0, 0.5, 0.0)],
              "step": [{"threshold": 0.0}], "dot": [{"n": 2}], "dot_data": [{"x": (1.0, 0.0)}],
              "softmax": [{"i": 0}, {"i": 1}]}
    fan_in = {"dot": 5, "dot_data": 3, "sum": 3, "softmax": 2, "logsumexp": 2}
    with np.errstate(all="ignore"):
        for name, op in OPS.items():
            n = fan_in.get(name, len(op.inputs))
            turned_finite = []
            for kept, position, b in itertools.product(consts.get(name, [{}]), range(n), bad):
                for others in itertools.product(finite, repeat=n - 1):
                    numbers = [*others[:position], b, *others[position:]]
                    if op.variadic:
                        out = op.forward(array, np.array(numbers)[:, None, None], **kept)
                    else:
                        out = op.forward(array, *(np.array([[v]]) for v in numbers), **kept)
                    if np.isfinite(out).all():
                        turned_finite.append(numbers)
            assert op.keeps_non_finite == (not turned_finite), (name, turned_finite[:3])


# --- parameters, the replay, the pair (loss, outputs), no_grad, leaves, the namespace ----------

def test_the_replay_of_a_failing_batch_takes_the_inputs_as_constants_and_names_the_right_example():
    # (w - 3)^k with k an input column: ∂/∂k = (w-3)^k ln(w-3) is nan, but k is data, as in torch:
    # only example 1's ∂√(w x)/∂(w x) at 0 fails, as the scalar engine says for that example.
    w, x, k = Value(1.0, label="w"), Value(1.0, label="x"), Value(2.0, label="k")
    program = autograd.compile((w - 3.0) ** k + (w * x).sqrt(), inputs=[x, k], parameters=[w])
    assert program.gradient(np.array([[1.0, 2.0]])) == 5.0 and program.grad.tolist() == [-3.5]
    w1, x1, k1 = Value(1.0, label="w"), Value(0.0, label="x", requires_grad=False), Value(2.0, label="k", requires_grad=False)
    with pytest.raises(FloatingPointError) as scalar:
        autograd.grad((w1 - 3.0) ** k1 + (w1 * x1).sqrt(), [w1])
    with pytest.raises(FloatingPointError) as batched:
        program.gradient(np.array([[1.0, 2.0], [0.0, 2.0]]))
    assert str(batched.value) == f"{scalar.value} (in example 1 of the batch)"


def test_the_compile_time_check_compares_gradients_where_one_toward_an_input_is_not_finite(monkeypatch):
    # The check's scalar gradients hold the example's numbers as constants: ∂/∂k of (w-3)^k
    # (nan) used to stop the scalar engine, and then no gradient was compared at all.
    _gradients_made_wrong_at(monkeypatch, 0)
    w, k = Value(1.0, label="w"), Value(2.0, label="k")
    with pytest.raises(RuntimeError, match=r"internal error: the compiled gradient at node 'w'"):
        autograd.compile((w - 3.0) ** k, inputs=[k], parameters=[w])
    with pytest.raises(RuntimeError, match=r"internal error: the compiled gradient at node 'w'"):
        autograd.compile(lambda xs: (w - 3.0) ** xs[0], examples=np.array([[2.0], [3.0]]), parameters=[w])


@pytest.mark.parametrize("as_list", [False, True])
def test_a_pair_of_the_loss_and_one_output_value_is_a_loss_with_outputs(as_list):
    w, b = Value(0.5, label="w"), Value(0.1, label="b")

    def cost(xs, ys):
        out = (w * xs[0] + b).tanh()
        return (out - ys[0]) ** 2, [out] if as_list else out

    X, Y = np.array([[1.0], [-2.0], [0.5]]), np.array([[0.5], [0.0], [1.0]])
    program = autograd.compile(cost, examples=(X, Y), parameters=[w, b])
    outs = np.tanh(0.5 * X[:, 0] + 0.1)
    assert_close(program.predict(X)[:, 0], outs)
    assert_close(program.run(X, Y), (outs - Y[:, 0]) ** 2)
    assert program.gradient(X, Y) == pytest.approx(np.mean((outs - Y[:, 0]) ** 2), rel=1e-12)


def test_compile_records_under_no_grad_too():
    w = Value(0.5, label="w")
    X = np.array([[1.0, 2.0], [-1.0, 0.5]])
    with autograd.no_grad():
        program = autograd.compile(lambda xs: (w * xs[0] + xs[1]).tanh(), examples=X, parameters=[w])
        assert_close(program.run(X), np.tanh(0.5 * X[:, 0] + X[:, 1]))
        assert program.gradient(X) == pytest.approx(np.mean(np.tanh(0.5 * X[:, 0] + X[:, 1])))
    with pytest.raises(ValueError, match="is a leaf .*no_grad"):  # build's own no_grad still makes no graph
        autograd.compile(autograd.no_grad(lambda xs: (w * xs[0]).tanh()), examples=X, parameters=[w])


def test_a_forward_only_program_may_return_inputs_and_parameters_and_a_loss_leaf_is_named():
    w, x, y = Value(0.5, label="w"), Value(1.0, label="x"), Value(0.5, label="y")
    a = (w * x).tanh()
    X = np.array([[1.0], [2.0], [3.0]])
    assert_close(autograd.compile([a, x, w], inputs=[x], parameters=[w]).run(X),
                 [[math.tanh(0.5 * v), v, 0.5] for v in (1.0, 2.0, 3.0)])
    assert autograd.compile([x], inputs=[x], parameters=[w]).run(X).tolist() == [1.0, 2.0, 3.0]
    assert autograd.compile(lambda xs: [xs[0], w * xs[0]], examples=X).run(X).tolist() == \
        [[1.0, 0.5], [2.0, 1.0], [3.0, 1.5]]
    for loss, role in ((x, "input column 0"), (y, "target 0"), (w, "parameter 0")):
        with pytest.raises(ValueError, match=f"the loss .* is {role} itself, a leaf"):
            autograd.compile(loss, inputs=[x], targets=[y], parameters=[w])
    with pytest.raises(ValueError, match="the loss .* is input column 1 itself"):
        autograd.compile(lambda xs: xs[1], examples=np.ones((2, 2)))
    with pytest.raises(ValueError, match="is a leaf and a constant .*no_grad"):
        autograd.compile([a, Value(2.0)], inputs=[x], parameters=[w])


def test_the_source_runs_on_its_own_in_the_programs_namespace():
    rng = np.random.default_rng(3)
    ws = [[Value(float(v), label=f"w(2)_{j},{k}") for k, v in enumerate(rng.normal(size=3), 1)] for j in (1, 2, 3, 4)]
    bs = [Value(float(v), label=f"b(2)_{j}") for j, v in enumerate(rng.normal(size=4), 1)]
    vs = [Value(float(v), label=f"v_{j}") for j, v in enumerate(rng.normal(size=4), 1)]

    def cost(xs, ys):
        a = [autograd.dot(w, xs, b_).sigmoid() for w, b_ in zip(ws, bs)]
        out = autograd.dot(vs, a).tanh() * 3.0
        return (out - ys[0]) ** 2, [out]

    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    program = autograd.compile(cost, examples=(X, Y), parameters=[p for w in ws for p in w] + bs + vs)
    assert "W2" in program.source and "W2" in program.namespace  # a layer's view of θ
    functions = dict(program.namespace)
    exec(program.source, functions)
    expected_losses, expected_outputs = program.run(X, Y), program.predict(X)
    expected_loss = program.gradient(X, Y)
    expected_grad = program.grad.copy()
    program.grad.fill(0.0)
    loss, _ = functions["gradient"](X.T, Y.T, np.full((1, 5), 0.2), 5)
    assert loss / 5 == expected_loss and program.grad.tolist() == expected_grad.tolist()
    assert functions["run"](X.T, Y.T)[0][0].tolist() == expected_losses.tolist()
    assert functions["predict"](X.T).T.tolist() == expected_outputs.tolist()
    program.namespace["theta"] = None  # a new dict each time: the program's own is untouched
    assert program.namespace["theta"] is program.theta


def test_an_ill_conditioned_graph_is_no_internal_error():
    # cos of a large number, built from expm1 and **: numpy's expm1 is one ulp from libm's, and the
    # gradient, whose sin turns with the argument's last bits, moves by 1e-6 relative. That is
    # rounding (the scalar engine moves as much when θ moves by 4 ulps), not a wrong program.
    p = Value(1.615, label="p")

    def cost(xs):
        n0 = xs[0] + p
        n1 = (n0.tanh() * 5.0).expm1()
        n2 = (n1 * n1 + 0.5) ** (n0.tanh() * 2.0)
        return autograd.sum([n1, n2, n2.cos()])

    X = np.array([[0.01], [0.02], [0.03], [0.04]])
    program = autograd.compile(cost, examples=X, parameters=[p])
    program.gradient(X)
    expected = np.mean([autograd.grad(cost([Value(x)]), [p])[0] for x in X[:, 0]])
    assert program.grad[0] == pytest.approx(expected, rel=1e-5)


def test_compile_names_parameters_that_are_a_model_or_a_number_and_counts_in_words():
    import nn
    model = nn.MLP(2, [2, 1], seed=0)
    X = np.array([[0.1, 0.2], [0.3, 0.4]])
    for bad in (model, 3):
        with pytest.raises(TypeError, match=r"compile parameters: expected a list of Values"):
            autograd.compile(lambda xs: model(xs), examples=X, parameters=bad)
    program = autograd.compile(lambda xs: model(xs), examples=X, parameters=model.parameters())
    assert repr(program).endswith(f"{len(model.parameters())} parameters, 2 inputs, 0 targets>")


def _exp_of_w_x(w):
    return lambda xs, ys: ((w * xs[0]).exp() - ys[0]) ** 2


@pytest.mark.parametrize("row", [0, 1, 19])  # the rows compile records on: the first, the second, the last
def test_an_op_failing_on_a_recorded_example_names_its_row_of_x(row):
    w = Value(1.0, label="w")
    X, Y = np.linspace(0.1, 1.0, 20).reshape(-1, 1), np.zeros(20)
    X[row, 0] = 800.0
    with pytest.raises(OverflowError) as error:
        autograd.compile(_exp_of_w_x(w), examples=(X, Y), parameters=[w])
    assert str(error.value).endswith(f"inputs: 800 (in row {row} of X, recording the graph)"), str(error.value)
    assert error.value.example == row and error.value.reason.startswith("exp: exp overflows")
    X[row, 0] = -1.0  # a domain error is named the same way
    with pytest.raises(ValueError, match=rf"^log: .*\(in row {row} of X, recording the graph\)$") as error:
        autograd.compile(lambda xs: (w * xs[0]).log(), examples=X, parameters=[w])
    assert error.value.example == row


def test_a_number_taken_out_while_recording_still_says_the_structure_depends_on_the_data():
    with pytest.raises(GraphStructureError) as error:
        autograd.compile(lambda xs: xs[0] if xs[0] > 0 else -xs[0], examples=np.ones((3, 1)))
    assert getattr(error.value, "example", None) is None and "in row" not in str(error.value)


@pytest.mark.parametrize("empty", [[], (), np.zeros((3, 0))])
def test_a_program_without_targets_takes_empty_targets_as_none(empty):
    w = Value(0.5, label="w")
    X = np.array([[1.0], [2.0], [3.0]])
    program = autograd.compile(lambda xs: (w * xs[0]) ** 2, examples=X, parameters=[w])
    assert program.run(X, empty).tolist() == program.run(X).tolist() == [0.25, 1.0, 2.25]
    assert program.gradient(X, empty) == program.gradient(X)
    with pytest.raises(ValueError, match="no target placeholders, but targets were given"):
        program.run(X, [[1.0], [2.0], [3.0]])


def test_examples_as_a_list_of_x_and_y_is_refused_naming_the_tuple():
    w = [Value(0.5, label="w1"), Value(-0.2, label="w2")]
    X, Y = np.ones((5, 2)), np.zeros((5, 1))
    build = lambda xs, ys: (autograd.dot(w, xs) - ys[0]) ** 2  # noqa: E731
    for examples in ([X, Y], [X, X], [X, [[1.0, 2.0], [3.0]]]):  # X, X: an (X, Y) too, and no rows
        with pytest.raises(TypeError, match=r"^compile examples: got a list of 2 entries.*the tuple \(X, Y\): "
                                            r"examples=\(X, Y\)$"):
            autograd.compile(build, examples=examples, parameters=w)
    program = autograd.compile(build, examples=(X, Y), parameters=w)
    assert np.allclose(program.run(X, Y), 0.09)
    # a list of two rows of one width is an X of two examples, as ever
    forward = autograd.compile(lambda xs: autograd.dot(w, xs), examples=[[1.0, 2.0], [3.0, 4.0]], parameters=w)
    assert np.allclose(forward.run([[1.0, 2.0], [3.0, 4.0]]), [0.1, 0.7])
    with pytest.raises(ValueError, match="^examples \\(inputs\\): expected a 2-d array .*rows of different lengths"):
        autograd.compile(lambda xs: autograd.dot(w, xs), examples=[[1.0, 2.0], [3.0, 4.0], [5.0]], parameters=w)


def test_a_shared_leaf_that_requires_grad_left_out_of_parameters_warns_by_name():
    from autograd.compiled import ConstantLeafWarning
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    X, Y = np.array([[1.0], [2.0]]), np.zeros((2, 1))
    with pytest.warns(ConstantLeafWarning, match=r"compiled as constants: 'b' \(data 0.1\)\. Each is the same "
                                                 r"Value in every recording but not in parameters=.*"
                                                 r"pass them in parameters=.*requires_grad = False"):
        autograd.compile(lambda xs, ys: (w * xs[0] + b - ys[0]) ** 2, examples=(X, Y), parameters=[w])
    frozen = Value(0.1, label="b", requires_grad=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConstantLeafWarning)
        # named, inferred (parameters=None), fresh on each call, or meant as constants: no warning
        for build, parameters in [(lambda xs, ys: (w * xs[0] + b - ys[0]) ** 2, [w, b]),
                                  (lambda xs, ys: (w * xs[0] + b - ys[0]) ** 2, None),
                                  (lambda xs, ys: (w * xs[0] + Value(0.1) - ys[0]) ** 2, [w]),
                                  (lambda xs, ys: (w * xs[0] + frozen - ys[0]) ** 2, [w]),
                                  (lambda xs, ys: (w * xs[0] + b.detach() - ys[0]) ** 2, [w])]:
            autograd.compile(build, examples=(X, Y), parameters=parameters)


def test_a_forgotten_targets_in_a_recorded_graph_warns_naming_the_placeholders():
    from autograd.compiled import ConstantLeafWarning
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    xs, ys = [Value(0.0, label="x")], [Value(0.0, label="y")]
    loss = (w * xs[0] + b - ys[0]) ** 2
    with pytest.warns(ConstantLeafWarning, match=r"compiled as constants: 'y' \(data 0\)\. Each is in none of "
                                                 r"inputs=, targets= and parameters="):
        autograd.compile(loss, inputs=xs, parameters=[w, b])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConstantLeafWarning)
        autograd.compile(loss, inputs=xs, targets=ys, parameters=[w, b])
        autograd.compile(w * xs[0] + Value(2.0, requires_grad=False), inputs=xs, parameters=[w])


# --- the source's comments: each is true of its own line, in the line's names ----------------

def _pythonic(formula):
    """A comment's formula as numpy Python: juxtaposition is a product, x² a power, Σ_j t[j]
    a sum over the rows (the formula's last term), a free index [i] every row."""
    text = formula.replace("·", " ").replace("²", "**2").replace("^", "**").replace("σ", "sigmoid")
    text = re.sub(r"\bln\b", "log", text)
    text = re.sub(r"Σ_(\w) (.+)$", r"sumrows(\2)", text)
    text = re.sub(r"\blog sumrows\((.+)$", r"log(sumrows(\1)", text)
    text = re.sub(r"\b(tanh|log) (\w+(?:\[[^\]]*\])?)", r"\1(\2)", text)
    text = re.sub(r"^(\S+) if (.+) else (\S+)$", r"where(\2, \1, \3)", text)
    text = re.sub(r"\[[ijk]\]", "", text)
    text = re.sub(r"(?<=[\w\])]) (?=[\w(])", "*", text)
    text = re.sub(r"(?<=\d)(?=[a-z(])|(?<=[)\]])(?=[\w(])", "*", text)
    return text


def _evaluate(formula, names):
    from autograd.backends import array
    env = {"e": np.e, "sigmoid": array.sigmoid, "tanh": np.tanh, "log": np.log, "max": np.maximum,
           "where": np.where, "sumrows": lambda v: np.sum(v, axis=0), **names}
    return eval(_pythonic(formula), env)


def _same(got, want):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    got, want = got.reshape(-1, got.shape[-1]), want.reshape(-1, want.shape[-1])
    np.testing.assert_allclose(*np.broadcast_arrays(got, want), rtol=1e-9, atol=1e-12)


# Comments that are not an equation of the line's names: the layer's (the notes' own names), the
# seed's, the loss's Σ over the batch, an n-ary dot as the table writes it, logsumexp's bound.
_NOT_EVALUATED = re.compile(r"^(z = W a \+ b|∂C/∂[Wab] = |∂C/∂\w+\(i\) for each|Σ over the batch|"
                            r"\w+ = dot\(\w+\): the table's|top_\w+ = ln Σ)")


def _check_comments(program, X, Y):
    """Run gradient()'s body line by line and check each comment against the numbers there:
    `t = f` holds for t; `∂A/∂B = f` is the factor of the line's contribution d_A · f to d_B (or to
    ∇θ where B is a parameter's view of θ). Returns how many comments were checked."""
    body = program.source.split("def gradient(x, y, seed, batch):\n")[1].split("\n\n")[0].splitlines()
    ns = {**program.namespace, "x": X.T, "y": Y.T, "seed": np.full((1, len(X)), 1 / len(X)), "batch": len(X)}
    grad, theta, checked = ns["grad"], ns["theta"], 0
    for line in (line.strip() for line in body if line.strip()):
        code, _, comment = line.partition("  # ")
        if code.startswith("return"):
            break
        before = {k: np.array(v, copy=True) for k, v in ns.items() if k.startswith("d_")}
        grad_before = grad.copy()
        exec(code, ns)
        if not comment or _NOT_EVALUATED.match(comment) or "Σ_(" in comment:
            continue
        comment = re.sub(r"   \(.*\)$", "", comment).split("  (")[0]
        derivative = re.match(r"∂(\w+)/∂(\w+)(?:\[[\w:]+\])? = (.+)$", comment)
        if derivative:
            A, B, forms = derivative.group(1), derivative.group(2), derivative.group(3).split(" = ")
            assert f"d_{A}" in code, line
            target = re.match(r"(d_\w+|grad)\b", code).group(1)
            if target == "grad":
                rows_ = slice(*map(int, re.match(r"grad\[(\d+):(\d+)\]", code).groups()))
                view = ns[B]
                assert np.shares_memory(view, theta) and view.ctypes.data == theta[rows_].ctypes.data, line
                got = grad[rows_] - (grad_before[rows_] if "+=" in code else 0.0)
                for form in forms:
                    _same(got, np.add.reduce(ns[f"d_{A}"] * _evaluate(form, ns), axis=1))
            else:
                assert target == f"d_{B}", line
                added = f"= {target} + " in code or "+=" in code
                got = ns[target] - (before[target] if added else 0.0)
                rows_ = re.match(r"d_\w+\[(\d+):(\d+)\]", code)
                got = got[slice(*map(int, rows_.groups()))] if rows_ else got
                for form in forms:
                    _same(got, ns[f"d_{A}"] * _evaluate(form, ns))
        else:
            name = re.match(r"(\w+) = ", code).group(1)
            statement = re.split(r", (?:each|about|so) ", comment.split(": ")[-1])[0]
            left, *forms = statement.split(" = ")
            assert re.sub(r"\[\w\]$", "", left) == name, line
            for form in forms:
                _same(ns[name], _evaluate(form, ns))
        checked += 1
    return checked


def _neuron():  # note 001: z = w x + b, C = (z - y)²
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    x, y = Value(0.0, label="x"), Value(0.0, label="y")
    z = w * x + b
    z.label = "z"
    C = (z - y) ** 2
    C.label = "C"
    return autograd.compile(C, inputs=[x], targets=[y], parameters=[w, b], outputs=[z])


def _logistic_regression():
    w = [Value(0.3, label="w_1"), Value(-0.2, label="w_2")]
    b = Value(0.1, label="b")

    def build(xs, ys):
        p = (xs[0] * w[0] + xs[1] * w[1] + b).sigmoid()
        return -(ys[0] * p.log() + (1.0 - ys[0]) * (1.0 - p).log()), p

    rng = np.random.default_rng(2)
    return autograd.compile(build, examples=(rng.normal(size=(4, 2)), np.array([[0.0], [1.0], [1.0], [0.0]])),
                            parameters=w + [b])


def _mlp(activation, loss, output_activation=None, classes=1):
    import nn
    model = nn.MLP(3, [4, classes], activation=activation, output_activation=output_activation, seed=1)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 3))
    Y = np.eye(classes)[rng.integers(0, classes, 5)] if classes > 1 else rng.normal(size=(5, 1))

    def build(xs, ys):
        outputs = model(xs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        return loss.function(outputs, ys if classes > 1 or loss in (nn.mse, nn.sse) else ys[0]), outputs

    return autograd.compile(build, examples=(X, Y), parameters=model.parameters())


def _programs():
    import nn
    return {"neuron": _neuron, "logistic regression": _logistic_regression,
            "sigmoid mse": lambda: _mlp("sigmoid", nn.mse), "tanh sse": lambda: _mlp("tanh", nn.sse),
            "relu mse": lambda: _mlp("relu", nn.mse),
            "softmax cross entropy": lambda: _mlp("tanh", nn.cross_entropy, classes=3),
            "softmax sse": lambda: _mlp("sigmoid", nn.sse, "softmax", classes=3),
            "sigmoid bce": lambda: _mlp("relu", nn.bce, "sigmoid")}


@pytest.mark.parametrize("model", list(_programs()))
def test_every_comment_of_the_source_holds_for_its_own_line_in_its_own_names(model):
    program = _programs()[model]()
    rng = np.random.default_rng(7)
    X = rng.normal(size=(6, len(program.inputs)))
    Y = rng.integers(0, 2, size=(6, len(program.targets))).astype(float)
    if model.startswith("softmax"):
        Y = np.eye(len(program.targets))[rng.integers(0, len(program.targets), 6)]
    gradient = program.source.split("def gradient")[1].split("\n\n")[0]
    comments = [line.split("  # ", 1)[1] for line in gradient.splitlines() if "  # " in line]
    evaluable = [c for c in comments if not _NOT_EVALUATED.match(c) and "Σ_(" not in c]
    assert len(evaluable) >= 6 and _check_comments(program, X, Y) == len(evaluable)


def test_a_labelled_scalar_parameter_is_named_by_its_label_and_the_source_runs_as_printed():
    program = _neuron()
    gradient = program.source.split("def gradient")[1].split("def predict")[0]
    assert "    t1 = w * x  # t1 = w x\n" in gradient and "    z = t1 + b  # z = t1 + b\n" in gradient
    assert "theta[" not in "".join(line.split("  #")[0] for line in program.source.splitlines())
    assert "grad[0:1] = np.add.reduce(d_t1 * x, axis=1)  # ∂t1/∂w = x" in gradient
    X, Y = np.array([[0.5], [1.5], [-2.0]]), np.array([[1.0], [0.0], [2.0]])
    functions = dict(program.namespace)
    exec(program.source, functions)
    program.theta[:] = [0.7, -0.4]  # the names are views of θ: they follow it
    expected_losses, expected_outputs, expected_loss = program.run(X, Y), program.predict(X), program.gradient(X, Y)
    expected_grad = program.grad.copy()
    program.grad.fill(0.0)
    loss, _ = functions["gradient"](X.T, Y.T, np.full((1, 3), 1 / 3), 3)
    assert loss / 3 == expected_loss and program.grad.tolist() == expected_grad.tolist()
    assert functions["run"](X.T, Y.T)[0][0].tolist() == expected_losses.tolist()
    assert functions["predict"](X.T).T.tolist() == expected_outputs.tolist()


@pytest.mark.parametrize("label", ["x", "y", "theta", "t1", "z", "lambda", "a b", "", "ｗ", "w_1"])
def test_a_parameter_whose_label_clashes_or_is_no_identifier_still_compiles_to_the_right_numbers(label):
    p, q = Value(0.3, label=label), Value(-0.6, label="q")

    def build(xs):
        t = xs[0] * p + xs[1]
        t.label = "z"
        return (t * q).tanh() + xs[2] * p

    compiled = assert_matches_the_scalar_engine(build, X3, [p, q])
    functions = dict(compiled.namespace)
    exec(compiled.source, functions)
    assert functions["run"](X3.T, np.zeros((0, 4)))[0][0].tolist() == compiled.run(X3).tolist()


def test_the_sum_of_squares_loss_says_what_its_squares_are():
    import nn
    program = _mlp("sigmoid", nn.sse, classes=3)
    gradient = program.source.split("def gradient")[1].split("def predict")[0]
    x = re.search(r"loss = np\.vdot\((\w+), \1\)  # Σ over the batch of C\(i\) = Σ_j \1\[j\]²", gradient).group(1)
    assert f"    d_{x} = d_C * (2.0 * {x})  # ∂C/∂{x} = 2·{x}  (C = Σ_j {x}[j]²: its Σ and squares in one line)\n" in gradient


@pytest.mark.parametrize("k", [0.5, 1 / 3, 2.0])
def test_a_constant_times_a_sum_of_squares_is_one_dot_product_and_one_line_of_backward(k):
    """The notes' C = ½‖a - y‖² (k = ½) reads ∂C/∂t1 = t1, t1 = a - y: BP1's first factor."""
    import nn
    half = nn.Loss("half_sse", lambda outputs, ys: k * nn.sse.function(outputs, ys), nn.targets.REAL)
    program, scalar = _mlp("sigmoid", half, classes=3), _mlp("sigmoid", half, classes=3)
    gradient = program.source.split("def gradient")[1].split("def predict")[0]
    x = re.search(rf"loss = {re.escape(repr(k))} \* np\.vdot\((\w+), \1\)", gradient).group(1)
    factor = "" if k == 0.5 else f"{2 * k!r} * "
    assert f"    d_{x} = d_C * {'(' + factor if factor else ''}{x}{')' if factor else ''}  # ∂C/∂{x} = 2·{k:g}·{x} = " in gradient
    assert "**" not in gradient.split("loss =")[0].split(f"{x} = ")[-1]  # the squares are not computed
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(7, 3)), np.eye(3)[rng.integers(0, 3, 7)]
    loss = program.gradient(X, Y)
    expected, grads = _scalar_mean(scalar, X, Y)
    assert loss == pytest.approx(expected, rel=1e-13)
    np.testing.assert_allclose(program.grad, grads, rtol=1e-12, atol=1e-15)


def _scalar_mean(program, X, Y):
    """The batch's mean loss and ∇θ from the scalar engine, example by example (the program's own replay)."""
    losses, grads = [], np.zeros(len(program.parameters))
    for example in range(len(X)):
        mapped, per_example = program._replay(example, X, Y, backward=True)
        losses.append(mapped[program.roots[0]].data)
        grads += np.array([per_example.get(mapped[p], 0.0) for p in program.parameters]) / len(X)
    return sum(losses) / len(X), grads


def test_squares_that_an_output_reads_too_are_still_one_line_of_backward():
    # an output reads the first square: it gets no gradient, so the squares need no δ of their own
    w = Value(0.5, label="w")

    def build(xs, ys):
        squares = [(w * xs[0] + 1.0) ** 2, (w * xs[1] + 1.0) ** 2]
        return 0.5 * autograd.sum(squares), [squares[0] * 3.0]

    X, Y = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]]), None
    program = autograd.compile(lambda xs: build(xs, None), examples=X, parameters=[w])
    gradient = program.source.split("def gradient")[1].split("def predict")[0]
    assert "d_C * 0.5" not in gradient and re.search(r"loss = 0\.5 \* np\.vdot\((\w+), \1\)", gradient)
    assert re.search(r"    d_(\w+) = d_C \* \1  # ∂C/∂\1 = 2·0\.5·\1 = \1  ", gradient)
    loss = program.gradient(X, Y)
    expected, grads = _scalar_mean(program, X, Y)
    assert loss == pytest.approx(expected, rel=1e-13) and program.grad.tolist() == pytest.approx(grads.tolist(), rel=1e-13)


@pytest.mark.parametrize("bad, error, says", [("0.5", TypeError, "expected a real number"),
                                               (float("inf"), ValueError, "expected a finite number"),
                                               (10 ** 400, ValueError, "expected a finite number, got an int too large")])
def test_a_parameter_set_by_hand_to_no_finite_number_is_named_when_the_program_reads_it(bad, error, says):
    """numpy parsed a str .data ("0.5") into θ, and kept an inf, where the scalar engine refuses both."""
    w = Value(1.0, label="w")
    x = Value(0.0, label="x")
    program = autograd.compile((w * x) ** 2, inputs=[x], parameters=[w])
    w.data = bad
    with pytest.raises(error, match=rf"^compiled program: parameter 'w' \(its \.data, set by hand\): {says}"):
        program.backward(np.array([[1.0]]))
    assert w.grad == 0.0


def test_program_backward_create_graph_is_a_flag():
    w, x = Value(1.0, label="w"), Value(0.0, label="x")
    program = autograd.compile((w * x) ** 2, inputs=[x], parameters=[w])
    with pytest.raises(TypeError, match="create_graph: expected True or False"):
        program.backward(np.array([[1.0]]), create_graph=0)


def test_gradient_may_leave_the_check_of_its_gradient_to_the_caller_who_asks_for_the_explanation():
    # C = √(w x) at x = 0: √0 is fine, ∂C/∂w = x / (2√(w x)) is 0/0 there. nn.fit checks θ after
    # the step instead (θ - η·nan is nan) and asks the scalar engine to name the node then.
    w = Value(0.5, label="w")
    program = autograd.compile(lambda xs: (w * xs[0]).sqrt(), examples=np.array([[1.0], [2.0]]), parameters=[w])
    X = np.array([[1.0], [0.0]])
    with pytest.raises(FloatingPointError, match=r"local derivative at node .*sqrt.* \(in example 1 of the batch\)"):
        program.gradient(X)
    with np.errstate(all="ignore"):
        loss = program.gradient(X, check_gradient=False)
    assert loss == pytest.approx(np.sqrt(0.5) / 2) and not np.isfinite(program.grad).all()
    with pytest.raises(FloatingPointError, match=r"local derivative at node .*sqrt.* \(in example 1 of the batch\)"):
        program.explain_gradient(X)
    assert program.explain_gradient(np.array([[1.0], [4.0]])) == pytest.approx((np.sqrt(0.5) + np.sqrt(2.0)) / 2)
    assert program.grad.tolist() == pytest.approx([(1 / (2 * np.sqrt(0.5)) + 4 / (2 * np.sqrt(2.0))) / 2])


def test_a_constant_so_large_that_twice_it_overflows_keeps_the_sums_own_lines():
    w = Value(0.5, label="w")
    program = autograd.compile(lambda xs: 1.5e308 * autograd.sum([(w * xs[0]) ** 2, (w * xs[1]) ** 2]),
                               examples=np.array([[1e-160, 2e-160], [0.0, 1e-160]]), parameters=[w])
    X = np.array([[1e-160, 2e-160]])
    loss = program.gradient(X)
    expected, grads = _scalar_mean(program, X, None)
    assert loss == pytest.approx(expected, rel=1e-13) and program.grad.tolist() == pytest.approx(grads.tolist(), rel=1e-13)
