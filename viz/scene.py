"""What to draw: boxes for values (alone or folded together), op nodes, data, and edges.

The scene is independent of any output format: `viz.dot` writes it as DOT, the stepper
finds its nodes again in the SVG by the ids given here (box `v<i>`, op `o<i>`, grad cell
`g<i>`, edge `e<i>`, where i is the value's position in `autograd.topological_order`;
data box `x<k>`, the k-th data vector met).
"""

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

import autograd

from . import graph
from .checks import as_choice, as_int, as_limit, as_root, is_value, number_map
from .collapse import consumers_of, find_layers, find_neurons
from .names import CONSTANT_DIGITS, value_names
from .roles import role_finder, values_of

MAX_VALUES = 200_000  # a graph larger than this is refused before viz walks it (seconds of work)

COLLAPSE_CHOICES = (None, "neuron", "layer")


@dataclass(eq=False)
class Box:
    id: str
    title: str
    role: str
    rows: list            # [(row name, Value)]: one row per value shown with data and grad
    members: tuple        # every value drawn by this box (rows plus folded weights, bias)
    note: str = ""        # e.g. "3 weights + bias folded in"


@dataclass(eq=False)
class DataBox:
    """Data x that `dot_data` nodes keep as constants (a network fed plain numbers). It is not
    a node of the graph and has no gradient, but it is drawn: ∂z/∂w_k = x_k, so a learner
    needs x to follow the weights' gradients."""

    id: str
    title: str
    x: tuple              # the numbers, shown as rows x_1, x_2, ...
    readers: list         # the dot_data nodes that read it


@dataclass(eq=False)
class OpNode:
    id: str
    symbol: str
    value: object


@dataclass(eq=False)
class Edge:
    id: str
    tail: str
    head: str
    pairs: list = field(default_factory=list)  # [(input value, consuming value, ∂consumer/∂input)]
    from_data: bool = False  # data feeds the op, but no gradient flows back along this edge


@dataclass(eq=False)
class Scene:
    root: object
    order: list
    index: dict           # value -> position in topological order
    names: dict           # value -> name shown (label, or what it computes: viz.names)
    boxes: list
    ops: list
    edges: list
    hidden: list          # [(op node id, number of inputs not drawn)] when focusing
    box_of: dict          # value -> Box that shows it
    data: list = field(default_factory=list)  # DataBoxes
    aliases: dict = field(default_factory=dict)  # single-input Σ -> the value it passes on
    role: object = None   # value -> role name

    @property
    def node_count(self):
        return len(self.boxes) + len(self.data) + len(self.ops) + len(self.hidden)


def op_symbol(value):
    """The op's symbol as the notes write it (×, σ, Σ, x², ...), from the op table, its constant
    to the digits of the value's name: the op node of x ** 2.00002 is x^2.00002, as its box."""
    return graph.symbol(value, CONSTANT_DIGITS)


def single_input_sums(order, consumers):
    """{Σ node: the value it passes on} for each Σ of one input that is that input's only
    consumer: such a Σ is its input, so it is not drawn and gets no step of its own."""
    aliases = {}
    for value in order:
        if value.op == "sum" and len(value.parents) == 1 and consumers[value.parents[0]] == [value]:
            aliases[value] = aliases.get(value.parents[0], value.parents[0])
    return aliases


