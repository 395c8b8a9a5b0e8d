"""A compiled program: one recorded graph, run forward and backward on a whole batch at once.

    V[node]  = the node's value for every example        (rows x batch)
    D[node]  = ∂C/∂node for every example                 (rows x batch)
    θ        = every parameter, one number each, shared by the batch
    ∇θ       = Σ_examples ∂C/∂θ  (or the mean: `reduction`)

Two ways to drive it:
- Value-level, like the scalar engine: `program.backward(X, Y)` reads the parameter Values,
  and ADDS the batch's gradient into their `.grad` (so optimizers, state_dict and viz work
  unchanged); `program(X, Y)` gives the roots for every example (for a loss program, the
  per-example losses C(i), which need the targets Y).
- Array-level, for training loops: `program.gradient(X, Y)` uses `program.theta` as it is and
  fills `program.grad`; update θ in place, then `program.write_parameters()` at the end.
"""

import math

import numpy as np

from ..engine import Value, apply, gradients
from .graph import as_rows
from .steps import as_index

REDUCTIONS = ("mean", "sum")


class Program:
    def __init__(self, order, roots, outputs, leaves, plan, reduction):
        if reduction not in REDUCTIONS:
            raise ValueError(f"compile: reduction must be 'mean' or 'sum', got {reduction!r}")
        self.reduction = reduction
        self.parameters = plan.parameters
        # θ and ∇θ are allocated once and only ever changed in place: the steps hold views
        # of them (a layer's W is a reshaped block of θ).
        self._theta = np.array([p.data for p in self.parameters], dtype=float)
        self._grad = np.zeros_like(self._theta)
        for step in plan.steps:
            if hasattr(step, "bind"):
                step.bind(self._theta, self._grad)
        self.inputs, self.targets = leaves.inputs, leaves.targets
        self.roots, self.outputs = roots, outputs
        self._order, self._plan, self._steps = order, plan, plan.steps
        self._root_rows = as_index(plan.row[r] for r in roots)
        self._loss_row = plan.row[roots[0]] if len(roots) == 1 else None
        self._buffers = {}
        self._last = None
        self._predict_steps, self._output_rows = self._plan_predict(outputs)

    def __repr__(self):
        return (f"<compiled program: {len(self._order)} nodes in {len(self._steps)} steps, "
                f"{len(self.parameters)} parameters, {len(self.inputs)} inputs, {len(self.targets)} targets>")

    # --- parameters: the Values <-> the flat vector θ --------------------------------------
    @property
    def theta(self):
        """The parameters' values as one flat float array, in the order of `self.parameters`."""
        return self._theta

    @theta.setter
    def theta(self, values):
        values = np.asarray(values, dtype=float)
        if values.shape != self._theta.shape:
            raise ValueError(f"theta: expected {self._theta.shape[0]} numbers, got shape {values.shape}")
        self._theta[:] = values

    @property
    def grad(self):
        """∇θ C of the last `gradient`/`backward` call, in the order of `self.parameters`."""
        return self._grad

    def read_parameters(self):
        """θ ← the parameter Values' data (in place: views of θ stay valid)."""
        self.theta[:] = [p.data for p in self.parameters]

    def write_parameters(self):
        """The parameter Values' data ← θ."""
        for p, value in zip(self.parameters, self.theta.tolist()):
            p.data = value

    def index(self, parameter):
        """The position of a parameter Value in θ (and in `grad`)."""
        for k, p in enumerate(self.parameters):
            if p is parameter:
                return k
        raise KeyError(f"{parameter!r} is not a parameter of this program")

    # --- Value-level -----------------------------------------------------------------------
    def __call__(self, X, Y=None):
        """The graph's root(s) for every example (see `run`: for a loss, the per-example losses),
        with θ read from the parameter Values."""
        self.read_parameters()
        return self.run(X, Y)

    def backward(self, X, Y=None):
        """Like `loss.backward()` on every example of the batch: reads θ from the Values, then
        adds ∂C/∂p (summed or averaged over the batch, per `reduction`) into each `p.grad`.
        Returns the batch's loss (reduced the same way)."""
        self.read_parameters()
        loss = self.gradient(X, Y)
        for p, g in zip(self.parameters, self.grad.tolist()):
            p.grad += g
        return loss

    # --- array-level -----------------------------------------------------------------------
    def run(self, X, Y=None, *, check=True):
        """The root(s) for every example: shape (batch,) for one root, (batch, k) for several."""
        X, Y = self._rows(X, Y, check)
        with np.errstate(all="ignore"):
            V, _ = self._forward(X, Y, self._steps)
        values = V[self._root_rows].T.copy()
        return values[:, 0] if values.shape[1] == 1 else values

    def predict(self, X, *, check=True):
        """The `outputs` given to compile, for every example: shape (batch, len(outputs))."""
        if not self.outputs:
            raise ValueError("predict: this program was compiled without outputs=")
        X, _ = self._rows(X, None, check, need_targets=False)
        with np.errstate(all="ignore"):
            V, _ = self._forward(X, None, self._predict_steps, check_rows=self._predict_rows)
        return V[self._output_rows].T.copy()

    def last_outputs(self, out=None):
        """The `outputs` (batch, len(outputs)) as the last run/gradient computed them, before any
        update; written into `out` when given (e.g. a slice of an epoch's array)."""
        if self._last is None or self._output_rows is None:
            raise ValueError("last_outputs: nothing has run yet, or the program has no outputs=")
        if out is None:
            return self._last[self._output_rows].T.copy()
        np.copyto(out, self._last[self._output_rows].T)
        return out

    def gradient(self, X, Y=None, *, check=True):
        """Fill `self.grad` with ∇θ C for the batch (θ as it is now); return the loss.

        With check=False the caller promises X and Y are finite 2-d float arrays of the
        right widths (a training loop that checked its whole data set once)."""
        if self._loss_row is None:
            raise ValueError("gradient: a program compiled from several outputs has no single "
                             "loss to differentiate; compile the loss Value")
        X, Y = self._rows(X, Y, check)
        batch = X.shape[0]
        with np.errstate(all="ignore"):
            V, D = self._forward(X, Y, self._steps)
            D.fill(0.0)
            D[self._loss_row] = 1.0 / batch if self.reduction == "mean" else 1.0
            grad, theta = self._grad, self._theta
            if self._plan.zero_grad:
                grad.fill(0.0)
            for step in reversed(self._steps):
                step.backward(V, D, theta, grad)
            plan = self._plan
            if not plan.row_parameters:
                pass
            elif plan.param_grad_first and isinstance(plan.param_theta, slice):
                np.sum(D[plan.param_rows], axis=1, out=grad[plan.param_theta])
            elif plan.param_grad_first:
                grad[plan.param_theta] = D[plan.param_rows].sum(axis=1)
            else:
                grad[plan.param_theta] += D[plan.param_rows].sum(axis=1)
        # D (∂C/∂node per example) is checked rather than ∇θ: it is smaller for wide layers, and
        # ∇θ sums finite products of D with finite values.
        if not math.isfinite(D.sum()) or (self._plan.row_parameters and not math.isfinite(grad.sum())):
            self._explain_gradient(X, Y, D)
        loss = float(V[self._loss_row].sum())
        return loss / batch if self.reduction == "mean" else loss

    # --- the machinery ---------------------------------------------------------------------
    def _rows(self, X, Y, check, need_targets=True):
        if not check:
            return X, Y
        X = as_rows(X, len(self.inputs), "inputs")
        if not len(X):
            raise ValueError("inputs: got an empty batch (0 examples)")
        if not need_targets:
            return X, None
        if self.targets:
            if Y is None:
                raise ValueError(f"targets: this program has {len(self.targets)} target placeholders; "
                                 f"pass one row of targets per example")
            Y = as_rows(Y, len(self.targets), "targets")
            if len(Y) != len(X):
                raise ValueError(f"targets: {len(Y)} rows of targets for {len(X)} examples")
        elif Y is not None and np.size(Y):
            raise ValueError("targets: this program has no target placeholders, but targets were given")
        return X, Y

    def _buffers_for(self, batch):
        if batch not in self._buffers:
            if len(self._buffers) > 3:
                self._buffers.clear()
            plan = self._plan
            V = np.zeros((plan.n_rows, batch))
            D = np.zeros((plan.n_rows, batch))
            V[plan.constant_rows] = np.array(plan.constant_values)[:, None]
            self._buffers[batch] = V, D
        return self._buffers[batch]

    def _forward(self, X, Y, steps, check_rows=None):
        V, D = self._buffers_for(X.shape[0])
        self._last = V
        n_in, n_out = len(self.inputs), len(self.targets)
        V[:n_in] = X.T
        if Y is not None and n_out:
            V[n_in:n_in + n_out] = Y.T
        plan, theta = self._plan, self._theta
        if plan.row_parameters:
            V[plan.param_rows] = theta[plan.param_theta, None]
        for step in steps:
            step.forward(V, theta)
        checked = V if check_rows is None else V[check_rows]
        if not math.isfinite(checked.sum()):  # one call; a sum that merely overflowed is re-checked
            bad = np.flatnonzero(~np.isfinite(checked).all(axis=0))
            for example in bad:
                self._replay(example, X, Y, backward=False)
        return V, D

    def _explain_gradient(self, X, Y, D):
        for example in np.flatnonzero(~np.isfinite(D).all(axis=0)):
            self._replay(example, X, Y, backward=True)
        if np.isfinite(self.grad).all():
            return  # a sum that merely overflowed
        k = int(np.flatnonzero(~np.isfinite(self.grad))[0])
        name = self.parameters[k].label or f"number {k}"
        raise FloatingPointError(f"backward: the gradient of parameter {name} over the batch is "
                                 f"{self.grad[k]} (the sum over the examples overflowed)")

    def _replay(self, example, X, Y, backward):
        """Run one example through the scalar engine, which names the op and node that failed;
        re-raise its error with the example's index in the batch."""
        mapped = {}
        for j, x in enumerate(self.inputs):
            mapped[x] = Value(float(X[example, j]), label=x.label)
        for j, y in enumerate(self.targets):
            if Y is not None:
                mapped[y] = Value(float(Y[example, j]), label=y.label)
        for p, value in zip(self.parameters, self.theta.tolist()):
            mapped[p] = Value(value, label=p.label)
        try:
            for node in self._order:
                if node in mapped:
                    continue
                if not node.parents:
                    mapped[node] = node
                    continue
                if any(p not in mapped for p in node.parents):
                    continue  # needs a target that predict() was not given
                copy = apply(node.op, *(mapped[p] for p in node.parents), **(node.consts or {}))
                copy.label = node.label
                mapped[node] = copy
            if backward:
                gradients(mapped[self.roots[0]])
        except (ArithmeticError, ValueError) as error:
            failure = type(error)(f"{error} (in example {example} of the batch)")
            # A caller that batched the examples itself (nn.fit) can name the example its own way.
            failure.example, failure.reason = int(example), str(error)
            raise failure from None

    def _plan_predict(self, outputs):
        """The steps that compute `outputs`, and the rows to check: the outputs' ancestors."""
        if not outputs:
            return [], None
        row = self._plan.row
        needed = set()
        stack = list(outputs)
        while stack:
            node = stack.pop()
            if node not in needed:
                needed.add(node)
                stack.extend(node.parents)
        for y in self.targets:
            if y in needed:
                raise ValueError(f"compile: the outputs depend on the target {y.label or y!r}; "
                                 f"outputs must be computable from the inputs alone")
        steps = [s for s in self._steps if any(node in needed for node in s.nodes)]
        self._predict_rows = as_index(sorted(row[node] for node in needed if node in row))
        return steps, as_index(row[node] for node in outputs)
