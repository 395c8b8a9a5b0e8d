"""Higher-order reverse mode (`autograd.higher`): grad of grad, hessian, hvp, backward(create_graph=True).

Against PyTorch float64 (`torch.autograd.grad(create_graph=True)`) on random graphs that use
every op of the table, to first, second and third order; against central differences of the
engine's own lower-order gradient; and against hand formulas.

Tolerance against torch: |ours - torch| <= 1e-9 · (1 + max |torch| over the gradient vector)
+ 1e-13 · (the largest |value| of any node of our recorded backward graph). Both evaluate the
same formulas, but some in different orders (torch's sigmoid backward is g(1 - σ)σ, ours
g·σ(1 - σ)), so they agree to rounding: third derivatives of a graph of five steps add up a
few hundred such products, and where the graph cancels two large branches the rounding is
relative to those branches.
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value
from tests.autograd.graphs import build, graphs, mirror
from tests.support import require_torch

TORCH_TOLERANCE = 1e-9
CANCELLATION = 1e-13  # times the largest intermediate term: a few hundred roundings of it


def _built(recipe):
    """The recipe's graph at its own inputs, or a rejected example if a step left the domain."""
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(recipe[0])]
    try:
        return leaves, build(recipe, leaves)
    except (ValueError, ArithmeticError):
        assume(False)


def _torch_grads(torch, output, inputs, create_graph):
    """torch.autograd.grad, with 0 for an input the output does not reach (as the engine gives)."""
    if not output.requires_grad:
        return [torch.zeros((), dtype=torch.float64) for _ in inputs]
    grads = torch.autograd.grad(output, inputs, create_graph=create_graph, allow_unused=True)
    return [torch.zeros((), dtype=torch.float64) if g is None else g for g in grads]


def _our_grads(output, inputs, create_graph):
    """autograd.grad, with 0 for an output that does not require grad (a constant gradient of
    the order below): both engines raise RuntimeError there, so both sides give 0 alike."""
    if not output.requires_grad:
        return [Value(0.0, requires_grad=False) if create_graph else 0.0 for _ in inputs]
    return autograd.grad(output, inputs, create_graph=create_graph)


def _weighted(terms, weights):
    """Σ_i c_i g_i, left to right (the same order in both engines)."""
    total = terms[0] * weights[0]
    for term, weight in zip(terms[1:], weights[1:]):
        total = total + term * weight
    return total


def _torch_masks_a_power(output):
    """True when a node x ** y has y = 0 exactly: there torch sets ∂(x^y)/∂x to a constant 0
    (masked_fill), which loses ∂²(x^y)/∂x∂y = x^(y-1) = 1/x; the engine keeps the true value
    (test_power_mixed_derivative_at_exponent_zero)."""
    return any(node.op == "**" and node.parents[1].data == 0.0 for node in autograd.topological_order(output))


def _largest_term(values):
    """The largest |data| of any node that went into these gradients: where a graph cancels two
    large branches, rounding is relative to them, not to the small result."""
    return max((abs(node.data) for g in values if isinstance(g, Value) for node in autograd.topological_order(g)),
               default=0.0)


def _assert_close(ours, theirs, what, largest_term=0.0):
    theirs = [float(t.detach()) for t in theirs]
    tolerance = TORCH_TOLERANCE * (1.0 + max(abs(t) for t in theirs)) + CANCELLATION * largest_term
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert abs(a - b) <= tolerance, f"{what}, input {i}: tracegrad {a!r}, torch {b!r}"


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=25)
@given(data=st.data())
def test_first_second_and_third_order_match_torch(name, data):
    require_torch()
    import torch

    recipe = data.draw(graphs(must_use=name), label="graph")
    leaves, output = _built(recipe)
    weights = data.draw(st.lists(st.floats(-2.0, 2.0), min_size=2 * len(leaves), max_size=2 * len(leaves)),
                        label="weights")
    assume(not _torch_masks_a_power(output))
    tensors = [torch.tensor(x.data, dtype=torch.float64, requires_grad=True) for x in leaves]
    mirrored = mirror(torch, output, leaves, tensors)
    theirs = mirrored[output]
    assert math.isclose(output.data, float(theirs.detach()), rel_tol=1e-12, abs_tol=1e-12), "the forward values differ"

    ours_first = autograd.grad(output, leaves, create_graph=True)
    theirs_first = _torch_grads(torch, theirs, tensors, create_graph=True)
    _assert_close([g.data for g in ours_first], theirs_first, f"first order of {recipe}", _largest_term(ours_first))

    # second order: the gradient of c · ∇f, which is H c; third: of d · (H c)
    c, d = weights[:len(leaves)], weights[len(leaves):]
    ours_second = _our_grads(_weighted(ours_first, c), leaves, create_graph=True)
    theirs_second = _torch_grads(torch, _weighted(theirs_first, c), tensors, create_graph=True)
    _assert_close([g.data for g in ours_second], theirs_second, f"second order of {recipe}",
                  _largest_term(ours_second))

    ours_third = _our_grads(_weighted(ours_second, d), leaves, create_graph=True)
    theirs_third = _torch_grads(torch, _weighted(theirs_second, d), tensors, create_graph=False)
    _assert_close([g.data for g in ours_third], theirs_third, f"third order of {recipe}", _largest_term(ours_third))


