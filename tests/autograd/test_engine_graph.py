"""Whole graphs: random expression DAGs (re-use, diamonds, every kind of op) against central
differences and against forward-mode dual numbers; topological_order; the 1,000,000-node
chain; and freeing a dropped graph by reference counting alone."""

import gc
import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value

# --- dual numbers: an independent forward-mode reference ---------------------------


class Dual:
    """v + d·ε with ε² = 0: carries a value and its derivative along one input direction."""

    __slots__ = ("v", "d")

    def __init__(self, v, d=0.0):
        self.v, self.d = float(v), float(d)

    @staticmethod
    def lift(x):
        return x if isinstance(x, Dual) else Dual(x)

    def __add__(self, other):
        other = Dual.lift(other)
        return Dual(self.v + other.v, self.d + other.d)

    __radd__ = __add__

    def __sub__(self, other):
        other = Dual.lift(other)
        return Dual(self.v - other.v, self.d - other.d)

    def __rsub__(self, other):
        return Dual.lift(other) - self

    def __mul__(self, other):
        other = Dual.lift(other)
        return Dual(self.v * other.v, self.d * other.v + self.v * other.d)

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = Dual.lift(other)
        return Dual(self.v / other.v, (self.d * other.v - self.v * other.d) / (other.v * other.v))

    def __rtruediv__(self, other):
        return Dual.lift(other) / self

    def __neg__(self):
        return Dual(-self.v, -self.d)

    def __abs__(self):
        return Dual(abs(self.v), math.copysign(1.0, self.v) * self.d if self.v else 0.0)

    def __pow__(self, other):
        if isinstance(other, Dual):
            out = self.v ** other.v
            d_base = other.v * self.v ** (other.v - 1) * self.d
            return Dual(out, d_base + (out * math.log(self.v) * other.d if other.d else 0.0))
        return Dual(self.v ** other, other * self.v ** (other - 1) * self.d if other else 0.0)

    def __rpow__(self, base):
        out = base ** self.v
        return Dual(out, out * math.log(base) * self.d)

    def exp(self):
        return Dual(math.exp(self.v), math.exp(self.v) * self.d)

    def log(self):
        return Dual(math.log(self.v), self.d / self.v)

    def sqrt(self):
        return Dual(math.sqrt(self.v), self.d / (2 * math.sqrt(self.v)))

    def tanh(self):
        t = math.tanh(self.v)
        return Dual(t, (1 - t * t) * self.d)

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.v))
        return Dual(s, s * (1 - s) * self.d)

    def relu(self):
        return Dual(max(self.v, 0.0), self.d if self.v > 0 else 0.0)

    def step(self, threshold=0.0):
        return Dual(1.0 if self.v >= threshold else 0.0, 0.0)


class DualLib:
    """The n-ary functions over dual numbers, written as their plain definitions."""

    @staticmethod
    def sum(xs):
        total = Dual(0.0)
        for x in xs:
            total = total + x
        return total

    @staticmethod
    def dot(ws, xs, bias=None):
        total = DualLib.sum([w * x for w, x in zip(ws, xs)])
        return total if bias is None else total + bias

    @staticmethod
    def logsumexp(xs):
        top = max(x.v for x in xs)
        return DualLib.sum([(x - top).exp() for x in xs]).log() + top

    @staticmethod
    def softmax(xs):
        total = DualLib.sum([x.exp() for x in xs])
        return [x.exp() / total for x in xs]


# --- random programs ----------------------------------------------------------------

UNARY = ["neg", "abs", "tanh", "sigmoid", "relu", "exp", "log", "sqrt", "step", "**k", "c**y", "+c", "c-", "*c", "c/"]
BINARY = ["+", "-", "*", "/", "**"]
NARY = ["sum", "dot", "dot+b", "logsumexp", "softmax"]


@dataclass(frozen=True)
class Instruction:
    op: str
    operands: tuple  # indices of earlier nodes (leaves first, then instructions)
    constant: float = 0.0


