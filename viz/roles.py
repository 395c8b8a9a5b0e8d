"""What each value is for the learner: input, parameter, constant, intermediate or output.

The output is the value drawn from (the root: a network output or a loss C). Among leaves,
parameters are the values training changes (weights, biases). Pass them when you know them:
`draw(loss, parameters=model.parameters())`. Without that list a naming rule decides, the
one the notes use: a leaf whose label starts with w, b, θ or Θ is a parameter, any other
labelled leaf is an input (x_k, a target y), and an unlabelled leaf is a constant (a literal
such as the 2 in 2*x, or the 1/2 of the cost).
"""

PARAMETER_PREFIXES = ("w", "b", "θ", "Θ")
ROLES = ("input", "parameter", "constant", "intermediate", "output")


def role_finder(root, parameters=None):
    """A function value -> role name for the graph of `root`."""
    chosen = None if parameters is None else set(_values(parameters))

    def role(value):
        if value is root:
            return "output"
        if value.op:
            return "intermediate"
        if chosen is not None:
            if value in chosen:
                return "parameter"
        elif value.label.startswith(PARAMETER_PREFIXES):
            return "parameter"
        return "input" if value.label else "constant"

    return role


def _values(parameters):
    parameters = list(parameters)
    for p in parameters:
        if not (hasattr(p, "data") and hasattr(p, "parents")):
            raise TypeError(f"parameters: expected Values, got {type(p).__name__} {p!r:.60}")
    return parameters