def check_graph_size(root, max_values):
    """Refuse a graph of more than max_values values after counting at most that many."""
    if max_values is None:
        return
    seen, stack = {id(root)}, [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
                if len(seen) > max_values:
                    raise ValueError(
                        f"viz: the graph of this root has more than max_values={max_values} values; viz walks "
                        f"the whole graph (even to draw one focus= neighbourhood), which takes seconds at this "
                        f"size. Draw a smaller graph (the cost of one example, a smaller model), or pass a "
                        f"larger max_values= (or max_values=None) to wait for it")


def reading_order(root):
    """Values as a reader meets them: depth first from the root, each op's inputs in argument
    order before the op. Declaring nodes in this order keeps w1, w2, x1, x2, b top to bottom
    in the picture (the engine's topological order lists leaves in another order)."""
    listed, order = set(), []
    stack = [(root, False)]
    while stack:
        value, inputs_done = stack.pop()
        if inputs_done:
            order.append(value)
        elif value not in listed:
            listed.add(value)
            stack.append((value, True))
            stack.extend((parent, False) for parent in reversed(value.parents) if parent not in listed)
    return order


def build_scene(root, *, parameters=None, constants=None, collapse=None, focus=None, depth=2,
                max_nodes=None, max_values=MAX_VALUES):
    """The scene for `root`; ValueError naming the remedies if it has more than max_nodes nodes
    (or the graph more than max_values values)."""
    as_root(root, "viz")
    collapse = as_choice(collapse, "viz: collapse", COLLAPSE_CHOICES)
    max_nodes, max_values = as_limit(max_nodes, "viz: max_nodes"), as_limit(max_values, "viz: max_values")
    depth = as_int(depth, "viz: depth", 0)  # checked with focus= or without: a bad depth is a slip either way
    check_graph_size(root, max_values)
    order = autograd.topological_order(root)
    if collapse is None and focus is None:  # refuse before any per-node work: huge graphs stay quick
        _check_size(len(order) + sum(1 for value in order if value.op), max_nodes)
    index = {value: i for i, value in enumerate(order)}
    consumers = consumers_of(order)
    aliases = single_input_sums(order, consumers)
    aliases.pop(root, None)  # the root is always drawn
    shown = _neighbourhood(focus, depth, index, consumers) if focus is not None else set(order)
    role = role_finder(root, parameters, constants)
    for given, what in ((parameters, "parameters"), (constants, "constants")):
        _check_given_in_graph(given, what, index)
    scene = Scene(root=root, order=order, index=index, names=value_names(order, aliases), boxes=[],
                  ops=[], edges=[], hidden=[], box_of={}, aliases=aliases, role=role)
    folded = _add_groups(scene, collapse, consumers, shown, role) if collapse is not None else 0
    too_big = dict(collapse=collapse, folded=folded, focus=focus, depth=depth, near=len(shown))
    reading = reading_order(root)
    for value in reading:
        if value in aliases and value in shown and aliases[value] in scene.box_of:
            scene.box_of[value] = scene.box_of[aliases[value]]
        elif value in shown and value not in scene.box_of:
            _add_box(scene, Box(id=f"v{index[value]}", title=scene.names[value], role=role(value),
                                rows=[("", value)], members=(value,)))
    _add_data(scene, shown, collapse)
    # boxes plus the op nodes to come: refuse before the per-edge work (derivatives) for big graphs
    ops_to_come = sum(1 for v in shown if v.op and v not in aliases and len(scene.box_of[v].members) == 1)
    _check_size(len(scene.boxes) + len(scene.data) + ops_to_come, max_nodes, **too_big)
    position = {value: i for i, value in enumerate(reading)}
    scene.boxes.sort(key=lambda box: min(position[value] for _, value in box.rows))
    _add_ops_and_edges(scene, shown)
    _check_size(scene.node_count, max_nodes, **too_big)
    return scene


def _check_given_in_graph(given, what, index):
    """Refuse parameters= or constants= none of whose values is in the graph (another model's,
    passed by mistake), as reference= is refused: a model, or its parameters(), may well hold
    weights this graph does not use (one output's graph of a network)."""
    values = values_of(given, what)
    if not values or any(value in index for value in values):
        return
    model = callable(getattr(given, "parameters", None))
    named = ", ".join(value.label or repr(value) for value in values[:5]) + (" ..." if len(values) > 5 else "")
    raise ValueError(f"viz: {what}= holds {len(values)} value{'s' if len(values) > 1 else ''} ({named}), none of "
                     f"them in this graph: {'is it the model that computed it' if model else 'are they its values'}?")


def _check_size(count, max_nodes, collapse=None, folded=0, focus=None, depth=2, near=0):
    """Refuse a picture of more than max_nodes nodes, suggesting only what the caller has not
    tried already: collapse= folds nothing in a graph without neurons, so it is not suggested."""
    if max_nodes is None or count <= max_nodes:
        return
    where = "focus=<a Value>, depth=2 (the neighbourhood of one node)"
    if focus is not None and depth == 0:
        advice = "depth=0 draws the focused value alone already"
    elif focus is not None:
        advice = (f"Draw less of it: a smaller depth= (it is {depth}; depth=0 draws the focused value alone), or "
                  f"focus on another value: {near} values lie within {depth} step{'s' if depth > 1 else ''} of "
                  f"this one (its inputs and the values computed from it, and theirs)")
    elif collapse is not None and not folded:
        advice = (f"collapse={collapse!r} found no neurons or layers in this graph (an op with a group of "
                  f"weights, dot or dot_data, and its activation), so it folded nothing. Draw less of it "
                  f"with {where}")
    elif collapse == "neuron":
        advice = f"Draw less of it: collapse='layer' (one box per layer), or {where}"
    elif collapse == "layer":
        advice = f"Draw less of it: {where}"
    else:
        advice = (f"Draw less of it: collapse='neuron' (one box per neuron) or collapse='layer' (one box "
                  f"per layer), or {where}")
    raise ValueError(f"viz: this picture would have {count} nodes, more than max_nodes={max_nodes}: too many "
                     f"to read, and slow to lay out. {advice}; or pass a larger max_nodes=")


def _neighbourhood(focus, depth, index, consumers):
    """Values at most `depth` steps (to a parent or a consumer) from `focus`."""
    if not is_value(focus):
        raise TypeError(f"viz: focus= expected a Value of this graph, got {type(focus).__name__} {focus!r:.60}")
    if focus not in index:
        raise ValueError(f"viz: focus={focus!r} is not a node of this graph")
    reached, frontier = {focus}, [focus]
    for _ in range(depth):
        frontier = [near for value in frontier for near in (*value.parents, *consumers[value])
                    if near not in reached]
        reached.update(frontier)
    return reached


def _add_box(scene, box):
    scene.boxes.append(box)
    for value in box.members:
        scene.box_of[value] = box


def _add_groups(scene, collapse, consumers, shown, role):
    """Add the boxes of the neurons (or layers) found; return how many."""
    neurons = [n for n in find_neurons(scene.order, consumers) if all(m in shown for m in n.members)]
    if collapse == "neuron":
        for neuron in neurons:
            _add_box(scene, _neuron_box(scene, neuron, role))
        return len(neurons)
    layers = find_layers(neurons)
    copies = Counter(layer.number for layer in layers)  # a batch: each layer once per example,
    seen = Counter()                                     # and those boxes read apart as x's do
    for layer in layers:
        seen[layer.number] += 1
        which = f" ({seen[layer.number]} of {copies[layer.number]})" if copies[layer.number] > 1 else ""
        members = tuple(m for neuron in layer.neurons for m in neuron.members)
        rows = [(scene.names[v], v) for neuron in layer.neurons
                for v in dict.fromkeys((neuron.z, neuron.a))]
        activations = sorted({neuron.activation for neuron in layer.neurons})
        _add_box(scene, Box(id=f"v{scene.index[layer.neurons[0].z]}",
                            title=f"layer {layer.number}{which}: {_count(len(layer.neurons), 'neuron')} "
                                  f"({', '.join(activations)})",
                            role=_group_role(scene, members, role), rows=rows, members=members,
                            note=_folded_note(sum(len(n.folded) for n in layer.neurons))))
        inputs = [x for x in dict.fromkeys(layer.inputs) if x in shown and not x.op
                  and x not in scene.box_of and all(c in {n.z for n in layer.neurons} for c in consumers[x])]
        if inputs and layer.number == 2:
            _add_box(scene, Box(id=f"v{scene.index[inputs[0]]}", title=f"layer 1: {_count(len(inputs), 'input')}",
                                role=role(inputs[0]), rows=[(scene.names[x], x) for x in inputs],
                                members=tuple(inputs)))
    return len(layers)


def _add_data(scene, shown, collapse):
    """One DataBox per distinct data vector that the shown `dot_data` nodes read: a layer
    reads one x, so a network fed one example draws one box."""
    readers_of = {}
    for value in scene.order:
        if graph.data_inputs(value) is not None and value in shown:
            readers_of.setdefault(graph.data_inputs(value), []).append(value)
    for k, (x, readers) in enumerate(readers_of.items(), start=1):
        title = f"layer 1: {_count(len(x), 'input')}" if collapse == "layer" else "x"
        if len(readers_of) > 1:
            title += f" ({k} of {len(readers_of)})"
        scene.data.append(DataBox(id=f"x{k}", title=title, x=x, readers=readers))


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _neuron_box(scene, neuron, role):
    z_label, name = neuron.z.label, scene.names[neuron.z]
    # from the name, not the label: in a batch z(2)_1 is computed once per example, named
    # z(2)_1₁, z(2)_1₂, ..., and each example's neuron box must read apart too
    title = f"neuron {name[1:]}" if z_label.startswith("z") and len(z_label) > 1 else f"neuron {name}"
    rows = [(scene.names[v], v) for v in dict.fromkeys((neuron.z, neuron.a))]
    return Box(id=f"v{scene.index[neuron.z]}", title=title, role=_group_role(scene, neuron.members, role),
               rows=rows, members=neuron.members, note=_folded_note(len(neuron.folded)))


def _group_role(scene, members, role):
    return "output" if scene.root in members else role(members[-1])


def _folded_note(count):
    return f"{count} weights/bias folded in" if count else ""


def _add_ops_and_edges(scene, shown):
    edges = {}  # (tail id, head id) -> Edge, so folded boxes get one edge per neighbour

    def edge(tail, head, from_data=False):
        if (tail, head) not in edges:
            edges[(tail, head)] = Edge(id=f"e{len(edges)}", tail=tail, head=head, from_data=from_data)
        return edges[(tail, head)]

    data_of = {reader: data for data in scene.data for reader in data.readers}
    for value in scene.order:
        if value not in shown or not value.op or value in scene.aliases:
            continue
        box = scene.box_of[value]
        derivatives = _derivatives_to_draw(value)
        if len(box.members) == 1:
            op = OpNode(id=f"o{scene.index[value]}", symbol=op_symbol(value), value=value)
            scene.ops.append(op)
            edge(op.id, box.id)
            head = op.id
        else:
            head = box.id
        if value in data_of:
            edge(data_of[value].id, head, from_data=True)
        missing = 0
        for parent, derivative in zip(value.parents, derivatives):
            if parent not in shown:
                missing += 1
            elif scene.box_of[parent] is not box:
                edge(scene.box_of[parent].id, head).pairs.append((parent, value, derivative))
        if missing:
            scene.hidden.append((head, missing))
    scene.edges = list(edges.values())


def _derivatives_to_draw(value):
    """Each input's ∂value/∂input, or None for all when the op table cannot give them (the
    stepper then shows the error that backward raises there)."""
    try:
        derivatives = graph.local_derivatives(value)
    except (ArithmeticError, ValueError):
        return [None] * len(value.parents)
    return [d if math.isfinite(d) else None for d in derivatives]


def grad_reader(root, grads):
    """A function value -> gradient to show, or None for "not computed yet".

    grads="auto": show `.grad` once a backward has reached root, i.e. once root.grad != 0
      (backward seeds ∂root/∂root = 1; before it every `.grad` is the engine's initial 0.0,
      which would be a wrong answer, not a gradient). Otherwise every grad is "?".
      Drawing a part of a larger graph after `C.backward()` shows ∂C/∂x, what `.grad` holds,
      not ∂root/∂x: pass grads=autograd.engine.gradients(root) for those.
    grads=True / False: always / never show `.grad`.
    grads={value: gradient} (e.g. `autograd.engine.gradients(root)`): show these, "?" elsewhere
      (and where the gradient is None); a gradient that is not a finite number is refused.
    """
    if isinstance(grads, Mapping):
        return number_map(grads, "viz: grads", allow_none=True).get
    expected = "expected 'auto', True, False or a mapping value -> gradient"
    if isinstance(grads, str):
        if grads != "auto":
            raise ValueError(f"viz: grads={grads!r:.60}: {expected}")
        grads = bool(root.grad != 0)  # a .grad set to a numpy float compares to a numpy bool
    elif not isinstance(grads, (bool, np.bool_)):  # a flag as autograd.checks.as_flag takes one
        raise TypeError(f"viz: grads={grads!r:.60}: {expected}, got {type(grads).__name__}")
    return held_grad if grads else (lambda value: None)


def held_grad(value):
    """value.grad as a number to show: a .grad set by hand to something else (a tensor of
    several numbers, a str) is named by the value's label, not left to fail in a format."""
    grad = value.grad
    if grad is None or isinstance(grad, (int, float, np.number)) and not isinstance(grad, (bool, np.bool_)):
        return grad
    if getattr(grad, "shape", None) == () and hasattr(grad, "item"):  # a 0-d tensor (torch's .grad[i, k])
        return grad.item()
    raise TypeError(f"viz: the .grad of {value.label or repr(value):.60} holds {type(grad).__name__} {grad!r:.60}: "
                    f"expected a number (a .grad set by hand?)")