@pytest.mark.parametrize("name", sorted(OPS))
@settings(max_examples=20)
@given(data=st.data())
def test_hessian_matches_central_differences_of_the_gradient(name, data):
    """∂/∂x_j of the engine's own first-order ∂f/∂x_i, numerically: the recorded backward
    pass is right without any outside reference."""
    recipe = data.draw(graphs(must_use=name, max_steps=3), label="graph")
    leaves, output = _built(recipe)
    assume(not _near_a_kink(output))
    hessian = autograd.hessian(lambda *xs: build(recipe, xs), recipe[0])
    eps = 1e-6
    for j in range(len(leaves)):
        plus, minus = list(recipe[0]), list(recipe[0])
        plus[j] += eps
        minus[j] -= eps
        up, down = _first_order(recipe, plus), _first_order(recipe, minus)
        for i in range(len(leaves)):
            numeric = (up[i] - down[i]) / (2 * eps)
            assert math.isclose(hessian[i][j], numeric, rel_tol=1e-5, abs_tol=1e-5), (
                f"H[{i}][{j}] of {recipe}: engine {hessian[i][j]}, numeric {numeric}")


def _near_a_kink(output, margin=1e-3):
    """True when a node with a kink (relu, abs, step, maximum, ...) has its input within
    `margin` of it: a central difference across a kink measures the jump, not a derivative."""
    for node in autograd.topological_order(output):
        op = OPS.get(node.op)
        if op is not None and op.kink_at is not None:
            at = op.kink_at(**(node.consts or {}))
            where = op.kink_of(*(p.data for p in node.parents)) if op.kink_of else node.parents[0].data
            if abs(where - at) < margin:
                return True
    return False


def _first_order(recipe, point):
    leaves = [Value(x) for x in point]
    try:
        output = build(recipe, leaves)
    except (ValueError, ArithmeticError):
        assume(False)
    return autograd.grad(output, leaves)


# --- hand formulas ---------------------------------------------------------------------

def test_second_and_third_derivative_of_sin_x_times_x():
    x = Value(0.5)
    (first,) = autograd.grad([x.sin() * x][0], [x], create_graph=True)
    second = autograd.grad(first, x, create_graph=True)
    third = autograd.grad(second, x)
    assert first.data == pytest.approx(math.cos(0.5) * 0.5 + math.sin(0.5), rel=1e-15)
    assert second.data == pytest.approx(-math.sin(0.5) * 0.5 + 2 * math.cos(0.5), rel=1e-15)
    assert third == pytest.approx(-math.cos(0.5) * 0.5 - 3 * math.sin(0.5), rel=1e-15)


@given(a=st.floats(-3, 3), b=st.floats(-3, 3))
def test_hessian_of_a_polynomial_is_the_hand_formula(a, b):
    # f = a² b + e^b + a b³:  H = [[2b, 2a + 3b²], [2a + 3b², e^b + 6ab]]
    hessian = autograd.hessian(lambda x, y: x * x * y + y.exp() + x * y ** 3, [a, b])
    expected = [[2 * b, 2 * a + 3 * b * b], [2 * a + 3 * b * b, math.exp(b) + 6 * a * b]]
    for row, hand in zip(hessian, expected):
        assert row == pytest.approx(hand, rel=1e-12, abs=1e-12)


