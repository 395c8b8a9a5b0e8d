"""A model's outputs for a whole data set: the scalar engine, or a compiled forward program.

    ŷ(i) = model(x(i))  for every row x(i) of X

Few rows run through the scalar engine under autograd.no_grad() (no graph is kept); from
COMPILED_PREDICT_FROM rows on, the graph is recorded and compiled once (autograd.compile,
which records whatever the caller's grad mode: predict under no_grad, PyTorch's inference
idiom, compiles too) and every row runs through the program with numpy: the scalar engine's
outputs to float rounding, much sooner. nn.Module.predict asks this module; a Module needs none of it.
"""

from contextlib import contextmanager

import numpy as np

import autograd
from autograd.checks import as_optional_flag
from autograd.compiled import GraphStructureError, reworded

from .data import as_examples, model_sizes

# Recording and compiling costs about as much as 25 to 130 examples through the scalar engine
# (64-32-10: 9 ms against 0.26 ms a row; 784-100-10: 275 ms against 4.5 ms a row).
COMPILED_PREDICT_FROM = 64
CHUNK = 1024  # examples per forward pass: the program's (nodes x chunk) arrays stay small
# recording failed: the model cannot be compiled (an op that fails on a recorded row, too: the
# scalar engine then names the first row of X that fails, as it would without compiling)
WHY_NOT = (GraphStructureError, TypeError, ValueError, ArithmeticError)


def predict(model, X, compiled=None):
    """The outputs for every row of X: shape (N,) for one output, else (N, nout).

    compiled  None: compiled from COMPILED_PREDICT_FROM rows on, where the model compiles;
              True: compiled or an error; False: the scalar engine."""
    compiled = as_optional_flag(compiled, "predict compiled")
    what = f"{type(model).__name__}.predict"
    X = as_examples(X, model_sizes(model, what)[0], f"{what} X")
    outputs = None
    if compiled or (compiled is None and len(X) >= COMPILED_PREDICT_FROM):
        outputs = compiled_outputs(model, X, required=compiled is True)
    if outputs is None:
        outputs = _scalar_outputs(model, X, what)
        outputs = np.array([[o.data for o in out] if isinstance(out, list) else [out.data]
                            for out in outputs], dtype=float)
    return outputs[:, 0] if outputs.shape[1] == 1 else outputs


def compiled_outputs(model, X, required=False):
    """The model's outputs (N, nout) for every row of X from a compiled forward program (the
    scalar engine's numbers to float rounding), or None when the model cannot be compiled.

    required=True turns the reason into an error that says how to predict anyway. The
    program's forward pass is checked as the scalar engine checks each node (Program.run).
    """
    def forward(xs):
        out = model(xs)
        return out if isinstance(out, list) else [out]  # a list: a forward-only program

    try:
        program = autograd.compile(forward, examples=X, parameters=model.parameters())
    except WHY_NOT as error:
        if required:
            raise reworded(error, f"predict(compiled=True): cannot compile this model: {error} "
                                   f"(use compiled=False for the scalar engine)") from None
        return None
    outputs = np.empty((len(X), model.nout))
    for rows in chunks(len(X), CHUNK):
        with naming_the_examples("predict", rows):
            outputs[rows] = program.run(X[rows], check=False).reshape(-1, model.nout)  # X was checked
    return outputs


def _scalar_outputs(model, X, what):
    """model(x) for every row on the scalar engine under no_grad; an error names its row of X,
    as the compiled path's does."""
    outputs = []
    with autograd.no_grad():
        for row, x in enumerate(X.tolist()):
            try:
                outputs.append(model(x))
            except (ArithmeticError, ValueError) as error:
                raise type(error)(f"{what}: {error} (in row {row} of X)") from None
    return outputs


def chunks(n, size):
    return [slice(first, min(first + size, n)) for first in range(0, n, size)]


@contextmanager
def naming_the_examples(what, rows, name="X"):
    """A domain error inside a chunk names the example within the chunk: name its row of X."""
    try:
        yield
    except (ArithmeticError, ValueError) as error:
        if getattr(error, "example", None) is not None:
            raise type(error)(f"{what}: {error.reason} (in row {rows.start + error.example} of {name})") from None
        raise type(error)(f"{what}, the batch of examples {rows.start} to {rows.stop - 1}: {error}") from None
