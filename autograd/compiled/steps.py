"""The steps of a compiled program: each runs one group of nodes for the whole batch at once.

Every node has one row in the value buffer V (shape: rows x batch), and the same row in the
gradient buffer D, which holds ∂C/∂node for each example. A step reads its inputs' rows,
computes its nodes' rows with ONE call of the op's table entry on the array namespace, and
during backward adds  ∂C/∂z · ∂z/∂input  into its inputs' rows of D.

Parameters live in one flat vector θ (one number per parameter, shared by the batch); a
layer's weight matrix is a contiguous block of θ, so W is a view of θ, never a copy.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..backends import array as M


def as_index(positions):
    """A slice when the positions are consecutive (a view, no copy), else an index array."""
    positions = [int(p) for p in positions]
    if positions and positions == list(range(positions[0], positions[0] + len(positions))):
        return slice(positions[0], positions[0] + len(positions))
    return np.array(positions, dtype=np.intp)


class Tracker:
    """Plans backward's writes: the first write into a row (or θ position) may overwrite it,
    later ones must add, so no buffer needs an extra pass to accumulate into."""

    def __init__(self, needs_grad_rows):
        self.needs = needs_grad_rows
        self.rows_written = set()
        self.theta_written = set()
        self.theta_partial = False

    def scatter(self, rows):
        """How to add contributions into D at `rows` (None if none of them needs a gradient)."""
        rows = [int(r) for r in rows]
        if not any(r in self.needs for r in rows):
            return None
        first = not any(r in self.rows_written for r in rows)
        self.rows_written.update(rows)
        return Scatter(rows, overwrite=first)

    def theta_first(self, positions):
        positions = range(positions.start, positions.stop) if isinstance(positions, slice) else positions
        positions = [int(p) for p in positions]
        written = sum(p in self.theta_written for p in positions)
        if 0 < written < len(positions):
            self.theta_partial = True  # some positions are added to before any write: ∇θ needs zeroing
        self.theta_written.update(positions)
        return written == 0


class Scatter:
    """D[rows] += c, where the same row may appear several times (its terms are summed first,
    with one reduceat instead of a slow unbuffered np.add.at)."""

    def __init__(self, rows, overwrite):
        self.overwrite = overwrite
        if len(set(rows)) == len(rows):
            self.reduce = None
            self.target = as_index(rows)
        else:
            order = np.argsort(rows, kind="stable")
            ordered = np.asarray(rows)[order]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            self.reduce = (order, starts)
            self.target = as_index(ordered[starts])
        # Contributions that simply overwrite a block of rows can be computed in place.
        self.plain = overwrite and self.reduce is None and isinstance(self.target, slice)

    def product(self, D, g, d):
        """Add g · d (skipping the multiplication for the table's constant derivatives ±1)."""
        if isinstance(d, float):
            if d == 1.0:
                return self(D, g)
            if d == -1.0:
                return self(D, -g)
        if self.plain:
            np.multiply(g, d, out=D[self.target])
        else:
            self(D, g * d)

    def __call__(self, D, c):
        if self.reduce is not None:
            order, starts = self.reduce
            c = np.add.reduceat(c[order], starts, axis=0)
        if self.overwrite:
            D[self.target] = c
        else:
            D[self.target] += c


class Elementwise:
    """G nodes of one unary or binary op: z = f(x[, y]) on a (G, batch) array per input."""

    def __init__(self, op, consts, nodes, out, sources):
        self.op, self.consts, self.nodes = op, consts, nodes
        self.out, self.sources = out, sources
        self.scatters = None  # set by prepare_backward

    def forward(self, V, theta):
        operands = [V[source] for source in self.sources]
        V[self.out] = self.op.forward(M, *operands, **self.consts)
        self.saved = operands

    def prepare_backward(self, tracker, rows_of_sources):
        self.scatters = [tracker.scatter(rows) for rows in rows_of_sources]

    def backward(self, V, D, theta, grad):
        g = D[self.out]
        derivatives = self.op.derivatives(M, V[self.out], *self.saved, **self.consts)
        for scatter, d in zip(self.scatters, derivatives):
            if scatter is not None:
                scatter.product(D, g, d)


class Variadic:
    """G nodes of one n-ary op (sum, logsumexp, dot), each with k inputs: the inputs arrive
    stacked on axis 0 as a (k, G, batch) array, as the table's n-ary ops expect."""

    def __init__(self, op, consts, nodes, out, source, fan_in):
        self.op, self.consts, self.nodes = op, consts, nodes
        self.out, self.source = out, source
        self.fan_in = fan_in
        self.scatter = None

    def forward(self, V, theta):
        inputs = V[self.source]
        xs = inputs.reshape(self.fan_in, len(self.nodes), inputs.shape[-1])
        V[self.out] = self.op.forward(M, xs, **self.consts)
        self.saved = xs

    def prepare_backward(self, tracker, rows):
        self.scatter = tracker.scatter(rows)

    def backward(self, V, D, theta, grad):
        if self.scatter is None:
            return
        g = D[self.out]
        xs = self.saved
        derivatives = self.op.derivatives(M, V[self.out], xs, **self.consts)
        self.scatter(D, (g * derivatives).reshape(-1, g.shape[-1]))


class DenseLayer:
    """A layer of G neurons reading the same n activations: z = W a + b as one matrix product.

    Forward (per example):  z_j = Σ_k w_jk a_k + b_j        (the table's dot: Σ w a + b)
    Backward:  ∂C/∂W = δ aᵀ (summed over the batch),  ∂C/∂b = Σ_batch δ,  ∂C/∂a = Wᵀ δ
    with δ = ∂C/∂z: the table's ∂z/∂w_k = a_k, ∂z/∂a_k = w_k, ∂z/∂b = 1, contracted over the
    batch and the layer. `compile` checks this step against the table on the recorded example.
    """

    def __init__(self, nodes, out, inputs, weights, bias_theta, bias_rows):
        self.nodes, self.out, self.inputs = nodes, out, inputs
        self.weights, self.shape = weights, weights.shape   # θ positions, G x n
        self.bias_theta, self.bias_rows = bias_theta, bias_rows

    def bind(self, theta, grad):
        """Keep views of θ and ∇θ where W (and b) sit on a grid of θ: reading them copies nothing."""
        self.W, self.grad_W = _grid_view(theta, self.weights), _grid_view(grad, self.weights)
        self.b = self.grad_b = None
        if self.bias_theta is not None:
            self.b = _grid_view(theta, self.bias_theta)
            self.grad_b = _grid_view(grad, self.bias_theta)
            if self.b is not None:
                self.b = self.b[:, None]

    def forward(self, V, theta):
        A = V[self.inputs]
        W = self.W if self.W is not None else theta[self.weights]
        Z = V[self.out]
        np.matmul(W, A, out=Z)
        if self.b is not None:
            Z += self.b
        elif self.bias_theta is not None:
            Z += theta[self.bias_theta, None]
        elif self.bias_rows is not None:
            Z += V[self.bias_rows]
        self.saved = (A, W)

    def prepare_backward(self, tracker, input_rows, bias_rows):
        self.weights_first = tracker.theta_first(self.weights.ravel())
        self.bias_first = None if self.bias_theta is None else tracker.theta_first(self.bias_theta)
        self.bias_scatter = None if self.bias_rows is None else tracker.scatter(bias_rows)
        self.input_scatter = tracker.scatter(input_rows)

    def backward(self, V, D, theta, grad):
        A, W = self.saved
        delta = D[self.out]
        if self.grad_W is not None and self.weights_first:
            np.matmul(delta, A.T, out=self.grad_W)
        elif self.grad_W is not None:
            self.grad_W += delta @ A.T
        elif self.weights_first:
            grad[self.weights] = delta @ A.T
        else:
            grad[self.weights] += delta @ A.T
        if self.bias_theta is not None:
            if self.grad_b is not None and self.bias_first:
                np.add.reduce(delta, axis=1, out=self.grad_b)
            elif self.grad_b is not None:
                self.grad_b += delta.sum(axis=1)
            elif self.bias_first:
                grad[self.bias_theta] = delta.sum(axis=1)
            else:
                grad[self.bias_theta] += delta.sum(axis=1)
        elif self.bias_scatter is not None:
            self.bias_scatter(D, delta)
        if self.input_scatter is None:
            return
        if self.input_scatter.plain:
            np.matmul(W.T, delta, out=D[self.input_scatter.target])
        else:
            self.input_scatter(D, W.T @ delta)


def _grid_view(vector, positions):
    """vector[positions] as a strided VIEW when the positions form a grid (s + i·r + j·c), else None."""
    positions = np.asarray(positions)
    start = int(positions.flat[0])
    strides = []
    for axis in range(positions.ndim):
        steps = np.diff(positions, axis=axis)
        step = int(steps.flat[0]) if steps.size else 1
        if steps.size and not np.all(steps == step):
            return None
        strides.append(step)
    if min(strides) < 1:
        return None
    grid = start + sum(np.arange(n).reshape([-1 if a == i else 1 for a in range(positions.ndim)]) * step
                       for i, (n, step) in enumerate(zip(positions.shape, strides)))
    if not np.array_equal(grid, positions):
        return None
    return as_strided(vector[start:], shape=positions.shape,
                      strides=tuple(step * vector.itemsize for step in strides))