def safe(op, args, c):
    """Whether `op` at these operand values is well inside its domain (a central difference
    with eps = 1e-6 then never crosses a domain edge or a kink) and stays small."""
    a = args[0]
    rules = {
        "abs": abs(a) >= 1e-3, "relu": abs(a) >= 1e-3, "step": abs(a - c) >= 1e-3,
        "exp": a <= 4.0, "log": a >= 0.1, "sqrt": a >= 0.1,
        "**k": a >= 0.1 or (c == round(c) and (c > 0 or abs(a) >= 0.1)), "c**y": abs(a) <= 4.0, "c/": abs(a) >= 0.2,
        "/": len(args) > 1 and abs(args[1]) >= 0.2, "**": a >= 0.1 and len(args) > 1 and abs(args[1]) <= 3.0,
    }
    return rules.get(op, True)


@st.composite
def programs(draw, max_leaves=4, max_instructions=12):
    """Leaf values and a list of instructions, each using earlier nodes (so re-use and diamonds
    are common: an operand list may repeat a node, and many instructions share operands)."""
    leaves = draw(st.lists(st.floats(-3.0, 3.0), min_size=1, max_size=max_leaves))
    count = draw(st.integers(2, max_instructions))
    instructions = []
    for i in range(count):
        available = len(leaves) + i
        index = st.integers(0, available - 1)
        kind = draw(st.sampled_from(UNARY + BINARY + NARY))
        if kind in UNARY:
            operands = (draw(index),)
        elif kind in BINARY:
            operands = (draw(index), draw(index))
        elif kind.startswith("dot"):
            n = draw(st.integers(1, 3))
            operands = tuple(draw(st.lists(index, min_size=2 * n + (kind == "dot+b"),
                                           max_size=2 * n + (kind == "dot+b"))))
        else:
            operands = tuple(draw(st.lists(index, min_size=1, max_size=4)))
        constant = draw(st.sampled_from([-2.0, -1.0, 2.0, 3.0]) if kind == "**k" and draw(st.booleans())
                        else st.floats(0.2, 3.0))
        instructions.append(Instruction(kind, operands, constant))
    return leaves, instructions


def evaluate(instruction, nodes, lib):
    """One instruction over Values (lib = autograd) or Duals (lib = DualLib)."""
    op, c = instruction.op, instruction.constant
    args = [nodes[i] for i in instruction.operands]
    a = args[0]
    if op in ("neg", "abs"):
        return -a if op == "neg" else abs(a)
    if op in ("tanh", "sigmoid", "relu", "exp", "log", "sqrt"):
        return getattr(a, op)()
    if op == "step":
        return a.step(c)
    simple = {"**k": lambda: a ** c, "c**y": lambda: c ** a, "+c": lambda: a + c, "c-": lambda: c - a,
              "*c": lambda: a * c, "c/": lambda: c / a}
    if op in simple:
        return simple[op]()
    if op in BINARY:
        b = args[1]
        binary = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b, "**": lambda: a ** b}
        return binary[op]()
    if op == "sum":
        return lib.sum(args)
    if op == "logsumexp":
        return lib.logsumexp(args)
    if op == "softmax":
        return lib.softmax(args)[int(c) % len(args)]
    n = len(args) // 2
    return lib.dot(args[:n], args[n:2 * n], args[2 * n] if op == "dot+b" else None)


def resolve(leaves, instructions):
    """Fix the program at its base point: an instruction that would leave its safe region
    (see `safe`) or produce a value above 100 in size becomes tanh of its first operand."""
    nodes = [Value(x) for x in leaves]
    fixed = []
    for instruction in instructions:
        operand_values = [nodes[i].data for i in instruction.operands]
        node = None
        if safe(instruction.op, operand_values, instruction.constant):
            node = evaluate(instruction, nodes, autograd)
            if abs(node.data) > 100.0:
                node = None
        if node is None:
            instruction = Instruction("tanh", instruction.operands[:1])
            node = evaluate(instruction, nodes, autograd)
        fixed.append(instruction)
        nodes.append(node)
    return fixed


def run(instructions, leaves, lib):
    """The program's output: the sum of every instruction's node, so that every node counts."""
    nodes = list(leaves)
    for instruction in instructions:
        nodes.append(evaluate(instruction, nodes, lib))
    return lib.sum(nodes[len(leaves):]), nodes


