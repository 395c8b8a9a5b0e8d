"""PyTorch's habits on Value (#13, #15, #17): item, detach, backward(gradient=), requires_grad,
backward after no_grad, accumulation that would overflow, bool, gradcheck's truth value."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value


def test_item_is_the_data_as_a_float():
    v = Value(np.float32(2.5)) * 2
    assert v.item() == 5.0 and type(v.item()) is float


def test_detach_is_a_new_leaf_outside_the_graph():
    x = Value(3.0, label="x")
    h = x * x
    d = h.detach()
    assert (d.data, d.label, d.op, d.parents, d.requires_grad) == (9.0, h.label, "", (), False)
    out = d * x  # the gradient flows into x only directly, not through d
    out.backward()
    assert x.grad == 9.0 and d.grad == 0.0 and h.grad == 0.0


@given(st.floats(-100, 100, allow_nan=False), st.floats(-5, 5, allow_nan=False))
def test_backward_with_a_gradient_scales_every_gradient(seed, a):
    x = Value(a)
    y = (x * x).tanh() + x
    y.backward(gradient=seed)
    assert x.grad == autograd.gradients(y, seed)[x] and y.grad == seed  # seed·1, then the chain rule
    # ∂y/∂x = 1 + 2x(1 - tanh²x²) adds two terms that can nearly cancel, so the rounding bound
    # is relative to the size of the terms, not of their sum.
    term_size = abs(seed) * (1.0 + abs(2 * a * (1 - math.tanh(a * a) ** 2)))
    assert abs(x.grad - autograd.grad(y, x) * seed) <= 1e-14 * term_size + 1e-300


def test_backward_gradient_is_checked_by_name():
    with pytest.raises(ValueError, match="backward gradient: expected a finite number, got nan"):
        (Value(1.0) * 2).backward(math.nan)
    with pytest.raises(TypeError, match="backward gradient"):
        (Value(1.0) * 2).backward("1")


def test_backward_on_a_graph_built_under_no_grad_says_why():
    x = Value(2.0, label="x")
    with autograd.no_grad():
        y = x * x
    with pytest.raises(RuntimeError, match="does not require grad.*no_grad"):
        y.backward()
    assert x.grad == 0.0


def test_constants_made_from_numbers_get_no_grad():
    x = Value(2.0)
    y = x * 3.0 + 1.0
    y.backward()
    constants = [p for node in autograd.topological_order(y) for p in node.parents if not p.requires_grad]
    assert len(constants) == 2 and all(c.grad == 0.0 for c in constants) and x.grad == 3.0


def test_an_op_on_constants_alone_is_a_constant_as_in_pytorch():
    fixed = Value(0.0, requires_grad=False)
    for made in (fixed.sqrt(), fixed + 1.0, autograd.apply("exp", 2.0), Value(2.0).detach().sin()):
        assert (made.requires_grad, made.op, made.parents) == (False, "", ())
        with pytest.raises(RuntimeError, match="does not require grad"):
            made.backward()


def test_backward_does_not_enter_a_constant_subgraph():
    # torch: x * sqrt(0) + x has ∂/∂x = 1 (sqrt's derivative at 0 is never needed), and
    # x ** 3 with the exponent a constant has ∂/∂x = 3x² (the nan x^y ln x at x < 0 is not computed).
    x = Value(3.0)
    (x * Value(0.0, requires_grad=False).sqrt() + x).backward()
    assert x.grad == 1.0
    x = Value(-2.0)
    (x ** Value(3.0, requires_grad=False)).backward()
    assert x.grad == 12.0
    x = Value(-2.0)
    y = autograd.apply("**", x, 2.0)
    y.backward()
    assert x.grad == -4.0 and autograd.gradients(y)[x] == -4.0


def test_a_gradient_that_is_not_finite_at_a_parameter_still_fails_next_to_a_constant():
    x, fixed = Value(0.0, label="x"), Value(2.0, requires_grad=False)
    y = x.sqrt() * fixed
    with pytest.raises(FloatingPointError, match="sqrt"):
        y.backward()
    assert x.grad == 0.0


def test_a_second_backward_doubles_every_gradient_bit_for_bit():
    x, w = Value(0.7), Value(-1.3)
    out = autograd.softmax([x * w, x.tanh(), w.exp()])[0] * x
    out.backward()
    first = {node: node.grad for node in autograd.topological_order(out)}
    out.backward()
    assert all(node.grad == 2 * g for node, g in first.items())


def test_gradients_accumulating_to_inf_raise_and_change_no_grad():
    """#13 item 5: g = Value(1.0); b = g * 1e308; two backward calls."""
    g = Value(1.0, label="g")
    b = g * 1e308
    b.backward()
    before = {node: node.grad for node in autograd.topological_order(b)}
    with pytest.raises(FloatingPointError, match=r"accumulated \.grad at node 'g'.*inf.*no \.grad was changed"):
        b.backward()
    assert {node: node.grad for node in autograd.topological_order(b)} == before


