"""backward_steps: the learner's walk through backprop must be the engine's, number for number,
in the order the notes teach, in words a person can read."""

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
import viz
from autograd import Value
from autograd.engine import gradients
from viz.collapse import consumers_of
from viz.style import compact

UNARY = ["tanh", "sigmoid", "neg", "square", "exp_tanh"]
BINARY = ["+", "-", "*"]
NARY = ["sum", "dot"]


@st.composite
def random_graphs(draw):
    """A random graph over a few leaves where ops pick ANY earlier node as input, so values
    are re-used (x * x, diamonds a -> b, a -> c, (b, c) -> d) and some feed many consumers.
    Some nodes get labels, some are left unlabelled (their names must still be readable)."""
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
        if draw(st.booleans()):
            node.label = f"n{len(nodes)}"
        if draw(st.integers(0, 4)) == 0:  # now and then a number the engine makes into a leaf
            node = node * 0.5
        nodes.append(node)
    # the root re-uses several nodes so that diamonds close
    tail = nodes[-draw(st.integers(1, min(3, len(nodes)))):]
    return autograd.sum(tail) if draw(st.booleans()) else tail[-1]


def node_steps(steps):
    return [s for s in steps if s.kind in ("seed", "node")]


def real_consumers(root):
    """{value: the nodes whose gradient it waits for}, looking through single-input Σ nodes."""
    order = autograd.topological_order(root)
    consumers = consumers_of(order)
    aliases = viz.scene.single_input_sums(order, consumers)
    aliases.pop(root, None)

    def of(value):
        found = []
        for c in consumers[value]:
            found += of(c) if c in aliases else [c]
        return found
    return {v: of(v) for v in order}, aliases


@settings(max_examples=120, deadline=None)
@given(random_graphs())
def test_every_step_gives_the_engines_gradient_exactly(root):
    steps = viz.backward_steps(root)
    engine = gradients(root)
    order = autograd.topological_order(root)
    _, aliases = real_consumers(root)
    assert steps[0].kind == "forward" and steps[0].node is None and steps[0].grad is None
    assert steps[1].kind == "seed" and steps[1].node is root and steps[1].grad == 1.0
    stepped = [s.node for s in node_steps(steps)]
    # every value once, except constants (numbers the engine made into leaves) and single-input Σs
    expected = {v for v in order if v is root or (v not in aliases and v.requires_grad)}
    assert len(stepped) == len(set(stepped)) and set(stepped) == expected
    for step in node_steps(steps):
        assert step.grad == engine[step.node]  # bit for bit, not approximately
    autograd.zero_grad(root)
    root.backward()
    assert all(step.grad == step.node.grad for step in node_steps(steps))


@settings(max_examples=120, deadline=None)
@given(random_graphs())
def test_the_order_is_reverse_topological_and_goes_nearest_the_output_first(root):
    steps = viz.backward_steps(root)
    waits_for, _ = real_consumers(root)
    position = {s.node: i for i, s in enumerate(node_steps(steps))}
    for node, i in position.items():
        assert all(position[c] < i for c in waits_for[node] if c in position)  # consumers first
    if any(v.op in ("dot", "dot_data") for v in position):
        return  # a graph of neurons goes by layers instead: see the Figure 5 and MLP tests
    level = {}  # the longest distance to the root
    for node in sorted(position, key=position.get):
        level[node] = 1 + max((level[c] for c in waits_for[node] if c in level), default=-1)
    done = set()
    for node in sorted(position, key=position.get):
        ready = [v for v in position if v not in done and all(c in done for c in waits_for[v] if c in position)]
        assert node in ready
        assert level[node] == min(level[v] for v in ready)  # never a farther node while a closer one waits
        done.add(node)


@settings(max_examples=80, deadline=None)
@given(random_graphs())
def test_each_step_lists_every_chain_rule_term_it_received(root):
    steps = viz.backward_steps(root)
    number_of = {s.node: s.number for s in node_steps(steps)}
    waits_for, aliases = real_consumers(root)
    for step in node_steps(steps)[1:]:
        node = step.node
        expected_terms = sum(1 for consumer in set(waits_for[node]) for p in consumer.parents
                             if p is node or aliases.get(p) is node)
        assert len(step.terms) == expected_terms >= 1
        for term in step.terms:
            assert number_of[term.consumer] < step.number  # a consumer's gradient is complete first
            assert term.consumer_grad == steps[number_of[term.consumer]].grad
            locals_ = autograd.local_derivatives(term.consumer)
            assert term.local in [d for p, d in zip(term.consumer.parents, locals_)]
            assert term.product == term.consumer_grad * term.local
        # The engine adds the terms in float, one after another: it differs from their exact sum
        # by rounding of the terms' size (which, where they cancel, can dwarf the sum itself).
        size = math.fsum(abs(t.product) for t in step.terms)
        assert abs(math.fsum(t.product for t in step.terms) - step.grad) <= 1e-12 * size
        assert step.text.endswith("= " + compact(step.grad))


@settings(max_examples=80, deadline=None)
@given(random_graphs())
def test_no_step_names_a_value_by_an_internal_number(root):
    for step in viz.backward_steps(root):
        assert not re.search(r"#\d", step.text), step.text


def test_the_text_writes_out_the_chain_rule_with_numbers():
    x = Value(2.0, label="x")
    y = x * x + x
    y.label = "y"
    steps = viz.backward_steps(y)
    assert steps[1].text == "Seed: ∂y/∂y = 1."
    last = steps[-1]
    assert last.node is x and last.grad == 5.0
    assert last.text == ("∂y/∂x = ∂y/∂x (direct input of +) + ∂y/∂(x · x) · ∂(x · x)/∂x (1st input of ×)"
                         " + ∂y/∂(x · x) · ∂(x · x)/∂x (2nd input of ×) = 1 + 1 × 2 + 1 × 2 = 1 + 2 + 2 = 5")
    assert "?" in steps[0].text and "∂out/∂in" in steps[0].text


def test_unlabelled_nodes_are_named_by_what_they_compute():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = Value(10.0, label="c")
    f = Value(-2.0, label="f")
    L = ((a * b + c) * f).tanh() ** 2
    names = {s.node: s.text.split(" = ")[0] for s in node_steps(viz.backward_steps(L))}
    assert set(names.values()) == {"Seed: ∂out/∂out", "∂out/∂tanh((a · b + c) · f)", "∂out/∂((a · b + c) · f)",
                                   "∂out/∂(a · b + c)", "∂out/∂(a · b)", "∂out/∂a", "∂out/∂b", "∂out/∂c",
                                   "∂out/∂f"}


