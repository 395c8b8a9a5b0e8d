"""What each value is for the learner: input, parameter, constant, intermediate or output.

A role comes from what the code knows, never from the letters of a label:
- the output is the value drawn from (the root: a network output or a loss C);
- an op node is an intermediate;
- a parameter is a leaf you name as one: `parameters=model.parameters()`, `parameters=model`
  (anything with a `.parameters()` method, such as an nn.Module) or a list of Values, that
  requires grad (a frozen one, requires_grad False, is a constant: backward gives it no gradient);
- a constant is a leaf you name as one (`constants=[y]`, say a target), or one that does not
  require grad (`requires_grad` False): a number the engine made into a leaf, such as the 1/2
  of C = 1/2 (y - ŷ)² or the 2 of 2*x, a detached value, `Value(x, requires_grad=False)`. As in
  PyTorch, where a number in an expression is not a leaf that requires grad, a constant is
  drawn without a gradient and gets no step;
- any other leaf is an input (x_k, or the a, b, c of a hand-built example): its gradient is
  shown, as micrograd shows every leaf's.
"""

ROLES = ("input", "parameter", "constant", "intermediate", "output")


def role_finder(root, parameters=None, constants=None):
    """A function value -> role name for the graph of `root`."""
    chosen = set(values_of(parameters, "parameters"))
    fixed = set(values_of(constants, "constants"))
    both = chosen & fixed
    if both:  # compile refuses the same clash: a value is trained or held fixed, not both
        names = ", ".join(sorted(v.label or repr(v) for v in both)[:5])
        raise ValueError(f"viz: {names} given both as parameters= and as constants=; choose one")

    def role(value):
        if value is root:
            return "output"
        if value.op:
            return "intermediate"
        trainable = getattr(value, "requires_grad", bool(value.label))
        if value in chosen and trainable:
            return "parameter"
        # A frozen parameter (requires_grad False, as torch's requires_grad_(False)) gets no
        # gradient from backward: drawn as a parameter, its step would show one it never holds.
        if value in fixed or not trainable:
            return "constant"
        return "input"

    return role


def values_of(given, what):
    """The Values of `given`: None, an iterable of Values, or an object with .parameters()."""
    if given is None:
        return []
    if callable(getattr(given, "parameters", None)):
        given = given.parameters()
    if hasattr(given, "data") and hasattr(given, "parents"):
        given = [given]
    try:
        values = list(given)
    except TypeError:
        raise TypeError(f"viz: {what}= expected Values, a list of Values or an object with .parameters(), "
                        f"got {type(given).__name__} {given!r:.60}") from None
    for value in values:
        if not (hasattr(value, "data") and hasattr(value, "parents")):
            raise TypeError(f"viz: {what}= expected Values, got {type(value).__name__} {value!r:.60} among them")
        if value.parents:  # a role is a leaf's: an op node's box shows what its op computes
            name = f"'{value.label}' " if value.label else ""
            raise ValueError(f"viz: {what}= takes leaves, got the {value.op!r} node {name}(data {value.data:.6g}): "
                             f"it is computed by the graph, so it is neither a parameter nor a constant")
    return values
