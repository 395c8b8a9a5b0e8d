"""Backpropagation as a list of steps a learner can follow, with the engine's own numbers.

Step 0 is the forward pass alone: every data known, every gradient "?". Step 1 seeds
∂C/∂C = 1 at the output C. Then comes one step per value, each after every value that
consumes it, in the order the notes teach (`viz.order`), and each says

    ∂C/∂x = Σ over each consumer z of x:  ∂C/∂z · ∂z/∂x

with the numbers: the consumer's gradient (complete by then), the local derivative from
the op table, their product, and the sum that becomes x's gradient. The terms are added
in the order the engine adds them, so every gradient is bit-for-bit the engine's (the number
`.grad` holds after backward, which for a gradient of -0.0 is 0.0). In a
network the step is written as the notes write it (`viz.words`): δ(l)_j = ∂C/∂a · σ′(z),
BP3 for a weight, BP4 for a bias, and after each layer one step with its vector δ(l) and
the equation it satisfies (BP1 or BP2).

Constants (the 1/2 of a cost, a target y: see `viz.roles`) get no step, and a Σ of one
input is its input. If backward raises on the graph, the last step shows its error; a root
that does not require grad (computed under no_grad(), detached, a constant) has no graph to
differentiate, so backward refuses it before the seed: step 1 is that refusal.
"""

from dataclasses import dataclass

import autograd
from autograd.engine import require_graph

from . import graph
from .checks import as_digits, as_int, as_root
from .collapse import consumers_of, find_layers, find_neurons
from .names import formula_names, value_names
from .order import stepping_order
from .roles import role_finder
from .scene import single_input_sums
from .words import Words


@dataclass(frozen=True, eq=False)
class Term:
    """One chain-rule term ∂C/∂z · ∂z/∂x that node x receives from its consumer z."""

    consumer: object
    consumer_grad: float   # ∂C/∂z
    local: float           # ∂z/∂x, from the op table
    product: float         # their product, exactly as the engine computes it
    slot: int = 0          # which input of z the term goes through: the index in z.parents


@dataclass(frozen=True, eq=False)
class Step:
    number: int
    kind: str              # "forward", "seed", "node", "layer" (a layer's vector δ) or "error"
    node: object           # the value whose gradient this step completes (None for 0, layer, error)
    terms: tuple           # the Terms it received (empty for steps 0 and 1)
    grad: float | None     # ∂C/∂node after this step
    text: str              # the step in words and numbers, e.g. "∂C/∂x = ... = 0.75"
    shows: tuple = ()      # the values a layer step is about (its z nodes), or the node that failed


def backward_steps(root, digits=4, *, parameters=None, constants=None):
    """The steps of backward on the graph of `root` (see the module docstring)."""
    as_root(root, "backward_steps")
    digits = as_digits(digits)
    walk = Walk(root, parameters, constants)
    words = Words(walk, digits)
    steps = [Step(0, "forward", None, (), None, words.forward())]
    refused = _refusal(root)
    if refused is not None:
        return steps + [Step(1, "error", None, (), None, words.refused(refused), shows=(root,))]
    if walk.completes(root):
        steps.append(Step(1, "seed", root, (), 1.0, words.seed()))
    for node in walk.order[1:]:
        if not walk.completes(node):
            continue
        terms = walk.display_terms(node)
        steps.append(Step(len(steps), "node", node, terms, walk.grad[node], words.node(node, terms)))
        layer = walk.layer_done.get(node)
        if layer is not None:
            steps.append(Step(len(steps), "layer", None, (), None, words.layer(layer),
                              shows=tuple(n.z for n in layer.neurons)))
    if walk.error is not None:
        stopped = (walk.stopped,) if walk.stopped is not None else ()
        # the failing node's own gradient, when the walk reached it (the seed of a root whose local
        # derivative fails): it is known, so the page shows it rather than "?"
        grad = walk.grad.get(walk.stopped) if walk.stopped is not None else None
        steps.append(Step(len(steps), "error", None, (), grad, words.error(), shows=stopped))
    return steps


def _refusal(root):
    """The RuntimeError backward() raises before it seeds anything, from the engine's own check
    (so the step quotes it word for word), or None when backward starts."""
    try:
        require_graph(root, "backward")
    except RuntimeError as refused:
        return refused
    return None