def test_a_node_read_twice_reads_as_one_operand_in_the_name_of_its_consumer():
    """xy = x · y; C = xy · xy: C is (x · y) · (x · y), not x · y · x · y, which hides that one
    node is read twice; a chain a · b · c and the notes' w·a + b keep their reading."""
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    xy = x * y
    C = (xy * xy).tanh()
    names = {s.node: s.text.split(" = ")[0] for s in node_steps(viz.backward_steps(C))}
    assert names[C.parents[0]] == "∂out/∂((x · y) · (x · y))"
    a, b, c, d = (Value(float(k), label=n) for k, n in zip(range(1, 5), "abcd"))
    cases = [(a * b * c, "a · b · c"), (a * (b * c), "a · (b · c)"), (a * (b / c), "a · (b / c)"),
             ((a / b) * (c / d), "(a / b) · (c / d)"), (a + (b + c), "a + (b + c)"),
             ((a + b) + (c + d), "(a + b) + (c + d)"), (a * b + c * d, "a · b + c · d"),
             (a + b + c, "a + b + c"), (a - (b - c), "a − (b − c)"), (a * b - c, "a · b − c"),
             (autograd.sum([a + b, c]), "(a + b) + c"), (autograd.sum([a * b, c]), "a · b + c")]
    for expression, name in cases:
        assert _name_in_steps(expression) == name


def test_a_negative_right_operand_is_bracketed_in_a_name():
    """a · (-2), a − (-2), a + (−b), as the notes write them: a · -2 and a − -2 read as one
    operator too many; a negative left operand needs none (−b · a)."""
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    cases = [(a * -2, "a · (-2)"), (a - -2, "a − (-2)"), (a + -b, "a + (−b)"), (a / -b, "a / (−b)"),
             (-b * a, "−b · a"), (-2 + a, "-2 + a"), (autograd.sum([-b, a, -2]), "−b + a + (-2)")]
    for expression, name in cases:
        assert _name_in_steps(expression) == name


def _name_in_steps(value):
    """How the steps of tanh(value) name value, unbracketed."""
    (step,) = [s for s in node_steps(viz.backward_steps(value.tanh())) if s.node is value]
    return step.text.split(" = ")[0].removeprefix("∂out/∂(").removesuffix(")")


def test_step_nodes_are_named_with_their_threshold():
    """Two step nodes of x, thresholds 0.5 and 0.7: step≥0.5(x) and step≥0.7(x), as their op
    nodes are drawn, not step(x) and a fallback step≥0.7 node 1."""
    x = Value(0.6, label="x")
    s1, s2 = x.step(0.5), x.step(0.7)
    out = s1 + s2
    names = {s.node: s.text.split(" = ")[0] for s in node_steps(viz.backward_steps(out))}
    assert names[s1] == "∂out/∂step≥0.5(x)" and names[s2] == "∂out/∂step≥0.7(x)"


def test_nodes_that_differ_only_by_an_op_constant_read_as_what_they_compute():
    """x ** 2 and x ** 2.00002 are x² and x^2.00002, not x² and x^2 (as if it were x²); 1.00001 ** x
    is not 1^x; step thresholds 0.50001 and 0.50002 are both in their names."""
    x = Value(0.3, label="x")
    nodes = [x ** 2, x ** 2.00002, 1.00001 ** x, 1.00002 ** x, x.step(0.50001), x.step(0.50002), x ** -1.5]
    out = autograd.sum(nodes)
    names = {s.node: s.text.split(" = ")[0] for s in node_steps(viz.backward_steps(out))}
    assert [names[n] for n in nodes] == ["∂out/∂x²", "∂out/∂x^2.00002", "∂out/∂1.00001^x", "∂out/∂1.00002^x",
                                         "∂out/∂step≥0.50001(x)", "∂out/∂step≥0.50002(x)", "∂out/∂x^-1.5"]


def test_ops_whose_symbol_is_a_formula_name_their_own_input():
    """log1p(y) is ln(1 + y), expm1(y) is e^y − 1: never ln(1+x)(y), which names an x."""
    y = Value(0.5, label="y")
    a, b = y.log1p(), y.expm1()
    names = {s.node: s.text.split(" = ")[0] for s in node_steps(viz.backward_steps(a * b))}
    assert names[a] == "∂out/∂ln(1 + y)" and names[b] == "∂out/∂(e^y − 1)"


def test_two_unlabelled_inputs_holding_one_number_are_not_one_name_in_the_steps():
    """micrograd never labels a Value: a = Value(2.0); b = Value(2.0) must not both be ∂out/∂2."""
    a, b = Value(2.0), Value(2.0)
    c = a * b + 2
    texts = {s.node: s.text for s in node_steps(viz.backward_steps(c))}
    assert texts[a] == "∂out/∂v1 = ∂out/∂(v1 · v2) · ∂(v1 · v2)/∂v1 = 1 × 2 = 2"
    assert texts[b] == "∂out/∂v2 = ∂out/∂(v1 · v2) · ∂(v1 · v2)/∂v2 = 1 × 2 = 2"


@st.composite
def graphs_of_lookalikes(draw):
    """Graphs whose values would read alike: unlabelled leaves holding one number, equal
    labels, constants of one number (x * 2), the same op of the same inputs computed twice."""
    nodes = [Value(2.0) for _ in range(draw(st.integers(1, 3)))]
    nodes += [Value(1.0, label="a") for _ in range(draw(st.integers(0, 2)))]
    for _ in range(draw(st.integers(1, 8))):
        x, y = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        kind = draw(st.sampled_from(["*", "+", "* 2", "tanh"]))
        node = {"*": lambda: x * y, "+": lambda: x + y, "* 2": lambda: x * 2.0, "tanh": lambda: x.tanh()}[kind]()
        if draw(st.integers(0, 3)) == 0:
            node.label = "n"
        nodes.append(node)
    return autograd.sum(nodes[-2:]) if draw(st.booleans()) else nodes[-1]


@settings(max_examples=80, deadline=None)
@given(graphs_of_lookalikes())
def test_no_two_values_share_a_name_and_the_picture_and_steps_use_the_same_one(root):
    scene = viz.scene.build_scene(root)
    titles = [box.title for box in scene.boxes]
    assert len(titles) == len(set(titles)), titles
    heads = {s.node: s.text.split(" = ")[0] for s in node_steps(viz.backward_steps(root))}
    assert len(set(heads.values())) == len(heads), heads
    for node, head in heads.items():
        name = scene.names[node]
        assert head.endswith((f"/∂{name}", f"/∂({name})")), (head, name)