def dual_gradient(instructions, point):
    gradient = []
    for i in range(len(point)):
        seeded = [Dual(x, 1.0 if j == i else 0.0) for j, x in enumerate(point)]
        gradient.append(run(instructions, seeded, DualLib)[0].d)
    return gradient


@settings(max_examples=400)
@given(program=programs())
def test_random_graph_matches_forward_mode_dual_numbers(program):
    leaves, instructions = program
    instructions = resolve(leaves, instructions)
    values = [Value(x, label=f"x{i}") for i, x in enumerate(leaves)]
    out, _ = run(instructions, values, autograd)
    engine = autograd.grad(out, values)
    reference = dual_gradient(instructions, leaves)
    assert math.isclose(out.data, run(instructions, [Dual(x) for x in leaves], DualLib)[0].v,
                        rel_tol=1e-12, abs_tol=1e-12)
    scale = max(1.0, *map(abs, reference))
    for i, (got, want) in enumerate(zip(engine, reference)):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12 * scale), (
            f"∂out/∂x{i}: engine {got!r}, dual numbers {want!r}; program {instructions}")


@settings(max_examples=150)
@given(program=programs())
def test_random_graph_matches_central_differences(program):
    leaves, instructions = program
    instructions = resolve(leaves, instructions)
    report = autograd.gradcheck(lambda *values: run(instructions, values, autograd)[0], leaves)
    assert report.ok, f"{instructions}\n{report}"


@settings(max_examples=100)
@given(program=programs())
def test_backward_agrees_with_grad_on_random_graphs(program):
    leaves, instructions = program
    instructions = resolve(leaves, instructions)
    values = [Value(x) for x in leaves]
    out, nodes = run(instructions, values, autograd)
    expected = autograd.grad(out, nodes)
    out.backward()
    assert [node.grad for node in nodes] == expected


# --- topological_order ----------------------------------------------------------------

def ancestors(root):
    seen, stack = {root}, [root]
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


@settings(max_examples=150)
@given(program=programs())
def test_topological_order_lists_every_ancestor_once_after_its_parents(program):
    leaves, instructions = program
    instructions = resolve(leaves, instructions)
    out, _ = run(instructions, [Value(x) for x in leaves], autograd)
    order = autograd.topological_order(out)
    assert order[-1] is out
    assert len(order) == len(set(order)) and set(order) == ancestors(out)
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        assert all(position[parent] < position[node] for parent in node.parents)

    op_nodes = autograd.topological_order(out, leaves=False)
    assert op_nodes == [node for node in order if node.parents]  # the same order, less the leaves
    assert op_nodes[-1] is out
    position = {node: i for i, node in enumerate(op_nodes)}
    for node in op_nodes:
        assert all(position[parent] < position[node] for parent in node.parents if parent.parents)


@settings(max_examples=50)
@given(program=programs())
def test_topological_order_is_deterministic(program):
    """The same program built twice (different objects, different ids) gives the same order."""
    leaves, instructions = program
    instructions = resolve(leaves, instructions)
    orders = []
    for _ in range(2):
        out, nodes = run(instructions, [Value(x) for x in leaves], autograd)
        built = {node: i for i, node in enumerate(nodes)}
        # constants made by the ops are leaves outside `nodes`: name them by their first consumer
        order = autograd.topological_order(out)
        orders.append([built.get(node, ("constant", node.data)) if node is not out else "out" for node in order])
        assert order == autograd.topological_order(out)
    assert orders[0] == orders[1]


def test_topological_order_of_a_diamond():
    a = Value(1.0, label="a")
    b, c = a * 2, a + 1
    d = b * c
    order = autograd.topological_order(d)
    assert len(order) == 6 and order[-1] is d  # a, the constants 2 and 1, b, c, d
    assert order.index(a) < order.index(b) < order.index(d) and order.index(a) < order.index(c) < order.index(d)
    assert autograd.topological_order(d, leaves=False) == [node for node in order if node.parents]