@given(st.lists(st.sampled_from([0.0, -0.0, 1.5, -2.0, 1e308, -1e308]), min_size=4, max_size=4),
       st.integers(0, 3))
def test_a_failed_accumulation_changes_no_grad_whatever_was_there(old_grads, overflowing):
    """All or none, also when the failing node comes after nodes already added to, some of
    them at 0 and some not: every .grad is put back exactly."""
    leaves = [Value(1.0, label=f"x{k}") for k in range(4)]
    out = autograd.sum([leaf * 1e308 if k == overflowing else leaf for k, leaf in enumerate(leaves)])
    for leaf, old in zip(leaves, old_grads):
        leaf.grad = old
    leaves[overflowing].grad = 1e308  # ∂out/∂x = 1e308: the sum overflows here
    before = [(leaf.grad, math.copysign(1.0, leaf.grad)) for leaf in leaves] + [(out.grad, 1.0)]
    with pytest.raises(FloatingPointError, match=f"accumulated \\.grad at node 'x{overflowing}'"):
        out.backward()
    after = [(leaf.grad, math.copysign(1.0, leaf.grad)) for leaf in leaves] + [(out.grad, 1.0)]
    assert [g for g, _ in after] == [g for g, _ in before]


def test_a_value_is_always_truthy_even_at_zero():
    """Documented decision: bool(Value) is True (a node exists); test the number with .data."""
    assert bool(Value(0.0)) and bool(Value(-0.0) * 0)
    assert not Value(0.0).data


@pytest.mark.parametrize("flag", [True, False, np.True_, np.False_])
def test_bools_count_as_one_and_zero_consistently(flag):
    assert Value(flag).data == float(flag)
    assert (Value(2.0) * flag).data == 2.0 * float(flag)


@pytest.mark.parametrize("digits", [400, -5000, 100000])
def test_an_int_too_large_for_a_float_is_a_clear_value_error(digits):
    huge = 10 ** abs(digits) * (1 if digits > 0 else -1)  # past 4300 digits str() itself fails
    with pytest.raises(ValueError, match=r"Value: expected a finite number, got an int too large for a float "
                                         r"\(about \d+ digits"):
        Value(huge)
    with pytest.raises(ValueError, match="int too large"):
        autograd.as_number(huge, "n")


def test_gradcheck_report_is_truthy_only_when_it_agrees():
    good = autograd.gradcheck(lambda x: x * x, [1.5], hand=[3.0])
    bad = autograd.gradcheck(lambda x: x * x, [1.5], hand=[4.0])
    assert good and good.ok
    assert not bad and not bad.ok
    with pytest.raises(AssertionError):
        assert autograd.gradcheck(lambda x: x * x, [1.5], hand=[4.0])


def test_chain_rule_steps_match_gradients_bit_for_bit():
    x, w = Value(0.5, label="x"), Value(-2.0, label="w")
    h = (x * w).tanh()
    out = h * h + x
    steps = autograd.chain_rule(out)
    grads = autograd.gradients(out)
    ops = list(reversed(autograd.topological_order(out, leaves=False)))
    assert [s[0] for s in steps[:len(ops)]] == ops and all(not terms for _, _, terms in steps[len(ops):])
    assert {node for node, _, _ in steps} == set(grads)
    for node, g, terms in steps:
        assert g == grads[node]
        assert [(p, d, t) for p, d, t in terms] == [(p, d, g * d) for p, d in
                                                   zip(node.parents, autograd.local_derivatives(node))]
    received = {}
    for node, g, terms in steps:
        for parent, _, term in terms:
            received[parent] = term if parent not in received else received[parent] + term
    assert all(received[node] == grads[node] for node in grads if node is not out)