def test_a_long_expression_gets_a_short_descriptive_name():
    xs = [Value(float(k), label=f"x_{k}") for k in range(1, 12)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x
    out = total * 2.0
    text = " ".join(s.text for s in viz.backward_steps(out))
    assert "+ node" in text and not re.search(r"#\d", text)


def test_negative_numbers_are_bracketed_and_digits_are_configurable():
    w, x = Value(-3.0, label="w"), Value(1.0 / 3.0, label="x")
    z = w * x
    z.label = "z"
    steps = viz.backward_steps(z, digits=2)
    texts = {s.node: s.text for s in steps}
    assert texts[w] == "∂z/∂w = ∂z/∂z · ∂z/∂w = 1 × 0.33 = 0.33"
    assert texts[x] == "∂z/∂x = ∂z/∂z · ∂z/∂x = 1 × (-3) = -3"


def test_a_leaf_root_has_only_the_seed_step():
    x = Value(1.5, label="x")
    steps = viz.backward_steps(x)
    assert [s.kind for s in steps] == ["forward", "seed"] and steps[1].grad == 1.0


def test_constants_get_no_step_and_a_single_input_sum_is_its_input():
    x = Value(0.5, label="x")
    y = Value(2.0, label="y")
    C = 0.5 * autograd.sum([(y - x) ** 2])
    C.label = "C"
    steps = viz.backward_steps(C, constants=[y])
    stepped = [s.node for s in node_steps(steps)]
    assert y not in stepped and all(v.requires_grad for v in stepped)  # no y, no 1/2
    assert not any(v.op == "sum" for v in stepped)
    assert steps[2].text.startswith("∂C/∂(y − x)² = ∂C/∂C · ∂C/∂(y − x)² = 1 × 0.5")
    assert steps[-1].node is x and steps[-1].grad == gradients(C)[x]


def test_gradients_after_a_step_are_those_known_then():
    x = Value(0.5, label="x")
    y = (x * 3.0).tanh()
    steps = viz.backward_steps(y)
    assert viz.gradients_after(steps, 0) == {}
    assert viz.gradients_after(steps, 1) == {y: 1.0}
    engine = gradients(y)
    assert viz.gradients_after(steps, len(steps) - 1) == {v: g for v, g in engine.items() if v.requires_grad}


def test_a_step_does_not_touch_grad():
    x = Value(0.5, label="x")
    y = x.sigmoid()
    viz.backward_steps(y)
    assert x.grad == 0.0 and y.grad == 0.0


def test_a_non_value_is_refused():
    with pytest.raises(TypeError, match="backward_steps.*float"):
        viz.backward_steps(1.0)


# --- where backward raises, the steps say so, and show no nan or inf ----------------------

@pytest.mark.parametrize("build", [
    lambda: (-2.0) ** Value(3.0, label="y"),
    lambda: (Value(1e-300, label="x") * 1e300) * 1e300,
    lambda: Value(0.0, label="x").sqrt() * 2.0,
], ids=["negative base", "overflowing product", "infinite local derivative"])
def test_where_backward_raises_the_last_step_is_its_error(build):
    root = build()
    with pytest.raises((ArithmeticError, ValueError)) as raised:
        root.backward()
    steps = viz.backward_steps(root)
    assert steps[-1].kind == "error"
    assert str(raised.value) in steps[-1].text and type(raised.value).__name__ in steps[-1].text
    for step in steps:
        assert not re.search(r"\b(nan|inf)\b", step.text.split("raises")[0]), step.text
        assert step.grad is None or math.isfinite(step.grad)


# --- the notes' order and words on the notes' network ------------------------------------

def figure5():
    from demos import notes_network
    from demos.notes_examples import Figure5
    f = Figure5()
    return f, dict(parameters=notes_network.parameters(f), constants=notes_network.targets(f))


def test_figure5_goes_layer_by_layer_as_the_notes_teach():
    f, roles = figure5()
    steps = viz.backward_steps(f.cost, **roles)
    walk = [s.node.label or s.text.split(" = ")[0] if s.node is not None else s.kind for s in steps[1:]]
    expected = ["C", "∂C/∂(y_1 − a(4)_1)²", "∂C/∂(y_1 − a(4)_1)", "a(4)_1", "z(4)_1", "layer",
                "w(4)_1,1", "w(4)_1,2", "w(4)_1,3", "b(4)_1",
                "a(3)_1", "z(3)_1", "a(3)_2", "z(3)_2", "a(3)_3", "z(3)_3", "layer"]
    for j in (1, 2, 3):
        expected += [f"w(3)_{j},1", f"w(3)_{j},2", f"b(3)_{j}"]
    expected += ["a(2)_1", "z(2)_1", "a(2)_2", "z(2)_2", "layer"]
    for j in (1, 2):
        expected += [f"w(2)_{j},{k}" for k in (1, 2, 3, 4)] + [f"b(2)_{j}"]
    expected += ["x_1", "x_2", "x_3", "x_4"]
    assert walk == expected
    engine = gradients(f.cost)
    assert all(s.grad == engine[s.node] for s in node_steps(steps))


def test_figure5_steps_speak_the_notes_words_with_numbers():
    f, roles = figure5()
    steps = viz.backward_steps(f.cost, **roles)
    by_label = {s.node.label: s.text for s in node_steps(steps) if s.node.label}
    engine = gradients(f.cost)
    z41 = next(s.node for s in node_steps(steps) if s.node.label == "z(4)_1")
    assert by_label["z(4)_1"].startswith("δ(4)_1 = ∂C/∂z(4)_1 = ∂C/∂a(4)_1 · σ′(z(4)_1) = ")
    assert by_label["z(4)_1"].split("\n")[0].endswith(compact(engine[z41]))
    assert by_label["w(3)_2,1"].startswith("∂C/∂w(3)_2,1 = δ(3)_2 · a(2)_1 = ") and "(BP3)" in by_label["w(3)_2,1"]
    assert by_label["b(2)_1"].startswith("∂C/∂b(2)_1 = δ(2)_1 = ") and "(BP4)" in by_label["b(2)_1"]
    assert by_label["a(3)_2"].startswith("∂C/∂a(3)_2 = Σ_j δ(4)_j · w(4)_j,2 = δ(4)_1 · w(4)_1,2 = ")
    layers = [s.text for s in steps if s.kind == "layer"]
    assert [t.split(":")[0] for t in layers] == ["Layer 4 done", "Layer 3 done", "Layer 2 done"]
    assert "(BP1" in layers[0] and "(BP2)" in layers[1] and "(BP2)" in layers[2]
    # the vector δ(l) is written out, and it equals the scalar steps
    for l, text in zip((4, 3, 2), layers):
        deltas = "(" + ", ".join(compact(d) for d in f.dC_dz[l]) + ")"
        assert deltas in text and "The same numbers" in text
    for step in steps:
        assert not re.search(r"#\d", step.text)


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3), inputs=st.integers(1, 3),
       activation=st.sampled_from(["sigmoid", "tanh", "relu"]), seed=st.integers(0, 10_000))
