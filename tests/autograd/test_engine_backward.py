"""backward, grad, zero_grad and no_grad: re-used nodes and diamonds are exact, gradients
accumulate across calls like PyTorch, `grad` touches nothing, `no_grad` records nothing."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value


def real(low=-5.0, high=5.0):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


# --- re-used nodes and diamonds: the specific examples ------------------------------

def test_a_node_used_twice_by_one_op():
    """b = a + a; c = b * b: ∂c/∂b = 2b, ∂c/∂a = 2b · 2 = 8a."""
    a = Value(3.0, label="a")
    b = a + a
    c = b * b
    c.backward()
    assert (c.data, c.grad) == (36.0, 1.0)
    assert b.grad == 12.0
    assert a.grad == 24.0


@pytest.mark.parametrize("make, expected", [
    (lambda a: a * a, lambda a: 2 * a),
    (lambda a: a - a, lambda a: 0.0),
    (lambda a: a / a, lambda a: 0.0),
    (lambda a: a * a * a, lambda a: 3 * a * a),
    (lambda a: autograd.sum([a, a, a]), lambda a: 3.0),
    (lambda a: autograd.dot([a, a], [a, 2.0]), lambda a: 2 * a + 2.0),
    (lambda a: a ** a, lambda a: a ** a * (math.log(a) + 1)),
])
def test_self_interactions(make, expected):
    a = 1.75
    x = Value(a, label="a")
    make(x).backward()
    assert math.isclose(x.grad, expected(a), rel_tol=1e-12, abs_tol=1e-15)
    report = autograd.gradcheck(make, [a], hand=[expected])
    assert report.ok, str(report)


def test_diamond():
    """a feeds b and c, which both feed d: ∂d/∂a = ∂d/∂b ∂b/∂a + ∂d/∂c ∂c/∂a."""
    a = Value(0.5, label="a")
    b = a.tanh()
    c = a.exp()
    d = b * c
    d.backward()
    t, e = math.tanh(0.5), math.exp(0.5)
    assert math.isclose(b.grad, e) and math.isclose(c.grad, t)
    assert math.isclose(a.grad, e * (1 - t * t) + t * e, rel_tol=1e-14)


def test_shared_subexpression_used_at_several_depths():
    """s = x·y is used by u = s + 1, by v = u·s and by the output w = v + s."""
    x, y = Value(2.0, label="x"), Value(-3.0, label="y")
    s = x * y
    u = s + 1
    v = u * s
    w = v + s
    w.backward()
    # w = (s + 1) s + s = s² + 2s;  ∂w/∂s = 2s + 2 = -10
    assert s.grad == -10.0
    assert (x.grad, y.grad) == (-10.0 * -3.0, -10.0 * 2.0)
    assert u.grad == s.data and v.grad == 1.0


def test_a_leaf_reached_by_many_paths():
    """y = x + 2x + 3x + ... + 10x built as a chain that reuses x at every step."""
    x = Value(1.0, label="x")
    y = x
    for k in range(2, 11):
        y = y + k * x
    y.backward()
    assert x.grad == 55.0


# --- accumulation across calls (PyTorch semantics) and zero_grad -----------------------

def build(a, b, c):
    """A small graph with re-use, a diamond and an n-ary node; returns (output, every node)."""
    x, y, z = Value(a, label="x"), Value(b, label="y"), Value(c, label="z")
    h = (x * y).tanh()
    h.label = "h"
    out = autograd.sum([h * z, h.sigmoid(), autograd.dot([x, y], [z, h], bias=x)])
    out.label = "out"
    return out, autograd.topological_order(out)


@settings(max_examples=50)
@given(a=real(), b=real(), c=real())
def test_backward_twice_doubles_every_grad_exactly(a, b, c):
    out, nodes = build(a, b, c)
    out.backward()
    once = [node.grad for node in nodes]
    out.backward()
    assert [node.grad for node in nodes] == [2 * g for g in once]  # leaves and intermediates
    assert out.grad == 2.0


@given(a=real(), b=real(), c=real())
def test_two_graphs_sharing_leaves_accumulate_into_them(a, b, c):
    x, y = Value(a, label="x"), Value(b, label="y")
    (x * y).backward()
    (x + y * c).backward()
    assert math.isclose(x.grad, b + 1.0, rel_tol=1e-15, abs_tol=1e-300)
    assert math.isclose(y.grad, a + c, rel_tol=1e-15, abs_tol=1e-300)


@given(a=real(), b=real(), c=real())
def test_zero_grad_resets_the_whole_graph(a, b, c):
    out, nodes = build(a, b, c)
    outsider = Value(1.0)
    outsider.grad = 7.0
    out.backward()
    autograd.zero_grad(out)
    assert all(node.grad == 0.0 for node in nodes)
    assert outsider.grad == 7.0
    out.backward()  # and the next backward starts from zero again
    fresh_out, fresh_nodes = build(a, b, c)
    fresh_out.backward()
    assert [node.grad for node in nodes] == [node.grad for node in fresh_nodes]


@pytest.mark.parametrize("make", [
    lambda ws, xs, b: autograd.dot(ws, xs, b),
    lambda ws, xs, b: autograd.softmax(ws + xs + [b])[0],
    lambda ws, xs, b: autograd.logsumexp(ws + xs + [b]),
], ids=["dot", "softmax", "logsumexp"])
def test_an_n_ary_node_takes_its_derivatives_at_the_numbers_it_read(make):
    """A node of an n-ary op keeps its inputs' numbers (`saved`) for backward, as PyTorch
    keeps saved tensors: a weight changed after the forward pass (a step taken before a
    second backward) does not change the graph's gradients, which stay those of the
    function the graph computed (PyTorch refuses that backward instead)."""
    ws, xs, b = [Value(0.5), Value(-1.5)], [Value(2.0), Value(3.0)], Value(0.25)
    z = make(ws, xs, b)
    autograd.zero_grad(z)
    before = autograd.grad(z, ws + xs + [b])
    for w in ws:
        w.data += 10.0
    assert autograd.grad(z, ws + xs + [b]) == before


def test_only_an_n_ary_node_keeps_numbers():
    x, y = Value(2.0), Value(3.0)
    assert x.saved is None and (x * y).saved is None and (x ** 2).saved is None
    assert autograd.dot([x], [y]).saved == (2.0, 3.0)
    with autograd.no_grad():  # a constant leaf: nothing to differentiate, nothing kept
        assert autograd.dot([x], [y]).saved is None


def test_backward_of_a_leaf_seeds_one():
    x = Value(3.0)
    x.backward()
    assert x.grad == 1.0


def test_backward_reaches_only_ancestors():
    x, y, bystander = Value(1.0), Value(2.0), Value(3.0)
    unrelated = bystander * 2
    (x * y).backward()
    assert (x.grad, y.grad) == (2.0, 1.0)
    assert bystander.grad == 0.0 and unrelated.grad == 0.0


# --- grad(): gradients as floats, no .grad touched ------------------------------------

@settings(max_examples=50)
@given(a=real(), b=real(), c=real())
def test_grad_leaves_every_grad_untouched_and_agrees_with_backward(a, b, c):
    out, nodes = build(a, b, c)
    for i, node in enumerate(nodes):
        node.grad = 100.0 + i  # sentinels
    leaves = [node for node in nodes if not node.parents]
    gradients = autograd.grad(out, leaves)
    assert [node.grad for node in nodes] == [100.0 + i for i in range(len(nodes))]
    assert isinstance(gradients, list) and all(type(g) is float for g in gradients)

    autograd.zero_grad(out)
    out.backward()
    assert gradients == [leaf.grad for leaf in leaves]


def test_grad_of_one_input_is_a_float_and_unrelated_inputs_get_zero():
    x, y, unrelated = Value(2.0), Value(5.0), Value(1.0)
    out = x * y
    assert autograd.grad(out, x) == 5.0 and type(autograd.grad(out, x)) is float
    assert autograd.grad(out, [unrelated, y, out]) == [0.0, 2.0, 1.0]


def test_grad_with_respect_to_intermediate_nodes():
    x = Value(0.3)
    h = x.tanh()
    out = h * h
    # tanh' = 1 - h² = 1 / cosh² x, which the table computes in a form accurate to the last few
    # bits also where 1 - h² cancels (see test_ops_accuracy.py), so: to rounding, not bit for bit
    dh, dx = autograd.grad(out, [h, x])
    assert dh == 2 * h.data and math.isclose(dx, 2 * h.data / math.cosh(0.3) ** 2, rel_tol=1e-15)


# --- no_grad: ops record nothing ------------------------------------------------------

def test_no_grad_results_are_leaves():
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    with autograd.no_grad():
        results = [x * y, x + 1, 2 ** x, x ** y, x.tanh(), (x * y).relu(), autograd.sum([x, y]),
                   autograd.dot([x], [y], bias=1.0), autograd.logsumexp([x, y]), *autograd.softmax([x, y])]
    for node in results:
        assert node.op == "" and node.parents == () and not node.consts
    assert results[0].data == 6.0 and results[7].data == 7.0
    out = results[0] * x  # recording is back on after the block
    assert out.op == "*" and out.parents[0] is results[0]
    out.backward()
    assert y.grad == 0.0 and x.grad == 6.0


def test_no_grad_nests_and_survives_an_exception():
    x = Value(2.0)
    with autograd.no_grad():
        with autograd.no_grad():
            pass
        assert (x * x).parents == ()
    assert (x * x).parents == (x, x)
    with pytest.raises(ZeroDivisionError):
        with autograd.no_grad():
            x / 0
    assert (x * x).parents == (x, x)


def test_a_constant_gets_no_gradient_and_no_step_as_backward_gives_it_no_grad():
    """gradients() left out a constant whose ∂ was nan (x ** y, y constant, at x < 0) but kept
    one whose ∂ was finite (the 3 of x * 3), and chain_rule listed nan terms into constants."""
    x = Value(-2.0, label="x")
    y = Value(3.0, label="y", requires_grad=False)
    z = x ** y
    three = Value(3.0, requires_grad=False)
    t = (x * three).tanh()
    for root, constant in ((z, y), (t, three)):
        grads = autograd.gradients(root)
        assert constant not in grads and x in grads
        steps = autograd.chain_rule(root)
        assert all(node is not constant for node, _, _ in steps)
        terms = [term for _, _, node_terms in steps for term in node_terms]
        assert all(parent is not constant for parent, _, _ in terms)
        assert all(math.isfinite(g) for _, g, _ in steps) and all(math.isfinite(t) for _, _, t in terms)
        root.backward()
        assert constant.grad == 0.0 and x.grad == grads[x]
        x.grad = 0.0


def test_a_grad_set_to_none_by_hand_is_no_gradient_yet_as_in_torch():
    """p.grad = None is torch's idiom for "no gradient yet": the next backward writes the
    gradient (it raised Python's own TypeError, naming no node); a .grad that is no number is
    a TypeError naming the node, and no .grad changes."""
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    y = x * w
    x.grad = None
    y.backward()
    assert (x.grad, w.grad) == (3.0, 2.0)
    w.grad = "0"
    with pytest.raises(TypeError, match=r"^backward: the \.grad of 'w' \(leaf, data 3\) is str '0', set by hand"):
        y.backward()
    assert (x.grad, w.grad) == (3.0, "0")


def test_grad_takes_grad_outputs_as_an_array_or_tensor_one_per_output():
    """As torch takes a sequence of tensors: a 1-d array of seeds was taken as ONE seed and
    refused ("1 grad_outputs for 2 outputs")."""
    import numpy as np
    x = Value(2.0, label="x")
    a, b = x * 3, x * 4
    assert autograd.grad([a, b], [x], grad_outputs=np.array([1.0, 2.0])) == [11.0]
    assert autograd.grad([a, b], [x], grad_outputs=(1.0, 2.0)) == [11.0]
    assert autograd.grad(a, [x], grad_outputs=np.array(2.0)) == [6.0]  # 0-d: one seed
    with pytest.raises(ValueError, match="3 grad_outputs for 2 outputs"):
        autograd.grad([a, b], [x], grad_outputs=np.array([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("inputs", [None, 3.0, "x"])
def test_grad_names_inputs_that_are_no_values(inputs):
    x = Value(2.0)
    with pytest.raises(TypeError, match=r"^grad: inputs is \w+ .*; expected a Value \(or a list of Values\)"):
        autograd.grad(x * x, inputs)


@pytest.mark.parametrize("call, name", [
    (lambda y, x: autograd.grad(y, [x], create_graph="no"), "grad create_graph"),
    (lambda y, x: y.backward(create_graph=float("nan")), "backward create_graph"),
    (lambda y, x: y.backward(create_graph=1), "backward create_graph"),
    (lambda y, x: Value(1.0, requires_grad="no"), "Value requires_grad"),
    (lambda y, x: Value(1.0, requires_grad=None), "Value requires_grad"),
])
def test_a_flag_is_true_or_false_never_anything_truthy(call, name):
    """create_graph='no' recorded a graph, and requires_grad='no' made a leaf that requires
    grad: a flag is checked as retain_graph and allow_unused already were."""
    x = Value(2.0, label="x")
    with pytest.raises(TypeError, match=f"^{name}: expected True or False"):
        call(x * x, x)
    assert x.grad == 0.0


def test_a_zero_d_tensor_is_its_number_as_a_zero_d_array_is():
    from tests.support import require_torch
    require_torch()
    import torch
    x = Value(torch.tensor(2.0), label="x")
    assert type(x.data) is float and x.data == 2.0
    (x * x).backward(gradient=torch.tensor(2.0, dtype=torch.float64))
    assert x.grad == 8.0
    with pytest.raises(TypeError, match="expected a real number"):
        Value(torch.tensor([2.0]))  # 1-d: not one number