@given(point=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       v=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_hvp_is_the_hessian_times_v(point, v):
    def f(a, b, c):
        return (a * b).sin() + (b - c).tanh() * a + autograd.logsumexp([a, b, c])

    hessian = autograd.hessian(f, point)
    expected = [math.fsum(h * vj for h, vj in zip(row, v)) for row in hessian]
    assert autograd.hvp(f, point, v) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_hessian_is_symmetric_and_zero_for_an_unused_input():
    hessian = autograd.hessian(lambda x, y, unused: (x * y).cosh(), [0.3, -0.4, 7.0])
    assert hessian[0][1] == pytest.approx(hessian[1][0], rel=1e-15)
    assert hessian[2] == [0.0, 0.0, 0.0] and [row[2] for row in hessian] == [0.0, 0.0, 0.0]


# --- backward(create_graph=True) -------------------------------------------------------

def test_backward_with_create_graph_leaves_values_in_grad_that_differentiate_again():
    x, y = Value(1.5, label="x"), Value(-0.5, label="y")
    f = x * x * y
    f.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 2 * 1.5 * -0.5
    assert autograd.grad(x.grad, [x, y]) == [2 * -0.5, 2 * 1.5]


def test_backward_with_create_graph_accumulates_like_first_order():
    x = Value(0.8)
    f = x.sin()
    f.backward(create_graph=True)
    f.backward(create_graph=True)
    assert x.grad.data == 2 * math.cos(0.8)
    assert autograd.grad(x.grad, x) == pytest.approx(-2 * math.sin(0.8), rel=1e-15)


def test_grad_with_create_graph_gives_values_and_zero_for_an_unreached_input():
    x, other = Value(2.0), Value(3.0)
    gx, gother = autograd.grad(x * x, [x, other], create_graph=True)
    assert isinstance(gx, Value) and gx.data == 4.0
    assert isinstance(gother, Value) and gother.data == 0.0 and not gother.parents
    assert autograd.grad(x, x, create_graph=True).data == 1.0


def test_create_graph_matches_first_order_numbers_exactly():
    """The recorded pass multiplies the same numbers in the same order as the first-order one."""
    xs = [Value(v) for v in (0.3, -1.2, 2.5)]
    f = autograd.dot(xs[:2], [xs[2].tanh(), xs[0].exp()], xs[1]).sigmoid() * xs[2].log()
    assert [g.data for g in autograd.grad(f, xs, create_graph=True)] == autograd.grad(f, xs)


def test_a_non_finite_derivative_in_the_recorded_pass_names_the_node():
    x = Value(1.0)
    f = x.asin()
    f.label = "f"
    with pytest.raises(FloatingPointError, match="'f' \\(op asin"):
        autograd.grad(f, x, create_graph=True)


def test_first_order_backward_and_grad_never_enter_the_recorded_pass(monkeypatch):
    """The hot path stays as it was: only create_graph=True reaches autograd.higher."""
    def refuse(*args, **kwargs):
        raise AssertionError("first-order backward went through autograd.higher")

    monkeypatch.setattr(autograd.higher, "gradients_as_values", refuse)
    x = Value(0.4)
    f = (x * x).tan()
    f.backward()
    assert autograd.grad(f, [x]) == [x.grad]
    with pytest.raises(AssertionError, match="autograd.higher"):
        f.backward(create_graph=True)


@pytest.mark.parametrize("call, error, says", [
    (lambda: autograd.hessian(lambda: Value(1.0), []), ValueError, "inputs is empty"),
    (lambda: autograd.hessian(lambda x: [x], [1.0]), TypeError, "one Value"),
    (lambda: autograd.hvp(lambda x: x * x, [1.0], [1.0, 2.0]), ValueError, "v has 2 entries for 1 inputs"),
    (lambda: autograd.hvp(lambda x: x * x, [1.0], ["a"]), TypeError, "hvp v\\[0\\]"),
    (lambda: autograd.grad(1.0, [Value(1.0)], create_graph=True), TypeError, "output is float"),
    (lambda: autograd.grad(Value(1.0), [2.0], create_graph=True), TypeError, "inputs\\[0\\] is float"),
    (lambda: autograd.hessian(lambda x: x * x, [math.nan]), ValueError, "hessian input 0: expected a finite"),
    (lambda: autograd.hessian(lambda x, y: x * y, [1.0, 10 ** 400]), ValueError, "hessian input 1: .*401 digits"),
    (lambda: autograd.hvp(lambda x: x * x, ["a"], [1.0]), TypeError, "hvp input 0: expected a real number"),
    (lambda: autograd.jvp(lambda x: x * x, [math.inf], [1.0]), ValueError, "jvp input 0: expected a finite"),
    (lambda: autograd.hessian(3, [1.0]), TypeError, "hessian: f must be a function"),
    (lambda: autograd.hvp(None, [1.0], [1.0]), TypeError, "hvp: f must be a function"),
    (lambda: autograd.jvp(3, 1.0, 1.0), TypeError, "jvp: f must be a function"),
    (lambda: autograd.sum(3), TypeError, "sum: expected a list of Values or numbers, got int 3"),
    (lambda: autograd.softmax(None), TypeError, "softmax: expected a list"),
])
def test_bad_input_to_higher_order_is_refused_by_name(call, error, says):
    with pytest.raises(error, match=says):
        call()


@given(x=st.floats(0.1, 5.0))
def test_power_mixed_derivative_at_exponent_zero(x):
    """∂²(x^y)/∂x∂y = x^(y-1)(1 + y ln x), which is 1/x at y = 0 (torch 2.13 gives 0 there)."""
    hessian = autograd.hessian(lambda a, b: a ** b, [x, 0.0])
    assert hessian[0][1] == pytest.approx(1 / x, rel=1e-15) and hessian[1][0] == pytest.approx(1 / x, rel=1e-15)
    eps = 1e-6

    def d_dx(y):
        a = Value(x)
        return autograd.grad(a ** Value(y), a)

    assert (d_dx(eps) - d_dx(-eps)) / (2 * eps) == pytest.approx(1 / x, rel=1e-6)


def test_backward_with_a_seed_and_create_graph():
    """backward(gradient=g, create_graph=True) records g · ∂f/∂x; g may itself be a Value."""
    x, s = Value(0.3), Value(2.0)
    f = x.cos()
    f.backward(gradient=s, create_graph=True)
    assert x.grad.data == pytest.approx(-2.0 * math.sin(0.3), rel=1e-15)
    assert autograd.grad(x.grad, [x, s]) == pytest.approx([-2.0 * math.cos(0.3), -math.sin(0.3)], rel=1e-15)


def test_a_constant_gradient_is_a_constant_as_in_torch():
    x, y = Value(1.0), Value(2.0)
    (gx,) = autograd.grad(x + y, [x], create_graph=True)
    assert gx.data == 1.0 and not gx.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        gx.backward()


# --- grad mode: the higher-order functions record whatever the caller's mode (as torch) ----

def _g(a, b):
    return a * a * b + b.exp()


def _torch_at(torch, *numbers):
    return tuple(torch.tensor(x, dtype=torch.float64) for x in numbers)


def test_hessian_and_hvp_under_no_grad_equal_torch():
    """torch.autograd.functional records inside under enable_grad; so do hessian and hvp."""
    require_torch()
    import torch
    from torch.autograd import functional

    with torch.no_grad():
        theirs_h = functional.hessian(_g, _torch_at(torch, 1.0, 2.0))
        _, theirs_hv = functional.hvp(_g, _torch_at(torch, 1.0, 2.0), _torch_at(torch, 1.0, 0.0))
    with autograd.no_grad():
        ours_h = autograd.hessian(_g, [1.0, 2.0])
        ours_hv = autograd.hvp(_g, [1.0, 2.0], [1.0, 0.0])
        assert not autograd.is_grad_enabled()  # the caller's mode is left as it was
    for ours_row, theirs_row in zip(ours_h, theirs_h, strict=True):
        assert ours_row == pytest.approx([float(t) for t in theirs_row], rel=1e-15)
    assert ours_hv == pytest.approx([float(t) for t in theirs_hv], rel=1e-15)
    assert ours_h[1][1] == pytest.approx(math.exp(2.0), rel=1e-15)


def test_grad_with_create_graph_under_no_grad_records_as_torch():
    """torch records the double-backward graph under create_graph=True even inside no_grad
    (its engine runs the backward in grad mode = create_graph), so the gradient
    differentiates again."""
    require_torch()
    import torch

    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    y_t = t.sin() * t
    with torch.no_grad():
        (first_t,) = torch.autograd.grad(y_t, [t], create_graph=True)
    (second_t,) = torch.autograd.grad(first_t, [t])

    x = Value(0.5)
    y = x.sin() * x
    with autograd.no_grad():
        (first,) = autograd.grad(y, [x], create_graph=True)
        assert not autograd.is_grad_enabled()
    assert first.requires_grad and first.parents
    assert first.data == pytest.approx(float(first_t.detach()), rel=1e-15)
    assert autograd.grad(first, x) == pytest.approx(float(second_t), rel=1e-15)


def test_backward_with_create_graph_under_no_grad_records_as_torch():
    x = Value(0.5)
    y = x.sin() * x
    with autograd.no_grad():
        y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.parents  # torch: x.grad has a grad_fn
    assert autograd.grad(x.grad, x) == pytest.approx(-math.sin(0.5) * 0.5 + 2 * math.cos(0.5), rel=1e-15)


# --- grad of an output with no graph: RuntimeError, as torch and backward() ----------------

def _under_no_grad(x):
    with autograd.no_grad():
        return x * x


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("make", [
    _under_no_grad,
    lambda x: (x * x).detach(),
    lambda x: Value(2.0, "c", requires_grad=False),
], ids=["no_grad", "detached", "constant"])
def test_grad_of_an_output_without_a_graph_raises_as_torch(make, create_graph):
    x = Value(0.5)
    output = make(x)
    output.label = output.label or "out"
    with pytest.raises(RuntimeError, match=r"grad: '(out|c)' \(leaf, data [0-9.]+\) does not require grad"):
        autograd.grad(output, [x], create_graph=create_graph)
    require_torch()
    import torch

    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        out_t = t * t
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(out_t, [t], create_graph=create_graph)


# --- backward(create_graph=True) accumulates all or none -----------------------------------

def test_create_graph_accumulation_that_would_overflow_changes_no_grad():
    """As first order: FloatingPointError names the node, and no .grad has changed.
    (torch writes a.grad = inf; the project's rule is never a silent inf.)"""
    a, b = Value(1.0, label="a"), Value(1.0, label="b")
    y = a * 1e308 + b
    y.backward(create_graph=True)
    with pytest.raises(FloatingPointError) as recorded:
        y.backward(create_graph=True)
    assert a.grad.data == 1e308 and b.grad.data == 1.0
    assert isinstance(a.grad, Value) and isinstance(b.grad, Value)

    a, b = Value(1.0, label="a"), Value(1.0, label="b")  # the first-order path, for its message
    y = a * 1e308 + b
    y.backward()
    with pytest.raises(FloatingPointError) as first_order:
        y.backward()
    assert str(recorded.value).startswith("backward (create_graph): the accumulated .grad at node 'a' (leaf")
    assert "would be inf (1e+308 + 1e+308); no .grad was changed" in str(recorded.value)
    assert str(recorded.value).split(": ", 1)[1] == str(first_order.value).split(": ", 1)[1]


def test_first_order_backward_over_value_grads_checks_their_numbers():
    """After backward(create_graph=True) each .grad is a Value; a first-order backward adds to
    it. Its finite check must not add the Values up as + nodes (1e308 + 1e308 overflowed
    there although each new .grad, 1e308 + 1, is finite), and a .grad that does overflow is
    the documented FloatingPointError naming the node, as over float .grads, not the +
    node's OverflowError."""
    def grads_at_1e308():
        a, b = Value(1e-10, label="a"), Value(1e-10, label="b")
        (a * 1e308 + b * 1e308).backward(create_graph=True)
        return a, b

    a, b = grads_at_1e308()
    (a + b).backward()
    assert a.grad.data == 1e308 + 1.0 and b.grad.data == 1e308 + 1.0

    a, b = grads_at_1e308()
    with pytest.raises(FloatingPointError, match=r"accumulated \.grad at node 'a' .* would be inf"):
        (a * 1e308).backward()
    assert a.grad.data == 1e308 and b.grad.data == 1e308  # no .grad changed


# --- x ** y where x^y underflows, or x = 0: ∂z/∂y = z ln x keeps its slope in x ------------

def _torch_hessian(torch, f, point):
    tensors = tuple(torch.tensor(v, dtype=torch.float64) for v in point)
    return [[float(h) for h in row] for row in torch.autograd.functional.hessian(f, tensors)]


@pytest.mark.parametrize("point", [(1e-300, 1.1), (1e-170, 2.0), (0.3, 2.5)])
def test_power_hessian_where_x_to_the_y_underflows_equals_torch(point):
    """z = x^y underflows to 0 at these points, but ∂(z ln x)/∂x = x^(y-1)(1 + y ln x) does not:
    a constant 0 for ∂z/∂y lost it (H10 was 0 against H01 = -7.6e-28). torch float64 rounds
    the same way (z/x is 0/x there), so its entries are equal to rounding."""
    require_torch()
    import torch

    ours = autograd.hessian(lambda a, b: a ** b, list(point))
    theirs = _torch_hessian(torch, lambda a, b: a ** b, point)
    for ours_row, theirs_row in zip(ours, theirs):
        assert ours_row == pytest.approx(theirs_row, rel=1e-12, abs=1e-300)
    x, y = point
    exact = x ** (y - 1) * (1 + y * math.log(x))
    assert ours[1][0] == pytest.approx(exact, rel=2e-3)  # z/x, the rest, is 1e-340 / x: lost to underflow


def test_power_derivatives_through_dz_dy_where_x_to_the_y_underflows_equal_torch():
    """∂z/∂y was a constant 0 there, so ∂²z/∂y∂x through it was 0 (torch: -7.8288e-168), and
    ∂³z/∂y∂x² 0 one way, -779.88 = 2 ln x + 3 the others."""
    require_torch()
    import torch

    def derivative(order, make, differentiate):
        x, y = make(1e-170), make(2.0)
        g = x ** y
        for wrt in order:
            g = differentiate(g, x if wrt == "x" else y)
        return g

    def ours(g, wrt):
        return autograd.grad(g, wrt, create_graph=True)

    def theirs(g, wrt):
        return torch.autograd.grad(g, wrt, create_graph=True)[0]

    def tensor(v):
        return torch.tensor(v, dtype=torch.float64, requires_grad=True)

    for order in ("yx", "xy", "xyx", "xxy"):
        expected = float(derivative(order, tensor, theirs).detach())
        got = derivative(order, Value, ours)
        assert got.requires_grad and got.data == pytest.approx(expected, rel=1e-12), order
    assert derivative("xxy", Value, ours).data == pytest.approx(2 * math.log(1e-170) + 3, rel=1e-15)
    # y, x, x meets ∂(1/x)/∂x = -1/x² = -1e340 (log's derivative): not a float, so named
    with pytest.raises(FloatingPointError, match=r"non-finite gradient at node \(op /, data 1e\+170\)"):
        derivative("yxx", Value, ours)


@pytest.mark.parametrize("y", [0.0, 0.5, 1.0])
def test_power_at_a_zero_base_refuses_an_infinite_mixed_derivative_by_name(y):
    """At x = 0, y <= 1, ∂²(x^y)/∂x∂y = x^(y-1)(1 + y ln x) is infinite (torch: nan): an error
    naming the ** node, not a silent [[0, 1], [0, 0]]."""
    with pytest.raises(FloatingPointError, match=r"^backward \(create_graph\): .*node \(op \*\*, data [01]\) "):
        autograd.hessian(lambda a, b: a ** b, [0.0, y])


def test_power_at_a_zero_base_with_y_above_1_keeps_its_limits():
    """At x = 0, y = 2 the slope of z ln x in x, x(1 + 2 ln x), tends to 0: H is [[2, 0], [0, 0]]
    (torch gives nan for H10 and H11, 0 · ln 0)."""
    assert autograd.hessian(lambda a, b: a ** b, [0.0, 2.0]) == [[2.0, 0.0], [0.0, 0.0]]


def _torch_second(torch, point, first_wrt, second_wrt):
    """∂/∂(second_wrt) of ∂(x^y)/∂(first_wrt) in torch float64, at point = (x, y)."""
    x, y = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point)
    (first,) = torch.autograd.grad(x ** y, [{"x": x, "y": y}[first_wrt]], create_graph=True)
    return float(first.detach()), float(torch.autograd.grad(first, [{"x": x, "y": y}[second_wrt]])[0])