def test_any_network_goes_cost_then_layers_from_the_output_then_inputs(sizes, inputs, activation, seed):
    from demos.networks import build, half_squared_error, random_layers
    rng = np.random.default_rng(seed)
    weights, biases = random_layers([inputs, *sizes], rng)
    net = build(rng.normal(size=inputs), weights, biases, activation)
    cost = half_squared_error(net.output, [0.5] * sizes[-1])
    targets = [n.parents[0] for n in autograd.topological_order(cost) if n.op == "-"]
    steps = viz.backward_steps(cost, parameters=net.parameters(), constants=targets)
    engine = gradients(cost)
    assert all(s.grad == engine[s.node] for s in node_steps(steps))
    place = {}
    for l in range(1, net.depth + 1):
        rank = net.depth - l + 1
        for j, (z, a) in enumerate(zip(net.z[l], net.a[l])):
            place[a], place[z] = (rank, 0, j, 0), (rank, 0, j, 1)
            for k, w in enumerate(net.weights[l][j]):
                place[w] = (rank, 1, j, k)
            place[net.biases[l][j]] = (rank, 1, j, len(net.weights[l][j]))
    for k, x in enumerate(net.a[0]):
        place[x] = (net.depth + 1, 0, k, 0)
    keys = [place.get(s.node, (0,)) for s in node_steps(steps)]
    assert keys == sorted(keys)  # cost first, then layer L, L-1, ..., then the inputs
    assert sum(s.kind == "layer" for s in steps) == net.depth


def test_a_leaf_is_a_constant_when_it_does_not_require_grad_never_by_its_label():
    made = Value(3.0)  # a leaf made on purpose, unlabelled: an input, named v1 (a number names a constant)
    fixed = Value(2.0, label="c", requires_grad=False)  # labelled, but a constant
    x = Value(0.5, label="b")  # "b" is no parameter by its first letter
    out = made * fixed * x * 4.0  # the 4 is a number the engine makes into a leaf
    steps = viz.backward_steps(out)
    stepped = {s.node for s in node_steps(steps)}
    assert made in stepped and x in stepped and fixed not in stepped
    assert not any(not v.op and v.data == 4.0 for v in stepped)
    assert any(s.text.startswith("∂out/∂v1 = ") for s in steps)
    roles = viz.scene.build_scene(out).role
    assert (roles(made), roles(fixed), roles(x)) == ("input", "constant", "input")


@pytest.mark.parametrize("build, says", [
    (lambda: (-2.0) ** Value(3.0, label="y"),
     "at out: the local derivative ∂out/∂y is undefined here (not a real number), so ∂out/∂y cannot be "
     "computed. backward() raises FloatingPointError: "),
    (lambda: (Value(1e-300, label="x") * 1e300) * 1e300,
     "at (x · 1e+300₁): the term ∂out/∂(x · 1e+300₁) · ∂(x · 1e+300₁)/∂x = 1e+300 × 1e+300 is too large for a "
     "float, so ∂out/∂x cannot be computed. backward() raises FloatingPointError: "),
    (lambda: Value(0.0, label="x").sqrt() * 2.0,
     "at (√x): the local derivative of (√x) is infinite or undefined here (at x = 0), so ∂out/∂x cannot be "
     "computed. backward() raises FloatingPointError: "),
], ids=["negative base", "overflowing product", "infinite local derivative"])
def test_the_error_step_says_in_words_what_failed_before_quoting_the_error(build, says):
    """The step's own words name the local derivative or product that is not finite, with no nan
    or inf; then comes backward()'s error, word for word."""
    root = build()
    with pytest.raises(FloatingPointError) as raised:
        root.backward()
    text = viz.backward_steps(root)[-1].text
    assert text.startswith("Backward stops here " + says + str(raised.value)), text
    assert not re.search(r"\b(nan|inf)\b", text.split("backward() raises")[0])


def test_a_gradient_of_minus_zero_is_what_grad_holds():
    """ReLU's gradient 0 times -2 is -0.0 as a product, but backward() adds it to .grad = 0.0,
    which holds 0.0: every step's gradient is what .grad holds after backward, sign of 0 too."""
    x, w = Value(-1.0, label="x"), Value(-2.0, label="w")
    y = x.relu() * w
    steps = [s for s in viz.backward_steps(y) if s.node is not None]
    y.backward()
    assert repr(x.grad) == "0.0"
    assert [repr(s.grad) for s in steps] == [repr(s.node.grad) for s in steps]


def small_steps():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b).tanh()
    c.label = "c"
    return a, c, viz.backward_steps(c)


@pytest.mark.parametrize("steps, number, error, message", [
    (None, "x", TypeError, r"number='x': expected an int from 0 to 4"),
    (None, True, TypeError, r"number=True"),
    (None, 1.0, TypeError, r"number=1\.0"),
    (None, -1, ValueError, r"number=-1: expected an int from 0 to 4"),
    (None, 5, ValueError, r"number=5: expected an int from 0 to 4"),
    (3, 1, TypeError, r"steps=.*int 3.*viz.backward_steps"),
    ([1, 2], 1, TypeError, r"steps=.*int 1.*viz.backward_steps"),
    ([], 0, ValueError, r"steps=.*no steps"),
])
def test_gradients_after_refuses_a_bad_step_number_or_list_by_name(steps, number, error, message):
    _, _, own = small_steps()
    assert len(own) == 5  # forward, seed c, a · b, a, b: steps 0 to 4
    with pytest.raises(error, match=message):
        viz.gradients_after(own if steps is None else steps, number)


def test_gradients_after_takes_every_step_number_from_0_to_the_last():
    _, c, steps = small_steps()
    assert viz.gradients_after(steps, 0) == {}
    assert viz.gradients_after(steps, len(steps) - 1) == gradients(c)


@pytest.mark.parametrize("digits, error", [(True, TypeError), ("4", TypeError), (0, ValueError), (18, ValueError)])
def test_backward_steps_refuses_bad_digits_by_name(digits, error):
    _, c, _ = small_steps()
    with pytest.raises(error, match=rf"digits={digits!r}: expected an int from 1 to 17"):
        viz.backward_steps(c, digits)


@pytest.mark.parametrize("reference, error, message", [
    ("1.5", TypeError, r"reference\[a\]: expected a real number.*'1\.5'"),
    (True, TypeError, r"reference\[a\]: .*bool"),
    (10 ** 400, ValueError, r"reference\[a\]: .*too large for a float"),
    (float("nan"), ValueError, r"reference\[a\]: expected a finite number, got nan"),
])
def test_a_reference_that_is_not_value_to_number_is_refused_naming_the_entry(reference, error, message):
    a, c, _ = small_steps()
    with pytest.raises(error, match=message):
        viz.compare_gradients(c, {a: reference})