def test_zero_to_a_constant_zero_power_has_slope_zero_as_in_torch():
    # x^0 is 1 for every x, 0^0 too: ∂/∂x = y x^(y-1) is 0 · 0^-1 at x = y = 0, which torch takes as 0.
    x = Value(0.0)
    y = autograd.apply("**", x, 0.0)
    y.backward()
    assert x.grad == 0.0 and y.data == 1.0
    program = autograd.compile(autograd.apply("**", x, 0.0) * Value(2.0, label="w", requires_grad=False), inputs=[x],
                               parameters=[])
    assert program(np.array([[0.0], [3.0]])).tolist() == [2.0, 2.0]


@pytest.mark.parametrize("x0, y0", [(0.0, 0.0), (0.0, 2.0), (3.0, 0.0), (0.5, 1.5)])
def test_the_slope_in_the_exponent_at_a_zero_base_is_torchs(x0, y0):
    # ∂(x^y)/∂y = x^y ln x is 1 · ln 0 at x = y = 0; torch takes it as 0 (as it does for 0 ** y),
    # and so does the table, on every path: the scalar engine, create_graph and the compiled one.
    from tests.support import require_torch
    require_torch()
    from autograd.higher import as_float as as_number
    import torch
    tx, ty = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x0, y0))
    t_first = torch.autograd.grad(tx ** ty, (tx, ty), create_graph=True)
    t_mixed = torch.autograd.grad(t_first[1], (tx, ty))
    ty_alone = torch.tensor(y0, dtype=torch.float64, requires_grad=True)
    (t_constant_base,) = torch.autograd.grad(x0 ** ty_alone, ty_alone)
    x, y = Value(x0), Value(y0)
    (x ** y).backward()
    assert [x.grad, y.grad] == [g.item() for g in t_first]
    if x0 == 0 and y0 <= 1:  # ∂z/∂y's own slope in x, x^(y-1)(1 + y ln x), is infinite (torch: nan)
        # at y = 0 the slope in y of ∂z/∂x = y x^(y-1) is infinite too, and is met first
        with pytest.raises(FloatingPointError, match=r"node \(op \*\*, data 1\) into input [01] \(data 0\) is 0\b.* infinite"):
            autograd.grad(x ** y, [x, y], create_graph=True)
    else:
        first = autograd.grad(x ** y, [x, y], create_graph=True)
        assert [as_number(g) for g in first] == [g.item() for g in t_first]
    if x0 > 0:  # at x = 0 torch's second derivatives are nan (its mask's own backward)
        assert autograd.grad(first[1], [x, y]) == pytest.approx([g.item() for g in t_mixed], rel=1e-15)
    z = Value(y0)
    (x0 ** z).backward()
    assert z.grad == t_constant_base.item()
    program = autograd.compile(x ** y, inputs=[x], parameters=[y])
    program.gradient(np.array([[x0]]))
    assert program.grad.tolist() == [t_first[1].item()]


# --- in place: torch's `p -= lr * p.grad` under no_grad() ---------------------------------

def test_an_in_place_update_under_no_grad_changes_the_leaf_itself():
    """Without __isub__, `p -= lr * p.grad` rebound a local name to a new constant and left the
    model's p as it was: a torch-style training loop trained nothing, silently."""
    p = Value(2.0, label="p")
    params = [p]
    (p * p).backward()
    with autograd.no_grad():
        for q in params:
            q -= 0.25 * q.grad
            q *= 2.0
            q += 1.0
            q /= 4.0
    assert params[0] is p and p.data == ((2.0 - 0.25 * 4.0) * 2.0 + 1.0) / 4.0
    assert p.requires_grad and p.op == "" and p.label == "p"