def test_power_at_x_and_y_zero_refuses_the_second_derivative_by_name():
    """At x = y = 0, ∂z/∂x = y x^(y-1) is 0 but its slope in y, x^(y-1)(1 + y ln x), is infinite
    (torch: a 0 whose derivatives are nan). It came back as a constant 0, which grad refused
    with the words of no_grad; now create_graph names the ** node, as hessian and hvp do."""
    says = (r"^backward \(create_graph\): the local derivative at node \(op \*\*, data 1\) into 'x' "
            r"\(input 0, data 0\) is 0, but its own derivative there is infinite")
    x, y = Value(0.0, label="x"), Value(0.0, label="y")
    with pytest.raises(FloatingPointError, match=says):
        autograd.grad(x ** y, [x], create_graph=True)
    with pytest.raises(FloatingPointError, match=says):
        (x ** y).backward(create_graph=True)
    assert x.grad == 0.0 and y.grad == 0.0  # all or none
    for call in (lambda: autograd.hessian(lambda a, b: a ** b, [0.0, 0.0]),
                 lambda: autograd.hvp(lambda a, b: a ** b, [0.0, 0.0], [1.0, 0.0])):
        with pytest.raises(FloatingPointError, match=r"^backward \(create_graph\): .*node \(op \*\*, data 1\) "):
            call()