@pytest.mark.parametrize("options, error, message", [
    ({"tolerance": True}, TypeError, r"tolerance: expected a number, got bool True"),
    ({"tolerance": "x"}, TypeError, r"tolerance: expected a real number.*'x'"),
    ({"tolerance": 10 ** 400}, ValueError, r"tolerance: .*too large"),
    ({"tolerance": -1}, ValueError, r"tolerance=-1: expected a number >= 0"),
    ({"name": 3}, TypeError, r"name=3: expected a str"),
])
def test_compare_gradients_refuses_a_bad_tolerance_or_name(options, error, message):
    a, c, _ = small_steps()
    with pytest.raises(error, match=message):
        viz.compare_gradients(c, {a: 1.0}, **options)


def test_compare_gradients_of_a_non_value_names_its_root():
    a, _, _ = small_steps()
    with pytest.raises(TypeError, match=r"viz.compare_gradients: expected the root Value of a graph, got float 3.0"):
        viz.compare_gradients(3.0, {a: 1.0})


def test_a_constant_exponent_at_a_negative_base_is_stepped_as_backward_takes_it():
    x, c = Value(-2.0, label="x"), Value(3.0, requires_grad=False)
    z = x ** c
    steps = viz.backward_steps(z)
    assert [step.kind for step in steps] == ["forward", "seed", "node"] and steps[-1].grad == 12.0
    assert viz.compare_gradients(z, {x: 12.0}).disagree == ()


def test_a_reference_may_hold_zero_dimensional_tensors_and_numpy_numbers():
    from tests.support import require_torch
    require_torch()
    import torch
    a = Value(2.0, label="a")
    d = a * a
    verdict = viz.compare_gradients(d, {a: torch.tensor(4.0, dtype=torch.float64)}, tolerance=np.float32(1e-6))
    assert verdict.disagree == () and verdict.compared == 1
    viz.stepper(d, reference={a: np.float64(4.0)}, tolerance=np.int64(0))  # a page, not a JSON error


def torch_reference():
    """C = tanh(w x)² and PyTorch's float64 gradients of it for x and w."""
    from tests.support import require_torch
    require_torch()
    import torch
    x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    c = (w * x).tanh() ** 2
    c.label = "C"
    tx, tw = (torch.tensor(v.data, dtype=torch.float64, requires_grad=True) for v in (x, w))
    (torch.tanh(tw * tx) ** 2).backward()
    return c, {x: tx.grad.item(), w: tw.grad.item()}


def test_a_reference_value_not_in_the_graph_is_refused_by_its_label():
    c, reference = torch_reference()
    assert viz.compare_gradients(c, reference).agrees  # PyTorch's own: they agree
    other = Value(1.0, label="other")
    for call in (lambda r: viz.compare_gradients(c, r), lambda r: viz.stepper(c, reference=r)):
        with pytest.raises(ValueError, match=r"reference= holds 1 value that is not in the graph of C: other$"):
            call({other: 123.0})
        with pytest.raises(ValueError, match=r"not in the graph of C: other$"):
            call({**reference, other: 123.0})  # one stranger among good entries is still a slip
        with pytest.raises(ValueError, match=r"reference= is empty"):
            call({})


def test_a_verdict_with_nothing_compared_is_never_agreement():
    """(-2) ** p: backward fails at p, so the engine has no gradient for p to compare."""
    a, p = Value(-2.0, label="a"), Value(3.0, label="p")
    out = a ** p
    for verdict in (viz.compare_gradients(out, {p: 1.0}), viz.stepper(out, reference={p: 1.0}).agreement):
        assert not verdict and verdict.compared == 0
        assert verdict.text == "no gradient compared with PyTorch: the engine has none for p"
        assert "agree" not in verdict.text


def test_compare_gradients_takes_the_steppers_reference_name_too():
    x = autograd.Value(0.3, label="x")
    y = x.tanh()
    y.backward()
    assert viz.compare_gradients(y, {x: x.grad}, reference_name="mine").name == "mine"
    with pytest.raises(TypeError, match="name= or reference_name=, not both"):
        viz.compare_gradients(y, {x: x.grad}, name="a", reference_name="b")


def test_a_comparison_with_no_reference_a_role_clash_and_an_unwritable_path_are_named(tmp_path):
    x = autograd.Value(0.3, label="x")
    y = x.tanh()
    y.backward()
    with pytest.raises(TypeError, match="viz.compare_gradients: reference is None"):
        viz.compare_gradients(y, None)
    with pytest.raises(ValueError, match=r"viz: x given both as parameters= and as constants="):
        viz.stepper(y, parameters=[x], constants=[x])
    with pytest.raises(FileNotFoundError, match=r"viz: cannot write .*missing.*page\.html"):
        viz.stepper(y, tmp_path / "missing" / "page.html")


def _labelled(root):
    return {v.label: v for v in autograd.topological_order(root) if v.label}


def _number(x):
    """A number as a step writes it: bracketed when negative."""
    return f"({compact(x)})" if compact(x).startswith("-") else compact(x)


@pytest.mark.parametrize("k", [2.0, 1.0])
@pytest.mark.parametrize("where", ["hidden", "output"])
def test_a_linear_k_activation_is_the_neurons_a_with_f_prime_k(k, where):
    """nn's a = k·z is a × node: it is the neuron's a (f′ = k), and the layers keep their numbers."""
    import nn
    spec = dict(activation=[("linear", k), "sigmoid"]) if where == "hidden" else \
        dict(activation="tanh", output_activation=("linear", k))
    m = nn.MLP(2, [2, 1], seed=0, **spec)
    C = nn.mse(m(nn.inputs([0.4, -0.6])), 1.0)
    C.label = "C"
    steps = viz.backward_steps(C, parameters=m)
    engine, value = gradients(C), _labelled(C)
    layers = [s.text for s in steps if s.kind == "layer"]
    assert [t.split(":")[0] for t in layers] == ["Layer 3 done", "Layer 2 done"]
    assert "(BP1" in layers[0] and "(BP2)" in layers[1]
    l, text = (2, layers[1]) if where == "hidden" else (3, layers[0])
    z = [v for label, v in value.items() if label.startswith(f"z({l})_")]
    a = [value.get(f"a({l})_{j}", zj) for j, zj in enumerate(z, start=1)]  # a = z when k = 1
    vector = lambda xs: "(" + ", ".join(compact(x) for x in xs) + ")"
    # ∂C/∂a (∇_a C in BP1, (w)ᵀδ in BP2) ⊙ f′(z) = (k, …) = δ, each the engine's number
    assert f"= {vector(engine[x] for x in a)} ⊙ {vector([k] * len(a))} = {vector(engine[x] for x in z)}" in text
    if k != 1.0:
        assert next(s.text for s in steps if s.node is z[0]).startswith(
            f"δ({l})_1 = ∂C/∂z({l})_1 = ∂C/∂a({l})_1 · f′(z({l})_1) = "
            f"{_number(engine[a[0]])} × {_number(k)} = {compact(engine[z[0]])}\n")
    # BP3 names the output layer's weights w(3), the hidden layer's w(2)
    for l, layer in ((3, m.layers[1]), (2, m.layers[0])):
        w = layer.neurons[0].w[0]
        assert next(s.text for s in steps if s.node is w).startswith(f"∂C/∂w({l})_1,1 = δ({l})_1 · a({l - 1})_1 = ")