class Walk:
    """The engine's chain-rule terms for one graph, grouped for the stepper."""

    def __init__(self, root, parameters, constants):
        self.root = root
        self.order_topological = autograd.topological_order(root)
        self.graph_consumers = consumers_of(self.order_topological)
        self.aliases = single_input_sums(self.order_topological, self.graph_consumers)
        self.aliases.pop(root, None)
        self.role = role_finder(root, parameters, constants)
        self.names = value_names(self.order_topological, self.aliases)
        self.formula_names = formula_names(self.order_topological, self.aliases)
        terms, self.error, self.stopped = graph.chain_rule_terms(root)
        self.received = {value: [] for value in self.order_topological}
        next_slot = {}  # a node's terms come in the order of its parents (some may be left out)
        for consumer, parent, g, d, product in terms:
            slot = consumer.parents.index(parent, next_slot.get(consumer, 0))
            next_slot[consumer] = slot + 1
            self.received[parent].append(Term(consumer, g, d, product, slot))
        self.processed = {consumer for consumer, *_ in terms}  # a node's terms come all together, or none
        self.grad = {root: 1.0}
        for value, received in self.received.items():
            if received:
                total = received[0].product
                for term in received[1:]:  # the engine's sum: the first term, + each later one, in order
                    total += term.product
                # What .grad holds after backward: the engine adds the gradient to .grad = 0.0, so a
                # -0.0 (ReLU's 0 times a negative gradient) is held, and shown, as 0.0.
                self.grad[value] = 0.0 + total
        stepped = {v for v in self.order_topological
                   if v not in self.aliases and (v is root or self.role(v) != "constant")}
        self.waits_for = {v: self._real_consumers(v) for v in stepped}
        self.neurons = find_neurons(self.order_topological, self.graph_consumers)
        self.layers = find_layers(self.neurons)
        self.order = stepping_order(root, self.order_topological, self.graph_consumers, self.waits_for, stepped)
        self.layer_done = self._layer_ends()

    def _real_consumers(self, value):
        found = []
        for consumer in self.graph_consumers[value]:
            found.extend(self._real_consumers(consumer) if consumer in self.aliases else [consumer])
        return list(dict.fromkeys(found))

    def completes(self, value):
        """True when backward gets this value's gradient in full (always, unless it raises)."""
        if value is self.root:
            return True
        return all(c in self.processed for c in self.graph_consumers[value]) and bool(self.graph_consumers[value])

    def display_terms(self, value):
        """The terms a learner sees for `value`: a single-input Σ between it and its consumer
        is skipped (its local derivative is 1, so the numbers are the same)."""
        shown = []
        for term in self.received[value]:
            if term.consumer in self.aliases:
                shown.extend(self.display_terms(term.consumer))
            else:
                shown.append(term)
        return tuple(shown)

    def _layer_ends(self):
        """{the z whose step completes a layer's δ: that layer} in the stepping order."""
        position = {v: i for i, v in enumerate(self.order)}
        ends = {}
        for layer in self.layers:
            zs = [n.z for n in layer.neurons]
            if all(z in position and self.completes(z) for z in zs):
                ends[max(zs, key=position.get)] = layer
        return ends


def gradients_after(steps, number):
    """{value: gradient} for the values whose gradient is known once step `number` is done."""
    _check_steps(steps)
    number = as_int(number, "viz.gradients_after: number", 0, len(steps) - 1)
    return {step.node: step.grad for step in steps[1:number + 1] if step.node is not None}


def _check_steps(steps):
    """`steps` must be what backward_steps returns: the error names the first item that is not a Step."""
    wrong = [s for s in (steps if isinstance(steps, (list, tuple)) else [steps]) if not isinstance(s, Step)]
    if wrong:
        raise TypeError(f"viz.gradients_after: steps= got {type(wrong[0]).__name__} {wrong[0]!r:.60}: expected "
                        f"the list of Steps viz.backward_steps returns")
    if not steps:
        raise ValueError("viz.gradients_after: steps= holds no steps: expected the list viz.backward_steps returns")