def test_power_at_x_zero_with_a_constant_exponent_zero_keeps_dz_dx_a_node():
    """y = 0 held fixed: ∂z/∂x = 0 for every x (x^0 = 1), so its slope in x is 0 exactly (torch:
    0 · inf = nan). A node, as torch's, not a constant that grad refuses."""
    x, y = Value(0.0, label="x"), Value(0.0, label="y", requires_grad=False)
    (first,) = autograd.grad(x ** y, [x], create_graph=True)
    assert first.data == 0.0 and first.requires_grad
    assert autograd.grad(first, [x]) == [0.0]
    assert autograd.hessian(lambda a: a ** y, [0.0]) == [[0.0]]


@pytest.mark.parametrize("y", [0.5, 0.75])
def test_power_at_x_zero_and_y_below_1_names_the_node_with_the_gradient_that_reaches_it(y):
    """∂z/∂x = y x^(y-1) is infinite at x = 0 (torch: inf): the ** node is named, with the
    ∂C/∂z = 1 that reached it (it said nan: the walk that found it failed at that node)."""
    for wrt in ("x", "y"):
        x, y_ = Value(0.0, label="x"), Value(y, label="y")
        with pytest.raises(FloatingPointError, match=r"^backward \(create_graph\): non-finite gradient at node "
                                                     r"\(op \*\*, data 0\) into '[xy]' .*: ∂C/∂z = 1 times"):
            autograd.grad(x ** y_, [{"x": x, "y": y_}[wrt]], create_graph=True)