@pytest.mark.parametrize("cost", ["mse", "nll"])
def test_a_softmax_layer_is_stated_with_its_jacobian_and_the_as_real_gradients(cost):
    """softmax is not elementwise: no ∇_a C ⊙ (1, 1, 1); ∇_a C and δ are torch's (0 for an a nll does not read)."""
    from tests.support import require_torch
    require_torch()
    import torch
    import nn
    m = nn.MLP(2, [3], output_activation="softmax", seed=0)
    x = [0.4, -0.6]
    out = m(nn.inputs(x))
    C = nn.mse(out, [0.0, 0.0, 1.0]) if cost == "mse" else nn.nll(out, 2)
    C.label = "C"
    text = next(s.text for s in viz.backward_steps(C, parameters=m) if s.kind == "layer")
    W = torch.tensor([[n.w[k].data for k in range(2)] for n in m.layers[0].neurons], dtype=torch.float64)
    b = torch.tensor([n.b.data for n in m.layers[0].neurons], dtype=torch.float64)
    z = (W @ torch.tensor(x, dtype=torch.float64) + b).requires_grad_()
    a = torch.softmax(z, 0)
    a.retain_grad()
    target = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    (((a - target) ** 2).mean() if cost == "mse" else -torch.log(a[2])).backward()
    engine = gradients(C)
    by_label = _labelled(C)
    grads_a = [engine.get(by_label.get(f"a(2)_{j}"), 0.0) for j in (1, 2, 3)]
    deltas = [engine[by_label[f"z(2)_{j}"]] for j in (1, 2, 3)]
    assert np.allclose(grads_a, a.grad.numpy(), rtol=1e-12, atol=0) and np.allclose(deltas, z.grad.numpy(), rtol=1e-12)
    vector = lambda xs: "(" + ", ".join(compact(v) for v in xs) + ")"
    assert "⊙" not in text.split("\n")[0] and "(1, 1, 1)" not in text
    assert text.startswith("Layer 2 done: δ(2) = ∂C/∂z(2) = J_softmaxᵀ ∇_a C   (BP1 for a softmax output layer)\n")
    assert f"= J_softmaxᵀ {vector(grads_a)} = {vector(deltas)}, the numbers of the steps δ(2)_1 … δ(2)_3" in text


def test_a_value_read_twice_or_by_the_root_names_the_input_each_term_goes_through():
    """One symbol ∂y/∂x never stands for two numbers: x · x names its 1st and 2nd input, and a
    term from C itself among others is its local derivative alone (no ∂C/∂C ·)."""
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    assert viz.backward_steps(y)[-1].text == "∂y/∂x = ∂y/∂x (1st input of ×) + ∂y/∂x (2nd input of ×) = 3 + 3 = 6"
    x = Value(3.0, label="x")
    w = x * x
    w.label = "w"
    C = 2 * w
    C.label = "C"
    assert viz.backward_steps(C)[-1].text == ("∂C/∂x = ∂C/∂w · ∂w/∂x (1st input of ×) + ∂C/∂w · ∂w/∂x (2nd input of ×)"
                                              " = 2 × 3 + 2 × 3 = 6 + 6 = 12")
    import nn
    m = nn.MLP(2, [3], seed=1)
    out = m(nn.inputs([0.2, -0.7]))
    C = nn.cross_entropy(out, 2)
    C.label = "C"
    chain = next(s.text for s in viz.backward_steps(C, parameters=m) if s.node is out[2]).split("\n")[1]
    assert chain.startswith("∂C/∂z(2)_3 = ∂C/∂z(2)_3 (direct input of -) + ∂C/∂logΣexp(") and "∂C/∂C" not in chain


def test_a_label_with_an_operator_is_bracketed_in_the_step_text():
    """micrograd's lecture labels: ∂o/∂(x2*w2), never ∂o/∂x2*w2, which reads as (∂o/∂x2)·w2."""
    x1, x2, w1, w2 = Value(2.0, label="x1"), Value(0.0, label="x2"), Value(-3.0, label="w1"), Value(1.0, label="w2")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    n = x1w1 + x2w2 + Value(6.88, label="b")
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    texts = {s.node: s.text for s in viz.backward_steps(o) if s.node is not None}
    assert texts[x2w2] == f"∂o/∂(x2*w2) = ∂o/∂(x1*w1 + x2*w2) · ∂(x1*w1 + x2*w2)/∂(x2*w2) = {texts[x2w2].split(' = ', 2)[2]}"
    assert texts[w2].startswith("∂o/∂w2 = ∂o/∂(x2*w2) · ∂(x2*w2)/∂w2 = ")


def test_a_label_with_a_newline_is_one_line_of_the_step_text():
    """The stepper shows each line of a step apart: a label's newline is a space in the text."""
    x = Value(3.0, label="weight\nof x")
    y = x * 2
    y.label = "y"
    assert viz.backward_steps(y)[-1].text == "∂y/∂(weight of x) = ∂y/∂y · ∂y/∂(weight of x) = 1 × 2 = 2"


