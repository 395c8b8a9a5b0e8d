"""The text of each step, in the notes' words and notation, with the engine's numbers.

Every step first writes the chain rule for the node by name, ∂C/∂x = Σ ∂C/∂z · ∂z/∂x, with
the numbers. In a network (`viz.collapse` finds its neurons and layers) the step then says
what the notes call it:

    δ(l)_j = ∂C/∂z(l)_j = ∂C/∂a(l)_j · σ′(z(l)_j)           at a neuron's z
    ∂C/∂a(l)_j = Σ_k δ(l+1)_k · w(l+1)_k,j                   at a hidden activation
    ∂C/∂w(l)_j,k = δ(l)_j · a(l−1)_k       (BP3)             at a weight
    ∂C/∂b(l)_j = δ(l)_j                    (BP4)             at a bias
    δ(L) = ∇_a C ⊙ σ′(z(L))               (BP1)             after the output layer
    δ(l) = ((w(l+1))ᵀ δ(l+1)) ⊙ σ′(z(l))  (BP2)             after a hidden layer
    δ(L) = J_softmaxᵀ ∇_a C                                  after a softmax layer (not elementwise)

with l, j, k the layer (the inputs are layer 1, as in the notes) and the neuron's places.
"""

from . import graph
from .collapse import softmax_outputs
from .names import input_place
from .style import EDGE_NOTE, compact

_SUBSCRIPT_DIGITS = set("₀₁₂₃₄₅₆₇₈₉")


def _prime_symbol(neuron):
    """σ′ for a logistic neuron, tanh′, ReLU′, ...: the derivative of its activation f
    (f′ for the linear a = k·z, whose f′ is k)."""
    return f"{graph.function_name(neuron.a)}′" if neuron.activation != "linear" else "f′"