def test_deep_graphs_need_no_recursion():
    x = Value(1.0, label="x")
    y = x
    for _ in range(100_000):
        y = -y
    order = autograd.topological_order(y)
    assert len(order) == 100_001 and order[0] is x and order[-1] is y
    y.grad = x.grad = 5.0
    autograd.zero_grad(y)
    assert x.grad == 0.0 and y.grad == 0.0


def test_a_chain_of_a_million_nodes():
    """y = x + x + ... + x (10^6 additions, each node using the previous one): ∂y/∂x = 10^6 + 1."""
    x = Value(0.5, label="x")
    y = x
    for _ in range(1_000_000):
        y = y + x
    y.backward()
    assert y.data == 0.5 * 1_000_001
    assert x.grad == 1_000_001.0


# --- no reference cycles --------------------------------------------------------------

def values_alive():
    """How many Values exist now: every Value is tracked by the collector, so gc.get_objects()
    lists each one (also while the collector is disabled, which then frees nothing itself)."""
    return sum(isinstance(thing, Value) for thing in gc.get_objects())


def build_use_and_drop_a_graph():
    """Builds a graph with every op, runs everything on it, and drops it; returns how many
    nodes it had."""
    x, y, w = Value(0.7, label="x"), Value(1.3, label="y"), Value(-0.4, label="w")
    parts = [x + y, x - y, x * y, x / y, -x, abs(w), x ** 2, 2 ** x, x ** y, y.sqrt(), x.exp(), y.log(),
             w.tanh(), w.sigmoid(), w.relu(), w.step(), autograd.dot([x, y], [w, x], bias=y),
             autograd.logsumexp([x, y, w]), *autograd.softmax([x, w]), *autograd.softmax([x, y, w])]
    out = autograd.sum(parts) * x
    with autograd.no_grad():
        out * out
    out.backward()
    autograd.grad(out, [x, y, w])
    autograd.zero_grad(out)
    nodes = autograd.topological_order(out)
    assert len(nodes) > 25
    return len(nodes)


def test_a_dropped_graph_is_freed_by_reference_counting_alone():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        before = values_alive()
        built = build_use_and_drop_a_graph()
        outlived = values_alive() - before
        assert outlived == 0, f"{outlived} of {built} nodes outlived their graph (reference cycles)"
    finally:
        if was_enabled:
            gc.enable()


def test_a_graph_whose_backward_failed_is_freed_too():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        def fail():
            x = Value(0.0, label="x")
            out = x.sqrt() * 3
            try:
                out.backward()
            except FloatingPointError:
                pass

        before = values_alive()
        fail()
        outlived = values_alive() - before
        assert outlived == 0, f"{outlived} nodes outlived their graph after a failed backward"
    finally:
        if was_enabled:
            gc.enable()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6), st.booleans()), min_size=1, max_size=25),
       st.lists(st.integers(0, 10**6), min_size=1, max_size=5), st.booleans())
def test_the_order_of_several_roots_is_each_roots_order_with_what_came_before_left_out(edges, picks, leaves):
    # One walk over all the roots (the K outputs of a network share it: walking each root
    # alone cost K walks of the graph), listing what the roots' own orders list, in that order.
    nodes = [Value(0.5, label="x"), Value(-1.5, label="y")]
    for i, j, times in edges:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(a * b if times else a + b)
    roots = [nodes[k % len(nodes)] for k in picks]
    expected, seen = [], set()
    for root in roots:
        for node in autograd.topological_order(root, leaves):
            if node not in seen:
                seen.add(node)
                expected.append(node)
    assert autograd.topological_order(roots, leaves) == expected
    assert autograd.topological_order(tuple(roots), leaves) == expected


def test_outputs_that_share_a_network_list_it_once_before_them_and_a_bad_root_is_named():
    x = Value(1.0)
    shared = x * 2.0 + x
    outputs = [shared * k for k in range(1, 6)]
    order = autograd.topological_order(outputs)
    assert len(order) == len(set(order)) and order.index(shared) < min(map(order.index, outputs))
    with pytest.raises(TypeError, match="topological_order: expected the Value"):
        autograd.topological_order([x, 3.0])