def note_001_neuron_at_house_prices(seed=0):
    """Note 001's linear neuron, C = mean (w·x + b - y)², on 8 points with targets around 2e5:
    its gradients are near 1e6, where one ulp is 1.2e-10. Returns (C, w + [b], X, y)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 3, size=(8, 2))
    y = 2e5 + X @ [3e4, -1e4] + rng.normal(0, 1e3, 8)
    w, b = [Value(0.1, label="w_1"), Value(0.2, label="w_2")], Value(0.0, label="b")
    c = autograd.sum([(autograd.dot(w, list(x), b) - t) ** 2 for x, t in zip(X, y)]) / len(y)
    return c, w + [b], X, y


def stepper_steps(page):
    """The per-step data the stepper page carries (its tg-data script)."""
    import json
    return json.loads(re.search(r'class="tg-data">(.*?)</script>', page.html, re.S)[1])["steps"]


def test_gradients_an_ulp_apart_at_1e6_agree_with_pytorch_in_the_verdict_and_at_each_step():
    from tests.support import require_torch
    require_torch()
    import torch
    c, leaves, X, y = note_001_neuron_at_house_prices()
    tw = torch.tensor([0.1, 0.2], dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    ((torch.tensor(X) @ tw + tb - torch.tensor(y)) ** 2).mean().backward()
    by_torch = dict(zip(leaves, [*tw.grad.tolist(), tb.grad.item()]))
    c.backward()
    # torch's sums round as ours or a few ulps apart, by machine (its matmul's order is its BLAS's)
    assert all(abs(by_torch[p] - p.grad) <= 4 * np.spacing(abs(p.grad)) for p in leaves)
    assert viz.compare_gradients(c, by_torch).agrees
    # exactly one ulp apart at w_1 (1.2e-10), as torch's sums gave on one machine, whatever this one's give
    reference = {p: p.grad for p in leaves}
    reference[leaves[0]] = float(np.nextafter(leaves[0].grad, -np.inf if leaves[0].grad < 0 else np.inf))
    assert abs(reference[leaves[0]] - leaves[0].grad) == np.spacing(abs(leaves[0].grad))
    verdict = viz.compare_gradients(c, reference)
    assert verdict.agrees and verdict.disagree == () and verdict.rtol == 1e-12
    assert verdict.text.startswith("all 3 gradients agree with PyTorch to within 1e-12 + 1e-12 × |gradient| "
                                   "(largest difference 1.2e-10, largest relative 1.2e-16)"), verdict.text
    page = viz.stepper(c, reference=reference)
    assert page.agreement.text == verdict.text and "tg-summary tg-disagree" not in page.html
    beside = [step["reference"] for step in stepper_steps(page) if step["reference"]]
    assert len(beside) == 3 and all("agrees to within 1e-12 + 1e-12 × |gradient|" in text for text in beside)
    assert all(step["agrees"] is not False for step in stepper_steps(page))


def test_pytorch_steppers_verdict_takes_an_ulp_apart_at_1e6_as_agreement():
    """The same neuron as a torch.nn.Linear through viz.pytorch_stepper: torch's sums round
    otherwise, a few ulps at 1e6, and the page still says they agree, summary and steps."""
    from tests.support import require_torch
    require_torch()
    import torch
    largest = 0.0
    for seed in range(5):
        _, _, X, y = note_001_neuron_at_house_prices(seed)
        torch.manual_seed(seed)
        page = viz.pytorch_stepper(torch.nn.Linear(2, 1), X, torch.tensor(y).reshape(8, 1), torch.nn.MSELoss())
        assert page.agreement.agrees, page.agreement.text
        assert "to within 1e-12 + 1e-12 × |gradient|" in page.agreement.text
        assert all(step["agrees"] is not False for step in stepper_steps(page))
        largest = max(largest, page.agreement.largest)
    assert largest > 1e-12  # the relative part was needed: an absolute 1e-12 alone would say "differ"


def test_a_real_gradient_error_still_differs_and_rtol_0_is_the_absolute_rule():
    c, leaves, _, _ = note_001_neuron_at_house_prices()
    c.backward()
    w_1 = leaves[0].grad  # about -9.6e5
    off_by_1e_9 = viz.compare_gradients(c, {leaves[0]: w_1 * (1 + 1e-9)})  # far below a float32 slip
    assert not off_by_1e_9 and off_by_1e_9.disagree[0][0] == "w_1"
    assert off_by_1e_9.text.startswith("1 of 1 gradients differ from PyTorch by more than 1e-12 + 1e-12 × |gradient|")
    one_ulp = {leaves[0]: np.nextafter(w_1, 0)}
    assert viz.compare_gradients(c, one_ulp)
    assert not viz.compare_gradients(c, one_ulp, rtol=0)  # the old, absolute-only rule, if asked for
    assert viz.compare_gradients(c, one_ulp, rtol=0, tolerance=1e-9)
    assert not viz.stepper(c, reference=one_ulp, rtol=0).agreement
    # near 0 the absolute part decides: 1e-13 from 0 agrees, 1e-11 does not
    assert viz.compare_gradients(c, {leaves[0]: w_1}, tolerance=0)  # equal numbers agree at no tolerance
    from viz.reference import within
    assert within(1e-13, 0.0, 1e-12, 1e-12) and not within(1e-11, 0.0, 1e-12, 1e-12)
    assert not within(math.inf, 1e308, 1e-12, 1e-12) and not within(math.nan, 1.0, 1e-12, 1e-12)


@pytest.mark.parametrize("rtol, error, message", [
    (True, TypeError, r"viz: rtol: expected a number, got bool True"),
    ("x", TypeError, r"viz: rtol: expected a real number.*'x'"),
    (10 ** 400, ValueError, r"viz: rtol: .*too large"),
    (-1e-12, ValueError, r"viz: rtol=-1e-12: expected a number >= 0"),
    (1, ValueError, r"viz: rtol=1: expected a number below 1"),
], ids=["True", "'x'", "10**400", "-1e-12", "1"])
@pytest.mark.parametrize("call", ["compare_gradients", "stepper", "stepper without reference"])
def test_a_bad_rtol_is_refused_naming_it(call, rtol, error, message):
    a, c, _ = small_steps()
    with pytest.raises(error, match=message):
        if call == "compare_gradients":
            viz.compare_gradients(c, {a: 1.0}, rtol=rtol)
        else:
            viz.stepper(c, reference={a: 1.0} if call == "stepper" else None, rtol=rtol)


def test_disagreeing_gradients_are_written_alike_so_equal_digits_mean_equal_numbers():
    """Both numbers as repr (the shortest text that reads back as the float): 17 significant
    digits made 0.1 read 0.10000000000000001 beside a gradient of 0.3."""
    x = Value(2.0, label="x")
    y = 0.3 * x
    verdict = viz.compare_gradients(y, {x: 0.1})
    assert verdict.text.endswith("x: 0.3 here, 0.1 in PyTorch"), verdict.text


def _l2_network(kind):
    import nn
    if kind == "2-2-1 sigmoid":
        m = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
        C = nn.mse(m([0.5, -0.2]), 1.0, half=True) + nn.l2(m.parameters(), 0.1)
    elif kind == "2-3-2-3 tanh":
        m = nn.MLP(2, [3, 2, 3], activation="tanh", seed=0)
        C = nn.mse(m(nn.inputs([0.4, -0.6])), [0.0, 0.0, 1.0]) + nn.l2(m.parameters(), 0.01)
    else:
        m = nn.MLP(2, [3, 3], activation="tanh", output_activation="softmax", seed=0)
        C = nn.nll(m(nn.inputs([0.4, -0.6])), 2) + nn.l2(m.parameters(), 0.01)
    C.label = "C"
    return m, C


@pytest.mark.parametrize("kind", ["2-2-1 sigmoid", "2-3-2-3 tanh", "3-3 softmax"])
def test_an_l2_penalty_is_no_neuron_and_is_stepped_as_ordinary_nodes(kind):
    """nn.l2 builds dot(params, params) · λ: its w·w reads weights as inputs, which no neuron
    does (a neuron reads activations or the network's inputs), so it gets no δ, no layer step."""
    m, C = _l2_network(kind)
    steps = viz.backward_steps(C, parameters=m)
    engine = gradients(C)
    assert all(s.grad == engine[s.node] for s in node_steps(steps))
    depth = len(m.layers)
    layers = [s.text.split(":")[0] for s in steps if s.kind == "layer"]
    assert layers == [f"Layer {l} done" for l in range(depth + 1, 1, -1)]
    deltas = [s.text.split(" = ")[0] for s in steps if s.text.startswith("δ(")]
    assert deltas == [f"δ({l + 2})_{j}" for l in reversed(range(depth))
                      for j in range(1, len(m.layers[l].neurons) + 1)]
    penalty = next(v for v in autograd.topological_order(C) if v.label == "L2")
    assert any(s.node is penalty for s in steps)  # the penalty is a step of its own


def test_an_l2_penalty_leaves_the_networks_gradients_those_of_torch():
    from tests.support import require_torch
    require_torch()
    import torch
    m, C = _l2_network("2-2-1 sigmoid")
    steps = {s.node: s.grad for s in node_steps(viz.backward_steps(C, parameters=m))}
    params = list(m.parameters())
    t = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for p in params]
    W2 = [[t[0], t[1]], [t[3], t[4]]]
    b2 = [t[2], t[5]]
    x = [0.5, -0.2]
    a2 = [torch.sigmoid(W2[j][0] * x[0] + W2[j][1] * x[1] + b2[j]) for j in range(2)]
    a3 = torch.sigmoid(t[6] * a2[0] + t[7] * a2[1] + t[8])
    (0.5 * (a3 - 1.0) ** 2 + 0.1 * sum(p * p for p in t)).backward()
    assert [p.label for p in params] == ["w(2)_1,1", "w(2)_1,2", "b(2)_1", "w(2)_2,1", "w(2)_2,2", "b(2)_2",
                                         "w(3)_1,1", "w(3)_1,2", "b(3)_1"]
    assert np.allclose([steps[p] for p in params], [p.grad.item() for p in t], rtol=1e-12, atol=0)


