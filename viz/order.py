"""The order in which the stepper completes gradients: the order the notes teach.

Any order works for the numbers as long as a node comes after every node that consumes it
(a reverse topological order): each gradient is then complete when it is shown, and every
number is the engine's. Among those orders the stepper picks the one a learner can follow.

- A graph of neurons (a dot node z = w·a + b and its activation a = f(z)) goes as the notes
  go, layer by layer from the output: first the cost's own nodes; then for the output layer
  L each neuron's ∂C/∂a(L)_j and δ(L)_j = ∂C/∂z(L)_j, then the weights ∂C/∂w(L)_j,k and
  biases ∂C/∂b(L)_j; then layer L−1 the same way; the network's inputs last.
- Any other graph goes by distance from the output (the longest path to it): a node comes
  right after the level of its last consumer, nearest the output first, and within a level
  in the order its consumers were completed, so the walk never jumps to an unrelated branch
  while a node closer to the output waits.

The walk itself is one rule: at every step, take the waiting node (all of its consumers
done) with the smallest key. The keys encode the orders above; the rule guarantees that
the result is a reverse topological order whatever the keys are.
"""

import heapq

from .collapse import find_layers, find_neurons


def stepping_order(root, order, graph_consumers, consumers, stepped):
    """The values of `stepped` (a set; root included), in the order the stepper completes them.

    order            the topological order of the graph
    graph_consumers  {value: [each op node that reads it]} (`viz.collapse.consumers_of`)
    consumers        {stepped value: [the stepped nodes it waits for]}
    """
    level = _levels(root, order, consumers, stepped)
    key = _network_keys(order, graph_consumers, consumers, stepped, level) or {v: (level[v],) for v in stepped}
    waiting = {v: len(set(consumers[v])) for v in stepped}
    parents_of = {v: [] for v in stepped}
    for v in stepped:
        for consumer in set(consumers[v]):
            parents_of[consumer].append(v)
    position = {v: i for i, v in enumerate(order)}
    heap, readied, result = [], 0, []
    heapq.heappush(heap, (key[root], readied, -position[root], root))
    while heap:
        *_, node = heapq.heappop(heap)
        result.append(node)
        for parent in sorted(parents_of[node], key=position.get, reverse=True):
            waiting[parent] -= 1
            if waiting[parent] == 0:
                readied += 1
                heapq.heappush(heap, (key[parent], readied, -position[parent], parent))
    return result


def _levels(root, order, consumers, stepped):
    """{value: length of the longest path from it to the root} over the stepped values."""
    level = {root: 0}
    for value in reversed(order):
        if value in stepped and value is not root:
            level[value] = 1 + max((level[c] for c in consumers[value] if c in level), default=0)
    return level


def _network_keys(order, graph_consumers, consumers, stepped, level):
    """Keys for the notes' order, or None when the graph has no neurons."""
    neurons = [n for n in find_neurons(order, graph_consumers) if n.z in stepped]
    if not neurons:
        return None
    layers = sorted(find_layers(neurons), key=lambda layer: -layer.number)
    key = {}
    for rank, layer in enumerate(layers, start=1):
        for j, neuron in enumerate(layer.neurons):
            if neuron.a is not neuron.z:
                key.setdefault(neuron.a, (rank, 0, j, 0))
            key.setdefault(neuron.z, (rank, 0, j, 1))
            for k, w in enumerate(neuron.weights):
                key.setdefault(w, (rank, 1, j, k))
            for b in neuron.bias:
                key.setdefault(b, (rank, 1, j, len(neuron.weights)))
    for rank, layer in enumerate(layers, start=2):  # inputs: after the weights of the layer they feed
        for k, x in enumerate(layer.inputs):
            key.setdefault(x, (rank, 0, k, 0))
    rank_of = {}
    for value in reversed(order):  # anything else: with the deepest layer that consumes it
        if value not in stepped:
            continue
        if value in key:
            rank_of[value] = key[value][0]
        else:
            rank_of[value] = max((rank_of[c] for c in consumers[value] if c in rank_of), default=0)
            key[value] = (rank_of[value], 2, level[value], 0)
    return key

