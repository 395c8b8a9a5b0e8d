"""The fast path: compile a recorded scalar graph into straight-line numpy source.

    xs = [Value(0.0, label=f"x_{k}") for k in range(1, 65)]    # placeholders: one example
    ys = [Value(0.0, label=f"y_{j}") for j in range(1, 11)]
    loss = cost(model(xs), ys)                                    # recorded once, with the scalar engine
    program = autograd.compile(loss, inputs=xs, targets=ys, parameters=model.parameters())
    program.backward(X_batch, Y_batch)   # every p.grad += mean over the batch of ∂C/∂p

or let compile record (and check) the graph itself, from a function of one example:

    program = autograd.compile(lambda xs, ys: cost(model(xs), ys), examples=(X, Y),
                               parameters=model.parameters())

Nodes of the same op at the same depth become one line of numpy, written by the SAME table
entry (`autograd.OPS`) the scalar engine uses, and a layer of `dot` neurons reading the same
activations becomes z = W a + b; `print(program.source)` shows the code.
"""

import warnings

import numpy as np

from ..checks import as_count
from ..engine import Value, _collector_paused
from ..functional import term_sizes
from .graph import (ConstantLeafWarning, GraphStructureError, Leaves, as_roots, as_rows, first_difference,
                    leaf_role, nodes_in_order, record, refuse_numbers_taken_out, reworded, structure)
from .program import Program

__all__ = ["compile", "ConstantLeafWarning", "GraphStructureError", "Program", "reworded"]


def compile(graph, inputs=(), targets=(), parameters=None, *, outputs=(), examples=None,
            reduction="mean", check=3):
    """A `Program` that runs the graph forward and backward on a whole batch at once.

    graph       the recorded loss Value (or a list of output Values: a forward-only program),
                or a function `build(xs) / build(xs, ys)` of one example's placeholder Values
                returning the loss, a pair `(loss, outputs)` (outputs a Value or a list of
                them), or a list of outputs (a forward-only program). The graph is recorded
                whatever the grad mode, under autograd.no_grad() too
    inputs      the placeholder Values standing for one example's input columns (graph form)
    targets     the placeholder Values standing for its targets (graph form)
    parameters  the leaves to train: each is one number shared by the batch and gets a gradient;
                every other leaf is a constant. Required with a recorded graph (e.g.
                model.parameters()): a leaf such as the 1.0 in x*x + 1.0 is a constant, and
                only the caller knows which leaves are which. With a function it may be left
                out: then every leaf that is the same Value in every recording (leaves the
                function makes afresh on each call are constants). A leaf that requires grad
                and is left out (of parameters=, and in a recorded graph of inputs= and
                targets= too) is compiled as a constant with a ConstantLeafWarning naming
                it; with a function, only a leaf shared by every recording. Give it
                requires_grad=False (or detach it) to mean it as a constant
    outputs     Values of the graph that `program.predict(X)` computes (e.g. the network's a^L)
    examples    X or the tuple (X, Y), one example per row (a list is an X: [X, Y] is refused,
                TypeError): with a function, the graph is recorded on
                `check` of them (the first, the second, the last, then rows spread evenly over
                the rest) and every recording must agree in structure, else
                GraphStructureError (branching on .data cannot be compiled). So is a number
                taken out of a placeholder or a parameter while recording (`if w > 0`,
                float(v), v.item()): the recorded branch would be replayed on every example
                and after θ moves; numbers of constants alone may be compared. An op's
                error while recording (an overflow, a domain error) names the row of X,
                as `error.example`, its words as `error.reason`
    reduction   'mean' or 'sum': how the batch's gradients (and losses) are combined
    check       how many examples to record on (at least 2 recordings are made)

    A loss must be made by an op; a forward-only program may return input placeholders and
    parameters as they are (as outputs= may), never a constant leaf (a graph computed under
    no_grad, detached, or of constants alone).

    The program is checked against the scalar engine on the recorded example before it is
    returned: every node's value, and every parameter's gradient (the inputs and targets
    held as constants, as torch treats data). What no recording can see:
    Python code that tests a placeholder itself (`if y == 1`, `if y:`) takes the same branch
    for every example; test the numbers outside, or compare the program with the scalar
    engine on examples of every kind (nn.fit does).
    """
    with _collector_paused():  # recording makes many objects and no cycles: nothing for gc to find
        return _compile(graph, inputs, targets, parameters, outputs, examples, reduction, check)


