"""A compiled program: generated numpy source for one recorded graph, run on a whole batch.

    x, y     the batch's inputs and targets, one column per example (X.T, Y.T)
    θ        every parameter, one number each, shared by the batch: `program.theta`
    ∇θ       Σ_examples ∂C/∂θ (or the mean: `reduction`): `program.grad`

`program.source` is the code; it reads like the notes' equations (print it).

Two ways to drive it:
- Value-level, like the scalar engine: `program.backward(X, Y)` reads the parameter Values
  and ADDS the batch's gradient into their `.grad`; `program(X, Y)` gives the roots for every
  example (for a loss, the per-example losses C(i), which need the targets Y).
- Array-level, for training loops: `program.gradient(X, Y)` uses `program.theta` as it is and
  fills `program.grad`; update θ in place, then `program.write_parameters()` at the end.

The checks are on what the caller sees: a loss, ∇θ or an output that is not finite sends the
batch's examples through the scalar engine, which names the op and node that failed. The
forward passes (run, predict) also check each value that feeds an op able to turn a number
that is not finite into one that is (step(log x) at x = 0 is 0), where the scalar engine would
have raised; training's gradient checks the loss and ∇θ alone, for speed.
"""

import math

import numpy as np

from ..checks import all_finite_vector, as_flag, as_number
from ..engine import Value, _make, add_to_grads, gradients, reaching
from ..functional import sum as total
from ..grad_mode import enable_grad
from ..higher import FirstOrderOnlyError
from ..ops import OPS
from .generate import Writer
from .graph import ancestors, as_rows

REDUCTIONS = ("mean", "sum")