def test_in_place_with_grad_on_or_on_an_op_node_makes_a_new_node():
    """`total += loss` builds the sum's graph, as `total = total + loss`; an op node is part of
    a graph, so its data is never changed in place, under no_grad either."""
    x = Value(3.0, label="x")
    total = Value(0.0)
    before = total
    total += x * x
    assert total is not before and before.data == 0.0 and total.op == "+"
    total.backward()
    assert x.grad == 6.0
    with autograd.no_grad():
        h = x * 2.0  # under no_grad: a constant leaf, changed in place as torch would
        h += 1.0
        assert h.data == 7.0
    y = x * 2.0
    with autograd.no_grad():
        z = y
        z += 1.0
    assert y.data == 6.0 and z is not y and z.data == 7.0


def test_an_in_place_update_that_fails_names_the_op_and_leaves_the_leaf_as_it_was():
    p = Value(2.0, label="p")
    with autograd.no_grad():
        with pytest.raises(ZeroDivisionError, match="/"):
            p /= 0.0
        with pytest.raises(OverflowError):
            p *= 1e308
        with pytest.raises(TypeError):
            p -= "0.1"
    assert p.data == 2.0


def test_a_torch_style_training_loop_with_in_place_updates_matches_torch():
    from tests.support import require_torch
    require_torch()
    import torch
    w, b = Value(0.5, label="w"), Value(-0.3, label="b")
    wt = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(-0.3, dtype=torch.float64, requires_grad=True)
    data = [(1.0, 2.0), (-0.5, 0.1), (2.0, 3.5)]
    for _ in range(5):
        for x, y in data:
            for p in (w, b):
                p.grad = 0.0
            loss = (w * x + b - y) ** 2
            loss.backward()
            with autograd.no_grad():
                for p in (w, b):
                    p -= 0.05 * p.grad
            lt = (wt * x + bt - y) ** 2
            wt.grad = bt.grad = None
            lt.backward()
            with torch.no_grad():
                for p in (wt, bt):
                    p -= 0.05 * p.grad
    assert abs(w.data - wt.item()) < 1e-14 and abs(b.data - bt.item()) < 1e-14


# --- autograd.grad and backward take torch's arguments -------------------------------------

def test_grad_toward_a_constant_raises_naming_it_as_torch():
    """A constant has no gradient: backward leaves its .grad 0.0, and grad gave -2.0 (or 0.0 for
    ∂(x^c)/∂c = nan at x < 0)."""
    from tests.support import require_torch
    require_torch()
    import torch

    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad(torch.tensor(-2.0, requires_grad=True) * torch.tensor(3.0),
                            [torch.tensor(3.0)])
    x, c = Value(-2.0, label="x"), Value(3.0, label="c", requires_grad=False)
    for create_graph in (False, True):
        for out in (x * c, x ** c):
            with pytest.raises(RuntimeError, match=r"^grad: inputs\[1\] 'c' \(leaf, data 3\) does not require grad"
                                                   r".*One of the differentiated Tensors does not require grad"):
                autograd.grad(out, [x, c], create_graph=create_graph)
    with pytest.raises(RuntimeError, match=r"inputs\[0\] \(leaf, data 2\) does not require grad"):
        autograd.grad(x * 2.0, (x * 2.0).parents[1])


def test_retain_graph_is_taken_and_changes_nothing():
    x = Value(2.0)
    y = x * x
    y.backward(retain_graph=True)
    y.backward(retain_graph=False)
    assert x.grad == 8.0
    assert autograd.grad(y, x, retain_graph=True) == 4.0
    with pytest.raises(TypeError, match="backward retain_graph: expected True or False, got str"):
        y.backward(retain_graph="yes")
    with pytest.raises(TypeError, match="grad retain_graph"):
        autograd.grad(y, x, retain_graph=1)


def test_backward_with_a_value_seed_takes_its_number_as_torch_a_tensor():
    x = Value(2.0)
    (x * x).backward(gradient=Value(3.0))
    assert x.grad == 12.0 and type(x.grad) is float