def _compile(graph, inputs, targets, parameters, outputs, examples, reduction, check):
    if callable(graph) and not isinstance(graph, Value):
        if examples is None:
            raise TypeError("compile: to record a function, pass examples=X or examples=(X, Y)")
        if inputs or targets or outputs:
            raise TypeError("compile: with a function, pass examples= instead of inputs/targets/outputs")
        roots, outputs, leaves, order, loss, other = _record_checked(graph, examples, parameters, check)
    else:
        if examples is not None:
            raise TypeError("compile: examples= is for a function; a recorded graph comes with "
                            "its placeholders in inputs= and targets=")
        if parameters is None:
            raise TypeError("compile: with a recorded graph, pass parameters= (e.g. "
                            "parameters=model.parameters()); every other leaf is a constant, "
                            "such as the 1.0 in x*x + 1.0 (an empty list: no parameters)")
        loss = isinstance(graph, Value)
        roots = as_roots(graph, "graph")
        outputs = as_roots(outputs, "outputs") if outputs else []
        order = nodes_in_order(roots + outputs)
        leaves, other = Leaves(inputs, targets, parameters), None
    _refuse_leaf_roots(roots, leaves, loss)
    _warn_of_constants(order, leaves, other)
    program = Program(order, roots, outputs, leaves, reduction)
    _check_against_engine(program, leaves)
    return program


def _refuse_leaf_roots(roots, leaves, loss):
    """ValueError for a root that is a leaf where it cannot be one: a loss (or a forward-only
    program's output) that is a constant, and a loss that is an input, target or parameter
    itself (it would have no op to differentiate; a forward-only program may return them)."""
    for root in roots:
        if root.parents:
            continue
        role = leaf_role(root, leaves)
        if role is None:
            raise ValueError(f"compile: the graph's root {root!r} is a leaf and a constant (no op made it: "
                             f"it was computed under autograd.no_grad(), is detached, or is of constants "
                             f"alone); compile a Value made by an op")
        if loss:
            raise ValueError(f"compile: the loss {root!r} is {role} itself, a leaf with no op to "
                             f"differentiate; a loss is made by ops (e.g. (a - y) ** 2). To compute "
                             f"the leaf for every example, compile a list of outputs")


def _record_checked(build, examples, parameters, check):
    X, Y = _inputs_and_targets(examples)
    X = as_rows(X, None, "examples (inputs)")
    if Y is not None:
        Y = as_rows(Y, None, "examples (targets)")
        if len(Y) != len(X):
            raise ValueError(f"examples: {len(Y)} rows of targets for {len(X)} examples")
    if not len(X):
        raise ValueError("examples: need at least one example to record the graph on")
    picks = _picks(len(X), check)
    if parameters is not None and (isinstance(parameters, Value) or not hasattr(parameters, "__iter__")
                                   or hasattr(parameters, "parameters")):
        raise TypeError(f"compile parameters: expected a list of Values (model.parameters()), got "
                        f"{type(parameters).__name__} {parameters!r:.40}")
    parameters = None if parameters is None else list(parameters)  # it is read more than once
    recordings, parameters = _recordings(build, X, Y, picks, parameters)
    (_, roots, outputs, loss, xs, ys), others = recordings[0], recordings[1:]  # the first is compiled
    leaves = Leaves(xs, ys, parameters)
    first = structure(roots + outputs, leaves, xs, ys)
    for i, other_roots, other_outputs, _, other_xs, other_ys in others:
        difference = first_difference(first, structure(other_roots + other_outputs, leaves, other_xs, other_ys))
        if difference:
            raise GraphStructureError(
                f"compile: the graph's structure depends on the data, so one recording cannot be "
                f"replayed on every example: recording example {i} gives a different graph than "
                f"example {picks[0]} ({difference}). This happens when Python code branches on "
                f".data (an `if` on a value, a loop whose length depends on one, a number taken "
                f"out of a Value). Run it uncompiled instead: build the graph and call backward() "
                f"for each example (nn.fit: compiled=False).")
    return roots, outputs, leaves, nodes_in_order(roots + outputs), loss, others[0][1] + others[0][2]