@pytest.mark.parametrize("y", [1.0, 2.0, 3.0])
def test_power_at_x_zero_second_derivatives_through_dz_dx_equal_torch(y):
    """∂/∂x and ∂/∂y of ∂z/∂x at x = 0, y >= 1 are finite, and equal torch's (at y = 1, ∂/∂y
    is 1 by the rule ∂(x^w)/∂w = 0 at x = 0, which both engines use)."""
    require_torch()
    import torch

    for wrt in ("x", "y"):
        x, y_ = Value(0.0, label="x"), Value(y, label="y")
        (first,) = autograd.grad(x ** y_, [x], create_graph=True)
        expected_first, expected = _torch_second(torch, (0.0, y), "x", wrt)
        assert first.data == expected_first and first.requires_grad
        assert autograd.grad(first, [{"x": x, "y": y_}[wrt]]) == [expected], wrt


@pytest.mark.parametrize("y", [2.0, 3.0])
def test_power_at_x_zero_keeps_dz_dy_a_node_where_its_limits_are_0(y):
    """At x = 0, y > 1, ∂z/∂y = z ln x is 0 and its slopes, y x^(y-1) ln x + x^(y-1) and
    x^y ln² x, tend to 0 (torch: nan, 0 · ln 0). It was a constant, which grad refused with the
    words of no_grad; now a node whose derivatives are hessian's row."""
    x, y_ = Value(0.0, label="x"), Value(y, label="y")
    (first,) = autograd.grad(x ** y_, [y_], create_graph=True)
    assert first.data == 0.0 and first.requires_grad
    assert autograd.grad(first, [x, y_]) == autograd.hessian(lambda a, b: a ** b, [0.0, y])[1] == [0.0, 0.0]


# --- a derivative toward a constant is never computed into the recorded pass ----------------

def test_create_graph_through_a_constant_exponent_at_a_negative_base_equals_torch():
    """x ** c, c a Value that does not require grad, x < 0: ∂z/∂c = x^c ln x is nan, and nothing
    reads it. First order gave 12; create_graph, hessian and backward(create_graph) raised."""
    require_torch()
    import torch

    t = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
    (t_first,) = torch.autograd.grad(t ** torch.tensor(3.0, dtype=torch.float64), t, create_graph=True)
    (t_second,) = torch.autograd.grad(t_first, t)
    x, c = Value(-2.0, label="x"), Value(3.0, label="c", requires_grad=False)
    first = autograd.grad(x ** c, x, create_graph=True)
    assert first.data == float(t_first.detach()) == 12.0
    assert autograd.grad(first, x) == float(t_second) == -12.0
    assert autograd.hessian(lambda a: a ** c.detach(), [-2.0]) == [[-12.0]]
    (x ** c).backward(create_graph=True)
    assert x.grad.data == 12.0 and c.grad == 0.0


# --- only the paths to the inputs asked for are computed and checked ------------------------

