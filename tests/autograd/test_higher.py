"""Higher-order reverse mode (`autograd.higher`): grad of grad, hessian, hvp, backward(create_graph=True).

Against PyTorch float64 (`torch.autograd.grad(create_graph=True)`) on random graphs that use
every op of the table, to first, second and third order; against central differences of the
engine's own lower-order gradient; and against hand formulas.

Tolerance against torch: |ours - torch| <= 1e-9 · (1 + max |torch| over the gradient vector).
Both evaluate the same formulas, but in different orders (torch's sigmoid backward is
g(1 - σ)σ, ours g·σ(1 - σ)), so they agree to rounding, and third derivatives of a graph of
five steps add up a few hundred such products.
"""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd
from autograd import OPS, Value
from tests.autograd.graphs import build, graphs, mirror
from tests.support import require_torch

TORCH_TOLERANCE = 1e-9


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


def _weighted(terms, weights):
    """Σ_i c_i g_i, left to right (the same order in both engines)."""
    total = terms[0] * weights[0]
    for term, weight in zip(terms[1:], weights[1:]):
        total = total + term * weight
    return total


def _assert_close(ours, theirs, what):
    theirs = [float(t.detach()) for t in theirs]
    scale = 1.0 + max(abs(t) for t in theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert abs(a - b) <= TORCH_TOLERANCE * scale, f"{what}, input {i}: tracegrad {a!r}, torch {b!r}"


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
    tensors = [torch.tensor(x.data, dtype=torch.float64, requires_grad=True) for x in leaves]
    mirrored = mirror(torch, output, leaves, tensors)
    theirs = mirrored[output]
    assert math.isclose(output.data, float(theirs.detach()), rel_tol=1e-12, abs_tol=1e-12), "the forward values differ"

    ours_first = autograd.grad(output, leaves, create_graph=True)
    theirs_first = _torch_grads(torch, theirs, tensors, create_graph=True)
    _assert_close([g.data for g in ours_first], theirs_first, f"first order of {recipe}")

    # second order: the gradient of c · ∇f, which is H c; third: of d · (H c)
    c, d = weights[:len(leaves)], weights[len(leaves):]
    ours_second = autograd.grad(_weighted(ours_first, c), leaves, create_graph=True)
    theirs_second = _torch_grads(torch, _weighted(theirs_first, c), tensors, create_graph=True)
    _assert_close([g.data for g in ours_second], theirs_second, f"second order of {recipe}")

    ours_third = autograd.grad(_weighted(ours_second, d), leaves)
    theirs_third = _torch_grads(torch, _weighted(theirs_second, d), tensors, create_graph=False)
    _assert_close(ours_third, theirs_third, f"third order of {recipe}")


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