def test_grad_of_several_outputs_with_grad_outputs_equals_torch():
    """Σ_i grad_outputs_i · ∂y_i/∂x, as torch.autograd.grad(outputs, inputs, grad_outputs)."""
    from tests.support import require_torch
    require_torch()
    import torch

    def fs(a, b):
        return [a * a * b, (a * b).sin(), b.exp()]

    point, seeds = (0.7, -1.3), (2.0, -0.5, 3.0)
    ta, tb = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point)
    t_outputs = fs(ta, tb)
    theirs = torch.autograd.grad(t_outputs, [ta, tb], grad_outputs=[torch.tensor(s, dtype=torch.float64)
                                                                    for s in seeds], create_graph=True)
    t_plain = torch.autograd.grad(fs(ta, tb), [ta, tb])
    t_second = torch.autograd.grad(theirs[0], [ta, tb])
    a, b = Value(point[0]), Value(point[1])
    outputs = fs(a, b)
    assert autograd.grad(outputs, [a, b], grad_outputs=list(seeds)) == pytest.approx(
        [float(t.detach()) for t in theirs], rel=1e-15)
    assert autograd.grad(outputs, [a, b]) == pytest.approx([float(t) for t in t_plain], rel=1e-15)
    ours = autograd.grad(outputs, [a, b], grad_outputs=[Value(s) for s in seeds], create_graph=True)
    assert autograd.grad(ours[0], [a, b]) == pytest.approx([float(t) for t in t_second], rel=1e-15)
    assert autograd.grad(outputs[0], a, grad_outputs=3.0) == pytest.approx(3.0 * 2 * 0.7 * -1.3, rel=1e-15)
    with pytest.raises(ValueError, match="grad: 2 grad_outputs for 3 outputs"):
        autograd.grad(outputs, a, grad_outputs=[1.0, 2.0])
    with pytest.raises(TypeError, match=r"grad: outputs\[1\] is float"):
        autograd.grad([outputs[0], 1.0], a)


def test_grad_of_an_unused_input_is_0_by_default_none_or_an_error_as_asked():
    """The default stays the documented 0.0; allow_unused=True gives torch's None and
    allow_unused=False torch's RuntimeError."""
    x, unused = Value(2.0), Value(3.0, label="u")
    assert autograd.grad(x * x, [x, unused]) == [4.0, 0.0]
    assert autograd.grad(x * x, [x, unused], allow_unused=True) == [4.0, None]
    assert autograd.grad(x * x, unused, create_graph=True, allow_unused=True) is None
    for create_graph in (False, True):
        with pytest.raises(RuntimeError, match=r"^grad: inputs\[1\] 'u' \(leaf, data 3\) is not used in the graph"
                                               r".*appears to not have been used in the graph"):
            autograd.grad(x * x, [x, unused], create_graph=create_graph, allow_unused=False)


def test_gradients_and_chain_rule_take_a_value_seed_as_backward_does():
    """backward(gradient=Value(3.0)) seeds 3; gradients and chain_rule refused the same seed
    with a TypeError ("got a Value (use it directly, or its .data)")."""
    x = Value(2.0)
    y = x * x
    assert autograd.gradients(y, gradient=Value(3.0))[x] == 12.0
    steps = autograd.chain_rule(y, gradient=Value(3.0))
    assert steps[0][1] == 3.0 and type(steps[0][1]) is float
    assert {node: g for node, g, _ in steps}[x] == 12.0


def test_an_update_under_torchs_no_grad_is_refused_where_it_would_train_nothing():
    """torch.no_grad() is no mode of this engine's: `p -= lr * p.grad` under it would make a
    new node and leave the parameter as it was."""
    from tests.support import require_torch
    require_torch()
    import torch
    w = Value(0.5, label="w")
    (w * 3.0).backward()
    with torch.no_grad():
        with pytest.raises(RuntimeError, match=r"in-place update of the leaf 'w' .* under torch.no_grad\(\), which "
                                               r"tracegrad does not see.*Use `with autograd.no_grad\(\):`"):
            w -= 0.1 * w.grad
        node = Value(1.0) * 2.0
        node += 1.0  # an op node's += builds the graph, with or without torch's mode
        assert node.data == 3.0 and node.op == "+"
    assert w.data == 0.5
    with autograd.no_grad(), torch.no_grad():
        w -= 0.1 * w.grad
    assert w.data == 0.5 - 0.1 * 3.0
