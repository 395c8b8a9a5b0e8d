"""Planning a compiled program: group the nodes, lay out θ and the rows, order the steps.

Nodes are grouped by depth (1 + the depth of their deepest parent) and by what they compute
(op, constants, number of inputs): every node of a group depends only on shallower nodes,
so a group runs as one numpy call. `dot` nodes whose weights are parameters and which read
the same input vector form a dense layer, run as one matrix product W a.
"""

from dataclasses import dataclass, field

import numpy as np

from ..ops import OPS
from .steps import DenseLayer, Elementwise, Tracker, Variadic, as_index


@dataclass
class Group:
    op: str
    consts: dict
    nodes: list
    dense: bool = False
    weights: object = None      # θ positions of W, a G x n array (dense only)
    bias_theta: object = None   # θ positions of b when the biases are parameters (dense only)
    rows: object = field(default=None, repr=False)


@dataclass
class Plan:
    parameters: list            # the parameter Values, in θ order
    n_rows: int
    row: dict                   # node -> its row in V and D
    steps: list
    param_rows: object          # rows of V that hold a parameter (broadcast over the batch) ...
    param_theta: object         # ... and their positions in θ
    param_grad_first: bool
    row_parameters: int         # how many parameters have a row of V
    zero_grad: bool             # whether backward must zero ∇θ first (some θ is only ever added to)
    constant_rows: list
    constant_values: list


def plan(order, roots, leaves, differentiate):
    params = set(leaves.parameters)
    groups = _groups(order, params)
    layout, position = _layout(groups, leaves.parameters, params)
    row_params = _parameters_needing_rows(groups, roots, params)

    row = {}
    for node in leaves.inputs + leaves.targets:
        row[node] = len(row)
    row_params.sort(key=position.__getitem__)
    for p in row_params:
        row[p] = len(row)
    constants = [c for c in leaves.constants if c not in row]
    for c in constants:
        row[c] = len(row)
    for group in groups:
        for node in group.nodes:
            row[node] = len(row)
        group.rows = as_index(row[node] for node in group.nodes)

    steps = [_step(group, row) for group in groups]
    param_rows = as_index(row[p] for p in row_params)
    param_theta = as_index(position[p] for p in row_params)
    param_grad_first, zero_grad = False, True
    if differentiate:
        needs = _needs_grad_rows(order, params, row)
        tracker = Tracker(needs)
        for group, step in zip(reversed(groups), reversed(steps)):
            if any(row[node] in needs for node in group.nodes):
                _prepare_backward(group, step, row, tracker)
            else:
                step.backward = _nothing
        param_grad_first = tracker.theta_first(_positions(param_theta))
        zero_grad = tracker.theta_partial
    return Plan(layout, len(row), row, steps, param_rows, param_theta, param_grad_first, len(row_params), zero_grad,
                [row[c] for c in constants], [c.data for c in constants])


def _positions(index):
    return range(index.start, index.stop) if isinstance(index, slice) else index


def _nothing(V, D, theta, grad):
    pass


def _groups(order, params):
    """Nodes grouped by (depth, op, constants, fan-in), shallowest first; dense layers apart."""
    depth, groups = {}, {}
    for node in order:
        if not node.parents:
            depth[node] = 0
            continue
        depth[node] = 1 + max(depth[p] for p in node.parents)
        key = (depth[node], node.op, tuple(sorted((node.consts or {}).items())), len(node.parents))
        dense = _reads_weights(node, params)
        if dense:
            n = node.consts["n"]
            key += ("dense",) + tuple(map(id, node.parents[n:2 * n]))
        if key not in groups:
            groups[key] = Group(node.op, dict(node.consts or {}), [], dense)
        groups[key].nodes.append(node)
    ordered = [groups[key] for key in sorted(groups, key=lambda key: key[0])]
    for group in ordered:
        if group.dense:
            n = group.consts["n"]
            weights = [w for node in group.nodes for w in node.parents[:n]]
            group.dense = len(set(weights)) == len(weights)  # W's entries must be distinct parameters
    return ordered


def _reads_weights(node, params):
    """A dot node whose weights are distinct parameters and with at most one bias."""
    if node.op != "dot":
        return False
    n = node.consts["n"]
    weights = node.parents[:n]
    return len(node.parents) - 2 * n in (0, 1) and all(w in params for w in weights)


def _layout(groups, parameters, params):
    """θ is in the order of `parameters` (the caller's, e.g. an optimizer's), so θ and ∇θ can be
    handed to `optimizer.update` as they are. A dense layer's W (and b) is read through a strided
    view of θ when its positions form a grid, as they do for neuron-by-neuron [w..., b] lists."""
    position = {p: k for k, p in enumerate(parameters)}
    for group in groups:
        if not group.dense:
            continue
        n = group.consts["n"]
        group.weights = np.array([[position[w] for w in node.parents[:n]] for node in group.nodes])
        if len(group.nodes[0].parents) == 2 * n + 1:
            biases = [node.parents[2 * n] for node in group.nodes]
            if all(b in params for b in biases) and len(set(biases)) == len(biases):
                group.bias_theta = np.array([position[b] for b in biases])
    return list(parameters), position


def _parameters_needing_rows(groups, roots, params):
    """Parameters read outside a dense layer's W (or b block) need a row of V."""
    needing = {root for root in roots if root in params}
    for group in groups:
        for node in group.nodes:
            if group.dense:
                n = group.consts["n"]
                inputs = list(node.parents[n:2 * n])
                if group.bias_theta is None:
                    inputs += node.parents[2 * n:]
            else:
                inputs = node.parents
            needing.update(p for p in inputs if p in params)
    return list(needing)


def _step(group, row):
    op = OPS[group.op]
    nodes = group.nodes
    if group.dense:
        n = group.consts["n"]
        first = nodes[0]
        bias_rows = None
        if group.bias_theta is None and len(first.parents) == 2 * n + 1:
            bias_rows = as_index(row[node.parents[2 * n]] for node in nodes)
        return DenseLayer(nodes, group.rows, as_index(row[a] for a in first.parents[n:2 * n]),
                          group.weights, group.bias_theta, bias_rows)
    if op.variadic:
        fan_in = len(nodes[0].parents)
        source = as_index(row[node.parents[i]] for i in range(fan_in) for node in nodes)
        return Variadic(op, group.consts, nodes, group.rows, source, fan_in)
    sources = [as_index(row[node.parents[i]] for node in nodes) for i in range(len(nodes[0].parents))]
    return Elementwise(op, group.consts, nodes, group.rows, sources)


def _needs_grad_rows(order, params, row):
    """Rows of the nodes that depend on some parameter: only they need ∂C/∂node."""
    needs = set()
    for node in order:
        if node in params or any(p in needs for p in node.parents):
            needs.add(node)
    return {row[node] for node in needs if node in row}


def _prepare_backward(group, step, row, tracker):
    nodes = group.nodes
    if group.dense:
        n = group.consts["n"]
        inputs = [row[a] for a in nodes[0].parents[n:2 * n]]
        biases = [row[node.parents[2 * n]] for node in nodes] if step.bias_rows is not None else []
        step.prepare_backward(tracker, inputs, biases)
    elif isinstance(step, Variadic):
        fan_in = step.fan_in
        step.prepare_backward(tracker, [row[node.parents[i]] for i in range(fan_in) for node in nodes])
    else:
        step.prepare_backward(tracker, [[row[node.parents[i]] for node in nodes]
                                        for i in range(len(nodes[0].parents))])