def _no_grad_product():
    with autograd.no_grad():
        return Value(2.0, label="a") * Value(3.0, label="b")


@pytest.mark.parametrize("build", [
    _no_grad_product,
    lambda: Value(3.0, label="c", requires_grad=False),
    lambda: (Value(2.0, label="a") * 3.0).detach(),
], ids=["under no_grad", "constant leaf", "detached"])
def test_a_root_that_does_not_require_grad_ends_with_backwards_refusal(build):
    """backward() refuses such a root before seeding anything: no seed step, and the last step
    says so, then quotes the RuntimeError word for word."""
    root = build()
    with pytest.raises(RuntimeError) as raised:
        root.backward()
    steps = viz.backward_steps(root)
    assert [s.kind for s in steps] == ["forward", "error"]
    assert steps[-1].shows == (root,)
    assert "Seed" not in steps[-1].text
    assert f"backward() raises RuntimeError: {raised.value}\n" in steps[-1].text
    assert steps[-1].text.startswith("Backward cannot start at ")
    assert viz.gradients_after(steps, 1) == {}


def test_step_0_counts_one_value_in_the_singular():
    one = viz.backward_steps(Value(3.0, label="x"))[0].text
    assert one.startswith("Forward pass: the 1 value is given; no gradient known yet") and "1 values" not in one
    three = viz.backward_steps(Value(3.0, label="x") * 2.0)[0].text
    assert three.startswith("Forward pass: all 3 values computed from the inputs; ")


def test_bp2_uses_the_weights_the_forward_pass_read_even_after_an_optimizer_step():
    # A learner takes a training step, then steps through the cost it was computed from: the
    # weights' .data have moved, the graph's gradients (and the per-neuron steps) have not.
    import nn
    model = nn.MLP(2, [2, 2, 1], activation="sigmoid", seed=0)
    cost = nn.mse([model([0.5, -0.2])], [1.0], half=True)
    cost.backward()
    nn.SGD(model.parameters(), lr=0.5).step()
    layers = [s.text for s in viz.backward_steps(cost, parameters=model) if s.kind == "layer"]
    bp2 = [text for text in layers if "(BP2)" in text]
    assert len(bp2) == 2
    for text in bp2:
        assert "bit for bit" in text, text


def test_in_a_batch_each_examples_delta_has_a_symbol_of_its_own():
    # Two examples through one network: z(3)_1 is computed twice (z(3)_1₁, z(3)_1₂ in the
    # picture). The notes' line of each must not call both δ(3)_1 with two different numbers.
    import nn
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
    losses = [nn.bce(model(x), y) for x, y in zip([[0.5, -0.2], [0.1, 0.9]], [1.0, 0.0])]
    cost = (losses[0] + losses[1]) * 0.5
    cost.label = "C"
    steps = viz.backward_steps(cost, parameters=model)
    deltas = [s.text.split(" = ")[0] for s in steps if s.kind == "node" and s.text.startswith("δ(")]
    assert len(deltas) == 6 and len(set(deltas)) == 6, deltas
    assert {"δ(3)_1₁", "δ(3)_1₂", "δ(2)_2₁", "δ(2)_2₂"} <= set(deltas)
    first = next(s.text for s in steps if s.text.startswith("δ(3)_1₁"))
    assert first.startswith("δ(3)_1₁ = ∂C/∂z(3)_1₁ = ∂C/∂a(3)_1₁ · σ′(z(3)_1₁) = ")
    assert any(s.text.startswith("∂C/∂a(2)_1₂ = Σ_j δ(3)_j · w(3)_j,1 = δ(3)_1₂ · w(3)_1,1 = ") for s in steps)
    layers = [s.text for s in steps if s.kind == "layer"]
    assert any(text.endswith("as the steps δ(2)_1₂ … δ(2)_2₂ above.") for text in layers)
    # one example: no index anywhere
    single = viz.backward_steps(nn.bce(model([0.5, -0.2]), 1.0), parameters=model)
    assert not any(c in s.text for s in single for c in "₁₂")
