"""backward_steps: the learner's walk through backprop must be the engine's, number for number."""

import math

import pytest
from hypothesis import given, settings, strategies as st

import autograd
import viz
from autograd import Value
from autograd.engine import gradients
from viz.style import compact

UNARY = ["tanh", "sigmoid", "neg", "square", "exp_tanh"]
BINARY = ["+", "-", "*"]
NARY = ["sum", "dot"]


@st.composite
def random_graphs(draw):
    """A random graph over a few leaves where ops pick ANY earlier node as input, so values
    are re-used (x * x, diamonds a -> b, a -> c, (b, c) -> d) and some feed many consumers."""
    leaves = [Value(draw(st.floats(-2, 2, allow_nan=False)), label=f"x{i}")
              for i in range(draw(st.integers(1, 4)))]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 14))):
        pick = st.sampled_from(nodes)
        kind = draw(st.sampled_from(UNARY + BINARY + NARY))
        if kind in UNARY:
            x = draw(pick)
            node = {"tanh": lambda: x.tanh(), "sigmoid": lambda: x.sigmoid(), "neg": lambda: -x,
                    "square": lambda: x ** 2, "exp_tanh": lambda: x.tanh().exp()}[kind]()
        elif kind in BINARY:
            x, y = draw(pick), draw(pick)
            node = {"+": x + y, "-": x - y, "*": x * y}[kind]
        elif kind == "sum":
            node = autograd.sum(draw(st.lists(pick, min_size=1, max_size=4)))
        else:
            n = draw(st.integers(1, 3))
            node = autograd.dot(draw(st.lists(pick, min_size=n, max_size=n)),
                                draw(st.lists(pick, min_size=n, max_size=n)),
                                draw(st.one_of(st.none(), pick)))
        if not math.isfinite(node.data) or abs(node.data) > 1e6:
            continue  # keep numbers in a range where products stay finite
        nodes.append(node)
    # the root re-uses several nodes so that diamonds close
    tail = nodes[-draw(st.integers(1, min(3, len(nodes)))):]
    return autograd.sum(tail) if draw(st.booleans()) else tail[-1]


@settings(max_examples=120, deadline=None)
@given(random_graphs())
def test_every_step_gives_the_engines_gradient_exactly(root):
    steps = viz.backward_steps(root)
    engine = gradients(root)
    order = autograd.topological_order(root)
    assert len(steps) == len(order) + 1
    assert steps[0].kind == "forward" and steps[0].node is None and steps[0].grad is None
    assert steps[1].kind == "seed" and steps[1].node is root and steps[1].grad == 1.0
    assert [s.node for s in steps[1:]] == list(reversed(order))  # the engine's order, leaves included
    for step in steps[1:]:
        assert step.grad == engine[step.node]  # bit for bit, not approximately
    autograd.zero_grad(root)
    root.backward()
    assert all(step.grad == step.node.grad for step in steps[1:])


@settings(max_examples=80, deadline=None)
@given(random_graphs())
def test_each_step_lists_every_chain_rule_term_it_received(root):
    steps = viz.backward_steps(root)
    number_of = {s.node: s.number for s in steps[1:]}
    for step in steps[2:]:
        node = step.node
        expected_terms = sum(consumer.parents.count(node) for consumer in number_of if consumer.op)
        assert len(step.terms) == expected_terms >= 1
        total = 0.0
        for term in step.terms:
            assert number_of[term.consumer] < step.number  # a consumer's gradient is complete first
            assert term.consumer_grad == steps[number_of[term.consumer]].grad
            locals_ = autograd.local_derivatives(term.consumer)
            assert term.local in [d for p, d in zip(term.consumer.parents, locals_) if p is node]
            assert term.product == term.consumer_grad * term.local
            total += term.product
        assert total == step.grad
        assert step.text.endswith("= " + compact(step.grad))


def test_the_text_writes_out_the_chain_rule_with_numbers():
    x = Value(2.0, label="x")
    y = x * x + x
    y.label = "y"
    steps = viz.backward_steps(y)
    assert steps[1].text == "Seed: ∂y/∂y = 1."
    last = steps[-1]
    assert last.node is x and last.grad == 5.0
    assert last.text == ("∂y/∂x = ∂y/∂y · ∂y/∂x + ∂y/∂#1 · ∂#1/∂x + ∂y/∂#1 · ∂#1/∂x"
                         " = 1 × 1 + 1 × 2 + 1 × 2 = 1 + 2 + 2 = 5")
    assert "?" in steps[0].text


def test_negative_numbers_are_bracketed_and_digits_are_configurable():
    w, x = Value(-3.0, label="w"), Value(1.0 / 3.0, label="x")
    z = w * x
    z.label = "z"
    steps = viz.backward_steps(z, digits=2)
    assert steps[-1].text == "∂z/∂w = ∂z/∂z · ∂z/∂w = 1 × 0.33 = 0.33"
    assert steps[-2].text == "∂z/∂x = ∂z/∂z · ∂z/∂x = 1 × (-3) = -3"


def test_a_leaf_root_has_only_the_seed_step():
    x = Value(1.5, label="x")
    steps = viz.backward_steps(x)
    assert [s.kind for s in steps] == ["forward", "seed"] and steps[1].grad == 1.0


def test_gradients_after_a_step_are_those_known_then():
    x = Value(0.5, label="x")
    y = (x * 3.0).tanh()
    steps = viz.backward_steps(y)
    assert viz.gradients_after(steps, 0) == {}
    assert viz.gradients_after(steps, 1) == {y: 1.0}
    assert viz.gradients_after(steps, len(steps) - 1) == gradients(y)


def test_a_step_does_not_touch_grad():
    x = Value(0.5, label="x")
    y = x.sigmoid()
    viz.backward_steps(y)
    assert x.grad == 0.0 and y.grad == 0.0


def test_a_non_value_is_refused():
    with pytest.raises(TypeError, match="backward_steps.*float"):
        viz.backward_steps(1.0)