class Program:
    """A recorded graph compiled for batches (see the module's docstring).

    Threads: run, predict and __call__ may be shared between threads (each call has its own
    arrays) as long as nobody changes θ meanwhile. gradient and backward may not: they write
    ∇θ into the one array `grad` (and the last outputs into the program), so two threads
    calling them at once read each other's gradients; give each thread its own program
    (compile once per thread) or hold a lock around the call and the read of `grad`.
    """

    def __init__(self, order, roots, outputs, leaves, reduction):
        if reduction not in REDUCTIONS:
            raise ValueError(f"compile: reduction must be 'mean' or 'sum', got {reduction!r}")
        self.reduction = reduction
        self.parameters = list(leaves.parameters)
        self.inputs, self.targets = leaves.inputs, leaves.targets
        self.roots, self.outputs = roots, outputs
        self._order = order
        # θ and ∇θ are allocated once and only ever changed in place: the program holds views
        # of them (a layer's W is a block of θ).
        self._theta = np.array([p.data for p in self.parameters], dtype=float)
        self._grad = np.zeros_like(self._theta)
        self._last, self._last_batch, self._seeds = None, 0, {}
        self._source, namespace, checked, self._checked_rows = _write(order, roots, outputs, leaves,
                                                                      self._theta, self._grad)
        self._namespace = dict(namespace)  # what the source reads, before its functions are added
        exec(compile(self._source, "<autograd.compile>", "exec"), namespace)
        self._run, self._gradient = namespace["run"], namespace.get("gradient")
        exec(compile(checked, "<autograd.compile: the checked forward passes>", "exec"), namespace)
        self._checked_run, self._checked_predict = namespace["checked_run"], namespace.get("checked_predict")

    @property
    def source(self):
        """The generated numpy code: run(x, y), gradient(x, y, seed, batch) for a single loss,
        predict(x) when there are outputs. It reads names it does not define (np, M, theta,
        grad, a layer's W2 and b2 and their grad_W2, grad_b2, constants such as _k1): they are
        in `namespace`, so

            functions = dict(program.namespace)
            exec(program.source, functions)
            functions["gradient"](X.T, Y.T, np.full((1, len(X)), 1 / len(X)), len(X))

        fills program.grad as program.gradient(X, Y) does (without its checks) and returns
        (the batch's Σ_i C(i), the outputs): program.gradient returns that sum / batch, the mean."""
        return self._source

    @property
    def namespace(self):
        """The names `source` reads, as a new dict: np, M (autograd.backends.array), theta and
        grad, and the program's views and constants. The arrays are the program's own: theta is
        `program.theta` (views of it, such as W2, follow it) and gradient() writes into
        `program.grad`."""
        return dict(self._namespace)

    def __repr__(self):
        counts = [(len(self._order), "node"), (len(self.parameters), "parameter"), (len(self.inputs), "input"),
                  (len(self.targets), "target")]
        return "<compiled program: " + ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for n, what in counts) + ">"

    # --- parameters: the Values <-> the flat vector θ --------------------------------------
    @property
    def theta(self):
        """The parameters' values as one flat float array, in the order of `self.parameters`."""
        return self._theta

    @theta.setter
    def theta(self, values):
        values = np.asarray(values)
        if values.dtype == object or values.dtype.kind not in "biuf":
            raise TypeError(f"theta: expected real numbers, got an array of {values.dtype}")
        if values.shape != self._theta.shape:
            raise ValueError(f"theta: expected {self._theta.shape[0]} numbers, got shape {values.shape}")
        if not np.isfinite(values).all():
            k = int(np.flatnonzero(~np.isfinite(values))[0])
            raise ValueError(f"theta: expected finite numbers, got {values[k]} for parameter {k}")
        self._theta[:] = values

    @property
    def grad(self):
        """∇θ C of the last `gradient`/`backward` call, in the order of `self.parameters`."""
        return self._grad

    def read_parameters(self):
        """θ ← the parameter Values' data (in place: views of θ stay valid), each checked as a
        finite number (a .data set by hand to a str was parsed by numpy, inf kept): an error
        names the parameter, as the scalar engine's ops do."""
        data = [p.data for p in self.parameters]
        if all(map(float.__instancecheck__, data)):  # in C: what the engine itself writes
            self._theta[:] = data
            if all_finite_vector(self._theta):
                return
        self._theta[:] = [as_number(p.data, f"compiled program: parameter {p.label or k!r} (its .data, set by hand)")
                          for k, p in enumerate(self.parameters)]

    def write_parameters(self):
        """The parameter Values' data ← θ."""
        for p, value in zip(self.parameters, self._theta.tolist()):
            p.data = value

    def index(self, parameter):
        """The position of a parameter Value in θ (and in `grad`)."""
        for k, p in enumerate(self.parameters):
            if p is parameter:
                return k
        raise KeyError(f"{parameter!r} is not a parameter of this program")

    # --- Value-level -----------------------------------------------------------------------
    def __call__(self, X, Y=None):
        """The graph's root(s) for every example (see `run`), with θ read from the parameter Values."""
        self.read_parameters()
        return self.run(X, Y)

    def backward(self, X, Y=None, create_graph=False):
        """Like `loss.backward()` on every example of the batch: reads θ from the Values, then
        adds ∂C/∂p (summed or averaged over the batch, per `reduction`) into each `p.grad`.
        Returns the batch's loss (reduced the same way). First order only: create_graph=True
        is refused (FirstOrderOnlyError, a NotImplementedError); the scalar engine records the
        backward pass."""
        if as_flag(create_graph, "compiled program backward create_graph"):
            raise FirstOrderOnlyError(
                "compiled program: the compiled path is first-order only; for gradients of gradients "
                "use the scalar engine: autograd.grad(loss, inputs, create_graph=True) or "
                "loss.backward(create_graph=True)")
        self.read_parameters()
        loss = self.gradient(X, Y)
        add_to_grads(dict(zip(self.parameters, self._grad.tolist())))  # all or none, as backward()
        return loss

    # --- array-level -----------------------------------------------------------------------
    def run(self, X, Y=None, *, check=True):
        """The root(s) for every example: shape (batch,) for one root, (batch, k) for several.

        Checked as the scalar engine checks every node: the roots and outputs, and each value
        that feeds an op able to turn a number that is not finite into one that is (step,
        tanh, sigmoid, atan, exp, relu, maximum, division, c**y ...: not + or log, which keep
        it). Where one is not finite, the first such example (in order) runs through the scalar
        engine, which names the op and node, or gives its numbers instead. check=False skips
        the checks of X and Y (see gradient), not these."""
        X, Y = self._rows(X, Y, check)
        with np.errstate(all="ignore"):
            roots, self._last, checked = self._checked_run(X.T, None if Y is None else Y.T)
            self._last_batch = len(X)
            values = np.array(_spread(roots, len(X)))
            flagged = _not_finite_examples(checked, self._checked_rows["run"], len(X))
            if flagged is not None or not math.isfinite(values.sum()):
                replays = self._explain(X, Y, values, self.roots, flagged)
                if replays and self._last is not None:  # the outputs of those examples too
                    self._last = np.array(_spread(self._last, len(X)))
                    for example, mapped in replays.items():
                        self._last[:, example] = [mapped[node].data for node in self.outputs]
        return values[0].copy() if len(values) == 1 else values.T.copy()

    def predict(self, X, *, check=True):
        """The `outputs` given to compile, for every example: shape (batch, len(outputs)).
        Checked as `run` is: the outputs and the values that feed an op able to make them finite."""
        if self._checked_predict is None:
            raise ValueError("predict: this program was compiled without outputs=")
        X, _ = self._rows(X, None, check, need_targets=False)
        with np.errstate(all="ignore"):
            outputs, checked = self._checked_predict(X.T)
            outputs = np.array(_spread(outputs, len(X)))
            flagged = _not_finite_examples(checked, self._checked_rows["predict"], len(X))
            if flagged is not None or not math.isfinite(outputs.sum()):
                self._explain(X, None, outputs, self.outputs, flagged)
        return outputs.T.copy()

    def last_outputs(self, out=None):
        """The `outputs` (batch, len(outputs)) as the last run/gradient computed them, before any
        update; written into `out` when given (e.g. a slice of an epoch's array)."""
        if self._last is None:
            raise ValueError("last_outputs: nothing has run yet, or the program has no outputs=")
        last = _spread(self._last, self._last_batch).T  # outputs that are the same for every example
        if out is None:
            return np.array(last)
        np.copyto(out, last)
        return out

    def gradient(self, X, Y=None, *, check=True, check_gradient=True):
        """Fill `self.grad` with ∇θ C for the batch (θ as it is now); return the loss.

        With check=False the caller promises X and Y are finite 2-d float arrays of the
        right widths (a training loop that checked its whole data set once) and runs it with
        numpy's warnings off, under np.errstate(all="ignore"), as nn.fit's epoch loop does:
        entering errstate for every batch costs more than a small layer's matmul. Either way
        the loss and ∇θ are checked (nan and inf survive a sum: checks.all_finite_vector);
        only when they are not finite does the scalar engine name what failed, the forward
        failures first (checked as `run` checks them). Only those: for speed, a value inside
        the graph that is not finite but that a later op turns finite (step(log x) at x = 0)
        gives numbers here where run, predict and the scalar engine raise.

        check_gradient=False leaves ∇θ to the caller, which promises to check it and to call
        `explain_gradient(X, Y)` where it is not finite: nn.fit checks θ after each step,
        which a ∇θ that is not finite cannot pass (θ - η g is not finite), so one check of θ
        covers both."""
        if self._gradient is None:
            raise ValueError("gradient: this program has no single loss to differentiate (it was "
                             "compiled from several outputs, or from a leaf); compile the loss Value")
        if not check:
            return self._checked_gradient(X, Y, check_gradient)
        X, Y = self._rows(X, Y, check)
        with np.errstate(all="ignore"):
            return self._checked_gradient(X, Y, check_gradient)

    def explain_gradient(self, X, Y=None):
        """Where `gradient(X, Y, check_gradient=False)` left a ∇θ that is not finite: the scalar
        engine runs the batch, and FloatingPointError names the op and node that failed, or,
        where only the program's order of summation overflowed, its ∇θ fills `self.grad` and
        the batch's loss is returned."""
        with np.errstate(all="ignore"):
            loss = self._scalar_batch(X, Y, self._seed(len(X)))
        return float(loss) / len(X) if self.reduction == "mean" else float(loss)

    def _seed(self, batch):
        """∂C/∂C(i) for each example: 1/batch for the mean (one array per batch size, kept)."""
        seed = self._seeds.get(batch)
        if seed is None:
            seed = self._seeds[batch] = np.full((1, batch), 1.0 / batch if self.reduction == "mean" else 1.0)
        return seed

    def _checked_gradient(self, X, Y, check_gradient=True):
        batch = len(X)
        seed = self._seed(batch)
        loss, self._last = self._gradient(X.T, None if Y is None else Y.T, seed, batch)
        self._last_batch = batch
        if not (math.isfinite(loss) and (not check_gradient or all_finite_vector(self._grad))):
            loss = self._scalar_batch(X, Y, seed)
        return float(loss) / batch if self.reduction == "mean" else float(loss)

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
        elif Y is not None:
            if np.size(Y):
                raise ValueError("targets: this program has no target placeholders, but targets were given")
            Y = None  # no targets, however written ([], (), an (N, 0) array): the program reads none
        return X, Y

    def _explain(self, X, Y, values, ends, flagged=None):
        """Name what is not finite in `values` (one row per node of `ends`, one column per
        example) or inside the graph (`flagged`: the examples where a checked value is not):
        the first such example, run through the scalar engine, which names the op and node
        that failed. Where the scalar engine computes them (numpy sums in another order than
        its left fold, and can overflow where it does not), its values replace the program's.
        Returns {example: the replay's {node: its copy}}."""
        replays, bad = {}, ~np.isfinite(values).all(axis=0)
        for example in np.flatnonzero(bad if flagged is None else bad | flagged).tolist():
            replays[example], _ = self._replay(example, X, Y)
            values[:, example] = [replays[example][node].data for node in ends]
        return replays

    def _scalar_batch(self, X, Y, seed):
        """The batch's Σ_i C(i) and ∇θ (into self.grad) from the scalar engine, example by
        example, where the program's were not finite: the scalar engine names the op and node
        that failed, or gives the numbers (the program's order of summation overflowed where
        the engine's does not)."""
        each, _, checked = self._checked_run(X.T, None if Y is None else Y.T)  # a forward failure is named first
        self._explain(X, Y, np.array(_spread(each, len(X))), self.roots,
                      _not_finite_examples(checked, self._checked_rows["run"], len(X)))
        losses, grad = [], np.zeros_like(self._grad)
        for example, weight in enumerate(seed[0].tolist()):
            mapped, grads = self._replay(example, X, Y, backward=True)
            losses.append(mapped[self.roots[0]])
            grad += weight * np.array([grads.get(mapped[p], 0.0) for p in self.parameters])
        loss = total(losses).data if len(losses) > 1 else losses[0].data  # the engine's sum names an overflow
        bad = np.flatnonzero(~np.isfinite(grad))
        if len(bad):
            k = int(bad[0])
            name = self.parameters[k].label or f"number {k}"
            raise FloatingPointError(f"backward: the gradient of parameter {name} over the batch is "
                                     f"{grad[k]} (the sum over the examples overflowed)")
        self._grad[:] = grad
        return loss

    def _replay(self, example, X, Y, backward=False):
        """Run one example through the scalar engine, which names the op and node that failed;
        re-raise its error with the example's index in the batch. ({node: its copy}, and with
        backward the copies' {copy: ∂C/∂copy}, else None)."""
        with enable_grad():  # under no_grad the copies would be constants, with no gradient to give
            return self._replayed(example, X, Y, backward)

    def _replayed(self, example, X, Y, backward):
        # The example's numbers are data, constants as torch takes them: backward goes toward θ
        # alone, so a derivative toward an input (∂(a^k)/∂k at a < 0) can neither fail nor be blamed.
        mapped = {x: Value(float(X[example, j]), label=x.label, requires_grad=False)
                  for j, x in enumerate(self.inputs)}
        if Y is not None:
            mapped.update({y: Value(float(Y[example, j]), label=y.label, requires_grad=False)
                           for j, y in enumerate(self.targets)})
        # Every parameter requires grad here, as the program gives each a gradient: a parameter
        # that does and that θ has not moved stands for itself. Copying all of them made
        # compile's own check of 784-30-10 cost 95 ms instead of 65 (23,900 Values).
        mapped.update({p: p if p.data == v and p.requires_grad else Value(v, label=p.label)
                       for p, v in zip(self.parameters, self._theta.tolist())})
        missing = set() if Y is not None else set(self.targets)  # predict() is given no targets
        try:
            for node in self._order:
                if node in mapped or (missing and any(p not in mapped for p in node.parents)):
                    continue  # done, or needs a target that predict() was not given
                if not node.parents:
                    if node not in missing:  # a constant (a leaf of a graph recorded by hand may require grad)
                        mapped[node] = node if not node.requires_grad else node.detach()
                    continue
                # the recorded node's inputs are Values and its constants were checked: made as it was
                copy = _make(OPS[node.op], tuple([mapped[p] for p in node.parents]), node.consts)
                copy.label = node.label
                mapped[node] = copy
            grads = gradients(mapped[self.roots[0]]) if backward else None
        except (ArithmeticError, ValueError) as error:
            failure = type(error)(f"{error} (in example {example} of the batch)")
            # A caller that batched the examples itself (nn.fit) can name the example its own way.
            failure.example, failure.reason = int(example), str(error)
            raise failure from None
        return mapped, grads