@pytest.mark.parametrize("f, point, expected", [
    (lambda x, y: x / y, (1.0, 1e-300), 1e300),      # ∂/∂y = -x/y² overflows
    (lambda x, y: x ** y, (-2.0, 3.0), 12.0),        # ∂/∂y = x^y ln x is nan
    (lambda x, y: x * y.log(), (2.0, 1e-310), math.log(1e-310)),  # 1/y overflows
])
def test_grad_checks_only_the_paths_to_the_inputs_asked_for_as_torch(f, point, expected):
    require_torch()
    import torch

    tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point)
    (theirs,) = torch.autograd.grad(f(tx, ty), [tx])
    x, y = Value(point[0], label="x"), Value(point[1], label="y")
    assert autograd.grad(f(x, y), [x]) == pytest.approx([float(theirs)], rel=1e-15) == [expected]
    with pytest.raises(FloatingPointError, match="into 'y'"):  # backward writes y.grad: it checks it
        f(x, y).backward()


def _xlogy(a, b):
    """torch.xlogy on tensors, autograd.xlogy on Values."""
    return autograd.xlogy(a, b) if isinstance(a, Value) else type(a).xlogy(a, b)


@pytest.mark.parametrize("f, point", [
    (lambda x, y: x ** y, (-2.0, 3.0)),
    (lambda x, y: x.exp() * y.log(), (2.0, 1e-310)),
    (lambda x, y: _xlogy(x, y) * x.exp(), (0.5, 1e-310)),
    (lambda x, y: x / y * x.exp(), (0.5, 1e-300)),  # ∂/∂y = -z/y overflows
])
def test_grad_with_create_graph_checks_only_the_paths_to_the_inputs_asked_for_as_torch(f, point):
    """First, second and third order toward x alone: y's derivatives are nan or overflow."""
    require_torch()
    import torch

    tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point)
    x, y = Value(point[0], label="x"), Value(point[1], label="y")
    theirs, ours = f(tx, ty), f(x, y)
    for order in range(3):
        (theirs,) = torch.autograd.grad(theirs, [tx], create_graph=True)
        (ours,) = autograd.grad(ours, [x], create_graph=True)
        assert ours.data == pytest.approx(float(theirs.detach()), rel=1e-14), f"order {order + 1}"


# --- relu and abs: their second derivative is 0, as torch's --------------------------------

@pytest.mark.parametrize("name, f", [("relu", lambda v: v.relu()), ("abs", abs)])
@pytest.mark.parametrize("x", [1.5, -0.5])
def test_the_second_derivative_of_relu_and_abs_is_torchs_zero(name, f, x):
    """Their slope is a mask, constant between kinks: it stays a node of the graph (0·z + mask),
    so grad of grad is 0, as torch's, not 'does not require grad'."""
    require_torch()
    import torch

    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    (t_first,) = torch.autograd.grad(getattr(torch, name)(t), t, create_graph=True)
    (t_second,) = torch.autograd.grad(t_first, t)
    v = Value(x, label="x")
    first = autograd.grad(f(v), v, create_graph=True)
    assert first.data == float(t_first.detach()) and first.requires_grad
    assert autograd.grad(first, v) == float(t_second) == 0.0
    w = Value(x, label="x")
    f(w).backward(create_graph=True)
    w.grad.backward()
    assert w.grad.data == first.data


def test_a_piecewise_constant_slope_is_a_plain_mask_in_first_order_and_on_arrays():
    """Only the recorded pass lifts relu's and |x|'s masks into the graph: first order and the
    compiled program keep the table's plain mask (no call, no array op)."""
    from autograd.backends import array, scalar
    assert {name for name, op in OPS.items() if op.piecewise_constant} == {"relu", "abs"}
    assert OPS["relu"].derivatives(scalar, 1.5, 1.5) == (1.0,)
    assert OPS["abs"].derivatives(scalar, 2.0, -2.0) == (-1.0,)
    z = np.array([-1.0, 2.0])
    assert OPS["relu"].derivatives(array, np.maximum(z, 0.0), z)[0].tolist() == [0.0, 1.0]


def test_maximum_and_minimum_second_derivatives_stay_constants_as_torchs():
    """torch's maximum backward is a mask of the seed alone: grad of grad raises there, as here."""
    x, y = Value(1.5), Value(0.5)
    for g in (autograd.grad(autograd.maximum(x, y), x, create_graph=True),
              autograd.grad(autograd.minimum(x, y), x, create_graph=True)):
        assert not g.requires_grad
        with pytest.raises(RuntimeError, match="does not require grad"):
            autograd.grad(g, x)


# --- errors of the recorded pass in first order's words ------------------------------------

def test_create_graph_errors_name_the_node_and_the_input_as_first_order():
    y = Value(2.0, label="y")
    with pytest.raises(FloatingPointError) as first_order:
        autograd.grad((-2.0) ** y, y)
    with pytest.raises(FloatingPointError) as recorded:
        autograd.grad((-2.0) ** y, y, create_graph=True)
    assert str(recorded.value) == str(first_order.value).replace("backward:", "backward (create_graph):", 1)
    assert "node (op c**y, data 4) into 'y' (input 0, data 2): ∂C/∂z = 1 times local derivative nan gives" in str(recorded.value)
    x = Value(-2.0, label="x")
    with pytest.raises(FloatingPointError, match=r"node \(op \*\*, data 4\) into 'y'.*local derivative nan"):
        autograd.grad(x ** y, [x, y], create_graph=True)


def test_an_overflow_in_the_recorded_pass_names_the_node_where_it_happened():
    x = Value(1e-300, label="x")
    s = x.sqrt()
    s.label = "s"
    first = autograd.grad(s, x, create_graph=True)
    with pytest.raises(FloatingPointError, match=r"^backward \(create_graph\): non-finite gradient at node 's' \(op sqrt"):
        autograd.grad(first, x, create_graph=True)