def _inputs_and_targets(examples):
    """(X, Y) from examples=: X alone (Y None), or the tuple (X, Y).

    A list of two entries that are not two rows of one width ([X, Y], as a TensorDataset is
    written) is refused, not read as the pair: a list is an X of its own, one example an
    entry, and [np.ones(3), np.zeros(3)] reads both ways; the tuple is the one spelling."""
    if isinstance(examples, tuple):
        if len(examples) != 2:
            raise TypeError(f"compile examples: expected X or a pair (X, Y), got a tuple of {len(examples)}")
        return examples
    if isinstance(examples, list) and len(examples) == 2:
        try:
            shapes = [np.shape(entry) for entry in examples]
        except ValueError:  # an entry of rows of different lengths
            shapes = None
        if shapes is None or len(shapes[0]) > 1 or shapes[0] != shapes[1]:
            of = "" if shapes is None else f" of shapes {shapes[0]} and {shapes[1]}"
            raise TypeError(f"compile examples: got a list of 2 entries{of}, which are not two examples "
                            f"(rows of X); inputs and targets are the tuple (X, Y): examples=(X, Y)")
    return examples, None


def _warn_of_constants(order, leaves, other):
    """ConstantLeafWarning naming the leaves of the graph (`order`) that require grad but are
    neither inputs, targets nor parameters: the program computes with them as constants. With
    `other`, the roots of another recording of the same function, only the leaves it shares
    (the model's: a leaf the function makes on each call is a constant of it, as 1.0 is)."""
    loose = leaves.unknown_requiring_grad(order)
    if loose and other is not None:
        shared = set(nodes_in_order(other))
        loose = [node for node in loose if node in shared]
    if not loose:
        return
    names = ", ".join(map(_leaf_name, loose[:5])) + (f" and {len(loose) - 5} more" if len(loose) > 5 else "")
    if other is None:
        why, advice = ("in none of inputs=, targets= and parameters=", "Pass each where it belongs (one "
                       "example's placeholders in inputs= and targets=, the leaves to train in parameters=)")
    else:
        why = "the same Value in every recording but not in parameters="
        advice = "To train them, pass them in parameters="
    warnings.warn(f"compile: leaves that require grad are compiled as constants: {names}. Each is {why}, so "
                  f"the program gives it no gradient and keeps the number it holds now, whatever its .data "
                  f"becomes. {advice}; to silence this, mean them as constants: v.requires_grad = "
                  f"False, or v.detach()", ConstantLeafWarning, stacklevel=4)  # compile's caller


def _leaf_name(node):
    return f"'{node.label}' (data {node.data:.6g})" if node.label else f"Value(data={node.data:.6g})"


def _recordings(build, X, Y, picks, parameters):
    """build recorded on each picked example: ([(i, roots, outputs, loss, xs, ys)], the
    parameters). Without parameters, they are the leaves that outlive one call of build (the
    model's), so the numbers taken out of them are checked once they are known."""
    recordings = []
    for i in picks:
        result, xs, ys, taken = _recorded(build, X, Y, i, parameters or ())
        recordings.append((i, *_split(result), xs, ys, taken))
    if parameters is None:
        kept = set(nodes_in_order(recordings[1][1] + recordings[1][2]))
        placeholders = set(recordings[0][4] + recordings[0][5])
        parameters = [node for node in nodes_in_order(recordings[0][1] + recordings[0][2])
                      if not node.parents and node in kept and node not in placeholders]
        for *_, xs, ys, taken in recordings:
            refuse_numbers_taken_out(taken, xs + ys, parameters)
    for _, roots, _, loss, xs, ys, _ in recordings:
        if not all(root.parents for root in roots):  # before comparing recordings: constants differ, not structure
            _refuse_leaf_roots(roots, Leaves(xs, ys, parameters), loss)
    return [recording[:-1] for recording in recordings], parameters


def _recorded(build, X, Y, i, parameters):
    """record() on example i; an op's error (an overflow, a domain error) there names the
    example, as a program's replay does: `error.example` is i and `error.reason` the op's
    words, so a caller that took the examples out of a data set of its own (nn.fit) can name
    its row there."""
    try:
        return record(build, X[i], None if Y is None else Y[i], parameters)
    except GraphStructureError:
        raise  # says which recording already, and is about the graph, not one example's numbers
    except (ArithmeticError, ValueError) as error:
        failure = type(error)(f"{error} (in row {i} of X, recording the graph)")
        failure.example, failure.reason = i, str(error)
        raise failure from None