def _not_finite_examples(checked, rows, batch):
    """A boolean per example: whether any of the `checked` arrays (nodes x batch, or x 1 for
    values the same for every example), read at `rows` (None: all), is not finite there;
    None where all are finite. One sum per array answers in the common case (nan and inf
    survive it)."""
    bad = None
    for values, index in zip(checked, rows):
        values = values if index is None else values[index]
        if all_finite_vector(values):
            continue
        here = ~np.isfinite(values).all(axis=0)
        bad = here if bad is None else bad | here
    return None if bad is None or not bad.any() else np.broadcast_to(bad, (batch,))


def _checked_function(writer, name, arguments, groups, nodes, returns):
    """A forward function that also returns the values to check, and the rows of each to
    check (None: all): the groups' rows that feed an op of `nodes` able to turn a number that
    is not finite into one that is. Inputs, θ and constants are finite already, and so are
    groups of constants alone."""
    rows = {}
    for node in nodes:
        if node.parents and not OPS[node.op].keeps_non_finite and node not in writer.fixed:
            for parent in node.parents:
                group, row = writer.place.get(parent, ("x", None))  # θ and constants are not placed
                if group not in ("x", "y") and parent not in writer.fixed:
                    rows.setdefault(group, set()).add(row)
    checked = "".join(f"{group}, " for group in rows)
    return (writer.function(name, arguments, groups, f"{returns}, ({checked})"),
            [None if len(r) == writer.size[group] else np.array(sorted(r), dtype=np.intp) for group, r in rows.items()])