# --- one number as the point, as torch.autograd.functional takes a 0-d tensor ------------------

def test_hessian_and_hvp_at_one_number_give_one_number():
    def f(a):
        return a * a * a

    assert autograd.hessian(f, 2.0) == 12.0 and autograd.hessian(f, Value(2.0)) == 12.0
    assert autograd.hessian(f, np.float64(2.0)) == 12.0 and autograd.hessian(f, [2.0]) == [[12.0]]
    assert autograd.hvp(f, 2.0, 0.5) == 6.0 and autograd.hvp(f, [2.0], [0.5]) == [6.0]
    with pytest.raises(TypeError, match="hessian: inputs must be a number or a list of numbers, got NoneType"):
        autograd.hessian(f, None)
    with pytest.raises(TypeError, match="hessian input|Value"):
        autograd.hessian(f, "a")


def test_create_graph_over_a_grad_of_none_is_no_gradient_yet_as_in_torch():
    p = Value(2.0, label="p")
    p.grad = None
    (p * p).backward(create_graph=True)
    assert isinstance(p.grad, Value) and p.grad.data == 4.0
    assert autograd.grad(p.grad, [p]) == [2.0]


def test_a_zero_d_torch_tensor_is_one_number_as_in_torch_autograd_functional():
    """hessian, hvp, jvp and gradcheck take a 0-d tensor as one number (and give one), as
    torch.autograd.functional takes one 0-d tensor; it used to be iterated, a bare TypeError."""
    require_torch()
    import torch

    t = torch.tensor(2.0, dtype=torch.float64)
    cube = lambda x: x * x * x
    (theirs,) = torch.autograd.grad(torch.autograd.grad(cube(t.requires_grad_()), t, create_graph=True)[0], t)
    assert autograd.hessian(cube, t.detach()) == float(theirs) == 12.0
    assert autograd.hvp(cube, t.detach(), torch.tensor(0.5)) == 6.0
    assert autograd.jvp(cube, t.detach(), torch.tensor(1.0)) == (8.0, 12.0)
    report = autograd.gradcheck(cube, t.detach(), hand=torch.tensor(12.0))
    assert report.ok and report["x0"].hand == 12.0


@pytest.mark.parametrize("make, x, reason", [
    (lambda x: x.sqrt(), 0.0, "float division by zero"),
    (lambda x: x ** 0.5, 0.0, "0.0 cannot be raised to a negative power"),
    (lambda x: x.asin(), 1.0, "float division by zero")])
def test_create_graph_at_an_infinite_derivative_says_why_not_nan(make, x, reason):
    """1/(2√x) at x = 0 is infinite: first order says the local derivative is not finite and
    why; the recorded pass said "∂C/∂z = 1 times local derivative nan gives nan", a nan the
    table never computed."""
    x = Value(x, label="x")
    with pytest.raises(FloatingPointError) as error:
        autograd.grad(make(x), x, create_graph=True)
    message = str(error.value)
    assert message.startswith("backward (create_graph): non-finite gradient at node (op ")
    assert f"into 'x' (input 0, data {x.data:g}): ∂C/∂z = 1 times a local derivative that is not finite" in message
    assert reason in message and "nan" not in message


@pytest.mark.parametrize("call, says", [
    (lambda: autograd.hessian(lambda a, b: a * b, [2.0]), "hessian: f is called with one Value per input, 1 here; it takes (a, b)"),
    (lambda: autograd.hvp(lambda a: a * a, [2.0, 1.0], [1.0, 1.0]), "hvp: f is called with one Value per input, 2 here; it takes (a)"),
    (lambda: autograd.jvp(lambda a, b: a * b, [2.0], [1.0]), "jvp: f is called with one Value per input, 1 here; it takes (a, b)")])
def test_a_function_that_cannot_take_the_point_is_named(call, says):
    """Python's own "<lambda>() missing 1 required positional argument: 'b'" named neither the
    function nor the point."""
    with pytest.raises(TypeError) as error:
        call()
    assert says in str(error.value)


@pytest.mark.parametrize("call, says", [
    (lambda: autograd.hessian(lambda a: a * a, {"a": 1.0}), "hessian: inputs must be a number or a list"),
    (lambda: autograd.hvp(lambda a: a * a, {"a": 1.0}, [1.0]), "hvp: inputs must be a number or a list"),
    (lambda: autograd.jvp(lambda a: a * a, [1.0], {"a": 1.0}), "jvp: tangents_in must be a number or a list"),
    (lambda: autograd.hessian(lambda a, b: a * b, {1.0, 2.0}), "hessian: inputs must be a number or a list"),
    (lambda: autograd.hvp(lambda a, b: a * b, [1.0, 2.0], {3.0, 4.0}), "hvp: v must be a number or a list")])
def test_a_dict_or_a_set_as_the_point_is_refused_by_name(call, says):
    """gradcheck takes {name: number}; hessian read such a dict as its keys ("hessian input 0:
    ... got str 'a'"), and a set of two numbers in the set's own order, not f's."""
    with pytest.raises(TypeError) as error:
        call()
    assert says in str(error.value) and "in the order f takes them" in str(error.value)