class Words:
    def __init__(self, walk, digits):
        self.walk, self.digits = walk, digits
        # A label's newline would split the step's text into lines (the stepper shows each
        # line apart): in a step it is a space (and the label bracketed, as for any space).
        self.names = {value: name.replace("\n", " ") for value, name in walk.formula_names.items()}
        self.c = self.names[walk.root]
        self.place = {}  # value -> (what, neuron, layer, index)
        for layer in walk.layers:
            for j, neuron in enumerate(layer.neurons, start=1):
                self.place[neuron.z] = ("z", neuron, layer, j)
                if neuron.a is not neuron.z:
                    self.place[neuron.a] = ("a", neuron, layer, j)
        self.layer_of_z = {n.z: layer for layer in walk.layers for n in layer.neurons}
        self.j_of_z = {n.z: j for layer in walk.layers for j, n in enumerate(layer.neurons, start=1)}

    def number(self, x):
        shown = compact(x, self.digits)
        return f"({shown})" if shown.startswith("-") else shown

    def vector(self, xs):
        return "(" + ", ".join(compact(x, self.digits) for x in xs) + ")"

    # --- the steps -------------------------------------------------------------------
    def forward(self):
        count = len(self.walk.order_topological)
        # a graph of one node is a leaf: its value is given, not computed from anything
        known = "the 1 value is given" if count == 1 else f"all {count} values computed from the inputs"
        return (f"Forward pass: {known}; no gradient known yet "
                f"(shown as ?). Backward now walks from the output {self.c} back to the inputs, and each "
                f"step completes one gradient ∂{self.c}/∂x. {EDGE_NOTE}")

    def seed(self):
        return f"Seed: ∂{self.c}/∂{self.c} = 1."

    def node(self, node, terms):
        chain = self.chain_rule(node, terms)
        notes = self.in_notes(node, terms)
        return chain if notes is None else f"{notes}\n{chain}"

    def chain_rule(self, node, terms):
        """∂C/∂x = Σ ∂C/∂z · ∂z/∂x. Where one symbol ∂z/∂x would stand for two numbers, the
        term names the input it goes through: for x · x, ∂y/∂x (1st input of ×) + ∂y/∂x (2nd
        input of ×); for a term from C itself among others, ∂C/∂x (direct input of −), written
        without its factor ∂C/∂C = 1, since ∂C/∂x alone is the whole sum."""
        x, c = self.names[node], self.c
        grad = self.walk.grad[node]
        reads = {}
        for t in terms:
            reads[t.consumer] = reads.get(t.consumer, 0) + 1
        symbols, numbers = [], []
        for t in terms:
            z = self.names[t.consumer]
            direct = t.consumer is self.walk.root and len(terms) > 1
            if reads[t.consumer] > 1:
                local = f"∂{z}/∂{x} ({input_place(t.consumer, t.slot)})"
            elif direct:
                local = f"∂{z}/∂{x} (direct {input_place(t.consumer)})"
            else:
                local = f"∂{z}/∂{x}"
            symbols.append(local if direct else f"∂{c}/∂{z} · {local}")
            numbers.append(self.number(t.local) if direct else f"{self.number(t.consumer_grad)} × {self.number(t.local)}")
        text = f"∂{c}/∂{x} = {' + '.join(symbols)} = {' + '.join(numbers)}"
        products = " + ".join(self.number(t.product) for t in terms)
        if len(terms) > 1 and products != " + ".join(numbers):
            text += " = " + products
        return f"{text} = {compact(grad, self.digits)}"

    def in_notes(self, node, terms):
        """The notes' formula for a network's node, or None when the node is not one."""
        grad = compact(self.walk.grad[node], self.digits)
        place = self.place.get(node)
        if place and place[0] == "z" and len(terms) == 1 and self.place.get(terms[0].consumer, ("",))[0] == "a":
            _, neuron, layer, j = place
            prime = _prime_symbol(neuron)
            t = terms[0]
            l, z, a = layer.number, self.twin(node), self.twin(neuron.a)
            return (f"δ({l})_{j}{z} = ∂{self.c}/∂z({l})_{j}{z} = ∂{self.c}/∂a({l})_{j}{a} · "
                    f"{prime}(z({l})_{j}{z}) = {self.number(t.consumer_grad)} × {self.number(t.local)} = {grad}")
        if place and place[0] == "z":
            _, neuron, layer, j = place
            z = self.twin(node)
            return f"δ({layer.number})_{j}{z} = ∂{self.c}/∂z({layer.number})_{j}{z} = {grad}"
        roles = [self._role_in(t.consumer, node) for t in terms]
        if terms and all(r and r[0] == "input" for r in roles):
            l, k = roles[0][1], roles[0][3]
            what = f"a({l - 1})_{k}{self.twin(node)}" if node in self.place else self.names[node]
            symbols = " + ".join(f"δ({r[1]})_{r[2]}{self.twin(t.consumer)} · w({r[1]})_{r[2]},{r[3]}"
                                 for r, t in zip(roles, terms))
            numbers = " + ".join(f"{self.number(t.consumer_grad)} × {self.number(t.local)}" for t in terms)
            return f"∂{self.c}/∂{what} = Σ_j δ({l})_j · w({l})_j,{k} = {symbols} = {numbers} = {grad}"
        if len(terms) == 1 and roles[0] and roles[0][0] == "weight":
            _, l, j, k = roles[0]
            t = terms[0]
            return (f"∂{self.c}/∂w({l})_{j},{k} = δ({l})_{j}{self.twin(t.consumer)} · a({l - 1})_{k} = "
                    f"{self.number(t.consumer_grad)} × {self.number(t.local)} = {grad}   (BP3)")
        if len(terms) == 1 and roles[0] and roles[0][0] == "bias":
            _, l, j, _ = roles[0]
            return f"∂{self.c}/∂b({l})_{j} = δ({l})_{j}{self.twin(terms[0].consumer)} = {grad}   (BP4)"
        return None

    def twin(self, value):
        """The index that tells a network's value from its twins, as its name in the picture has it:
        "₂" for z(3)_1₂, the second example's z(3)_1 in a batch (so δ(3)_1₂ is never confused with
        δ(3)_1₁); "" for a value with no twin."""
        label, name = value.label, self.walk.names.get(value, "")
        index = name[len(label):] if label and name.startswith(label) else ""
        return index if index and all(c in _SUBSCRIPT_DIGITS for c in index) else ""

    def _role_in(self, z, value):
        """("input" | "weight" | "bias", l, j, k) when `value` enters neuron z so, else None."""
        layer = self.layer_of_z.get(z)
        if layer is None:
            return None
        neuron = layer.neurons[self.j_of_z[z] - 1]
        j = self.j_of_z[z]
        for group, members in (("weight", neuron.weights), ("input", neuron.inputs), ("bias", neuron.bias)):
            if value in members:
                return group, layer.number, j, members.index(value) + 1
        return None

    def layer(self, layer):
        """The layer's vector δ(l), the equation it satisfies, and that it equals the steps."""
        l = layer.number
        deltas = [self.walk.grad[n.z] for n in layer.neurons]
        activations = [n.a for n in layer.neurons]
        primes = [self._prime(n) for n in layer.neurons]
        kinds = {_prime_symbol(n) for n in layer.neurons}
        prime = kinds.pop() if len(kinds) == 1 else "f′"
        output = all(self._feeds_no_neuron(a) for a in activations)
        first, last = (self.twin(layer.neurons[i].z) for i in (0, -1))
        scalars = (f"the steps δ({l})_1{first} … δ({l})_{len(deltas)}{last} above" if len(deltas) > 1
                   else f"the step δ({l})_1{first} above")
        softmax = softmax_outputs(layer, self.walk.graph_consumers)
        if softmax is not None:
            return self._softmax_layer(layer, softmax, deltas, scalars)
        if output and None not in primes:
            grads_a = [self.walk.grad.get(a, 0.0) for a in activations]
            products = [g * p for g, p in zip(grads_a, primes)]
            same = self._same(products, deltas)
            return (f"Layer {l} done: δ({l}) = ∇_a C ⊙ {prime}(z({l}))   (BP1, the output layer)\n"
                    f"= {self.vector(grads_a)} ⊙ {self.vector(primes)} = {self.vector(products)}\n"
                    f"{same} {scalars}.")
        upper = self._next_layer(layer)
        if upper is not None and None not in primes:
            back = [self._back(a, upper) for a in activations]
            products = [b * p for b, p in zip(back, primes)]
            same = self._same(products, deltas)
            return (f"Layer {l} done: δ({l}) = ((w({l + 1}))ᵀ δ({l + 1})) ⊙ {prime}(z({l}))   (BP2)\n"
                    f"= {self.vector(back)} ⊙ {self.vector(primes)} = {self.vector(products)}\n"
                    f"{same} {scalars}.")
        return f"Layer {l} done: δ({l}) = ∂C/∂z({l}) = {self.vector(deltas)}, the numbers of {scalars}."

    def _softmax_layer(self, layer, softmax, deltas, scalars):
        """δ(l) = J_softmaxᵀ ∇_a C: each a_j reads every z_k, so BP1's ⊙ f′(z) does not hold.
        Its sums are the very terms the steps δ(l)_j added; an a_j the cost does not read
        (nll reads one) has ∂C/∂a_j = 0."""
        l, n = layer.number, len(layer.neurons)
        grads_a = [self.walk.grad.get(softmax[j], 0.0) if j in softmax else 0.0 for j in range(1, n + 1)]
        where = "   (BP1 for a softmax output layer)" if all(map(self._feeds_no_neuron, softmax.values())) else ""
        return (f"Layer {l} done: δ({l}) = ∂C/∂z({l}) = J_softmaxᵀ ∇_a C{where}\n"
                f"softmax is not elementwise: each a({l})_j reads every z({l})_k, so the ⊙ f′(z) of BP1 "
                f"becomes the Jacobian J_jk = ∂a({l})_j/∂z({l})_k = a({l})_j ([j = k] − a({l})_k)\n"
                f"= J_softmaxᵀ {self.vector(grads_a)} = {self.vector(deltas)}, the numbers of {scalars}.")

    def _back(self, a, upper):
        """((w(l+1))ᵀ δ(l+1))_k = Σ_j δ(l+1)_j · w(l+1)_j,k for the activation a = a(l)_k, with
        each w as the forward pass read it: the local derivative ∂z(l+1)_j/∂a(l)_k of the term.
        A weight's .data may have moved since (an optimizer step); the graph's gradients did not."""
        weight_read = {}
        for term in self.walk.display_terms(a):
            weight_read.setdefault(term.consumer, term.local)
        total = 0.0
        for n in upper.neurons:
            total += self.walk.grad[n.z] * weight_read[n.z]
        return total

    def _same(self, vector, deltas):
        if vector == deltas:
            return "The same numbers, bit for bit, as"
        worst = max(abs(a - b) for a, b in zip(vector, deltas))
        return f"The same numbers (up to rounding: largest difference {worst:.1e}) as"

    def _prime(self, neuron):
        """σ′(z) of a neuron, as the op table gives it (1 for a linear neuron)."""
        if neuron.a is neuron.z:
            return 1.0
        terms = self.walk.received.get(neuron.z, [])
        return terms[0].local if len(terms) == 1 else None

    def _feeds_no_neuron(self, a):
        return not any(c in self.layer_of_z for c in self.walk.waits_for.get(a, []))

    def _next_layer(self, layer):
        """The layer fed by this one, when its activations feed that layer's dots and nothing else."""
        activations = [n.a for n in layer.neurons]
        for upper in self.walk.layers:
            if list(upper.inputs) == activations and all(
                    set(self.walk.waits_for.get(a, [])) == {n.z for n in upper.neurons} for a in activations):
                return upper
        return None

    def error(self):
        """What failed, in words and finite numbers (never nan or inf), then backward()'s own
        error word for word (the engine's message, which may name the nan or inf it met)."""
        error, node = self.walk.error, self.walk.stopped
        where = f" at {self.names[node]}" if node is not None else ""
        return (f"Backward stops here{where}: {self.what_failed(node)}backward() raises "
                f"{type(error).__name__}: {error}\n"
                f"No gradient past this point is computed, and backward() changes no .grad.")

    def refused(self, error):
        """Why backward() does not even start, then its error word for word."""
        c = self.c
        return (f"Backward cannot start at {c}: it has no seed ∂{c}/∂{c} = 1 and no gradient to pass back. "
                f"backward() raises {type(error).__name__}: {error}\n"
                f"No gradient is computed, and backward() changes no .grad.")

    def what_failed(self, node):
        if node is None:
            return ""
        g = self.walk.grad.get(node, 1.0)
        found = graph.failure(node, g, self.walk.grad)
        if found is None:
            return ""
        reason, parent, d = found
        z, c = self.names[node], self.c
        if reason == "no derivative":
            at = ", ".join(f"{self.names[p]} = {compact(p.data, self.digits)}" for p in node.parents[:6])
            reach = ", ".join(f"∂{c}/∂{self.names[p]}" for p in dict.fromkeys(node.parents[:6]))
            return (f"the local derivative of {z} is infinite or undefined here (at {at}), so {reach} "
                    f"cannot be computed. ")
        x = self.names[parent]
        cause = {
            "undefined": f"the local derivative ∂{z}/∂{x} is undefined here (not a real number)",
            "infinite": f"the local derivative ∂{z}/∂{x} is infinite here",
            "overflow": (f"the term ∂{c}/∂{z} · ∂{z}/∂{x} = {self.number(g)} × {self.number(d)} is too large "
                         f"for a float"),
            "sum": f"the sum of the terms of ∂{c}/∂{x} is too large for a float",
        }[reason]
        return f"{cause}, so ∂{c}/∂{x} cannot be computed. "