def _spread(values, batch):
    """Values of shape (k, 1) (the same for every example) as (k, batch)."""
    return values if values.shape[-1] == batch else np.broadcast_to(values, (len(values), batch))


def _groups_computing(groups, needed):
    """The groups (in order) whose lines compute the `needed` nodes: a group's line computes
    all of its rows, so every group that any row of it reads is needed too."""
    wanted, chosen = set(needed), []
    for group in reversed(groups):  # parents sit in earlier groups
        if not wanted.isdisjoint(group.nodes):
            chosen.append(group)
            for node in group.nodes:
                wanted.update(node.parents)
    return chosen[::-1]


def _write(order, roots, outputs, leaves, theta, grad):
    """The program's source and the namespace it runs in: run(x, y); gradient(x, y, seed, batch)
    for a single root, the loss; predict(x) when there are outputs. Then the forward passes
    again, checked_run and checked_predict, which also return the values to check (the inputs
    of ops that do not keep a number that is not finite so: Op.keeps_non_finite), and for each of them its rows to check: {"run": rows, "predict": rows}."""
    writer = Writer(order, roots, leaves, theta, grad)
    outputs_text = str(writer.column(outputs)) if outputs else "None"
    if outputs and writer.column(outputs).value is not None:  # every output is the same constant
        outputs_text = f"np.full(({len(outputs)}, 1), {outputs_text})"
    # `order` holds the ancestors of the roots and outputs and nothing else: run() needs every group.
    functions = [writer.function("run", "x, y", writer.groups, f"{writer.column(roots)}, {outputs_text}")]
    checked, checked_rows = {}, {}
    checked["run"], checked_rows["run"] = _checked_function(writer, "checked_run", "x, y", writer.groups, order,
                                                            f"{writer.column(roots)}, {outputs_text}")
    if len(roots) == 1 and roots[0].parents:  # a forward-only program may return a leaf: no loss
        needs = reaching(order, writer.params)  # the nodes that depend on a parameter: only they need ∂C/∂node
        functions.append(writer.function("gradient", "x, y, seed, batch", writer.groups,
                                         f"loss, {outputs_text}", writer.backward(needs)))
    if outputs:
        needed = ancestors(order, outputs)
        for y in leaves.targets:
            if y in needed:
                raise ValueError(f"compile: the outputs depend on the target {y.label or y!r}; "
                                 f"outputs must be computable from the inputs alone")
        groups = _groups_computing(writer.groups, needed)
        functions.append(writer.function("predict", "x", groups, outputs_text))
        checked["predict"], checked_rows["predict"] = _checked_function(
            writer, "checked_predict", "x", groups, [node for node in order if node in needed], outputs_text)
    header = ('"""Generated by autograd.compile from a recorded graph and the derivative table.\n\n'
              "x, y: the batch's inputs and targets, one column per example; theta: the parameters;\n"
              "d_v: ∂C/∂v for every example (δ where v is a z); grad: Σ over the batch of ∂C/∂θ.\n"
              "M is autograd.backends.array, the namespace the table is written against.\n"
              '"""\n\n')
    return header + "\n\n".join(functions), writer.namespace, "\n\n".join(checked.values()), checked_rows