def _picks(n, check):
    """The examples to record on: the first, the second, the last, then spread evenly over the
    rest, `check` of them; at least two recordings (one example is recorded twice), which is
    how the leaves every call shares (the parameters) are told from fresh constants."""
    check = as_count(check, "compile check (examples to record on)")
    wanted = max(check, 2)
    spread = np.linspace(0, n - 1, wanted).round().astype(int).tolist()
    picks = [0]
    for i in [min(1, n - 1), n - 1] + spread:
        if len(picks) < wanted and i not in picks:
            picks.append(i)
    return picks if len(picks) > 1 else [0, 0]


def _split(result):
    """What build() gave, as (roots, outputs, whether the root is a loss): the loss; a pair
    (loss, outputs), the outputs a Value or a list of them; or a list of outputs, a
    forward-only program."""
    if isinstance(result, Value):
        return [result], [], True
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], Value):
        return [result[0]], as_roots(result[1], "the outputs the function returned"), True
    return as_roots(result, "the function given to compile"), [], False


def _check_against_engine(program, leaves):
    """Run the program on the recorded example and compare with what the scalar engine recorded:
    the roots, the outputs, and every parameter's gradient, from the scalar engine's replay of
    that example (its inputs and targets constants, as the program takes them: a derivative
    toward an input, such as ∂(a^k)/∂k at a < 0, is neither computed nor in the way)."""
    X = np.array([[x.data for x in leaves.inputs]])
    Y = np.array([[y.data for y in leaves.targets]]) if leaves.targets else None
    with np.errstate(all="ignore"):
        roots, outputs = program._run(X.T, None if Y is None else Y.T)
    ends = program.roots + program.outputs
    got = np.concatenate([roots[:, 0]] + ([] if outputs is None else [outputs[:, 0]]))
    scale = max(abs(node.data) for node in ends)
    for value, node in zip(got.tolist(), ends):
        _agree(value, node.data, node, "value", scale)
    if program._gradient is None:
        return
    try:
        mapped, expected = program._replay(0, X, Y, backward=True)
    except FloatingPointError:
        return  # not differentiable at the recorded example; the batch will say where, if ever
    with np.errstate(all="ignore"):
        program._gradient(X.T, None if Y is None else Y.T, np.ones((1, 1)), 1)
    wanted = np.array([expected.get(mapped[p], 0.0) for p in program.parameters])
    scale = float(np.max(np.abs(wanted), initial=0.0))
    # One comparison of whole arrays; the first parameter that differs is named.
    close = np.abs(program.grad - wanted) <= 1e-7 * np.maximum(np.abs(program.grad), np.abs(wanted)) + 1e-9 * scale
    different = np.flatnonzero(~close).tolist()
    if different:
        terms = term_sizes(mapped[program.roots[0]])
        spread = _rounding_spread(program, X, Y)
        for k in different:
            got, expected_k, parameter = float(program.grad[k]), float(wanted[k]), program.parameters[k]
            if abs(got - expected_k) > 1e-12 * terms.get(mapped[parameter], 0.0) + 16 * spread[k]:
                _agree(got, expected_k, parameter, "gradient", scale)


ULPS = 4 * np.finfo(float).eps


def _rounding_spread(program, X, Y):
    """How far each entry of the program's own gradient moves when the example's inputs and θ
    move by 4 ulps: where a graph is ill-conditioned (cos of 1e8, whose derivative turns with
    the argument's last bits), numpy's exp or pow one ulp from libm's is amplified into the
    gradient, in the program and in the scalar engine alike. A wrong program differs from the
    engine by far more than this; rounding does not. θ is left as it was."""
    theta, base = program._theta.copy(), program.grad.copy()
    moved = []
    try:
        with np.errstate(all="ignore"):
            for factor in (1.0 + ULPS, 1.0 - ULPS):
                program._theta[:] = theta * factor
                program._gradient((X * factor).T, None if Y is None else Y.T, np.ones((1, 1)), 1)
                moved.append(np.abs(program.grad - base))
    finally:
        program._theta[:] = theta
        program.grad[:] = base
    spread = np.maximum(*moved)
    return np.where(np.isfinite(spread), spread, 0.0)


def _agree(got, expected, node, what, scale):
    # Rounding differs (numpy sums pairwise, BLAS reorders); a wrong program differs by far more.
    if not abs(got - expected) <= 1e-7 * max(abs(got), abs(expected)) + 1e-9 * scale:
        name = f"'{node.label}' " if node.label else ""
        raise RuntimeError(f"compile: internal error: the compiled {what} at node {name}(op "
                           f"{node.op or 'leaf'!r}) is {got!r} but the scalar engine gives {expected!r}; "
                           f"please report it, and run uncompiled meanwhile")
