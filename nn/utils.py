"""PyTorch's torch.nn.utils for a training loop of your own: clip the gradients before the step.

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)    # ‖∇θ‖ ≤ 1
    optimizer.step()

clip_grad_norm_    ‖g‖_p = (Σ_i |g_i|^p)^(1/p) over every parameter's .grad together (p = inf:
                   max_i |g_i|); each .grad becomes g_i · min(1, max_norm / (‖g‖_p + 1e-6)), as
                   torch scales them. Returns ‖g‖_p before clipping, as a float
clip_grad_value_   each .grad clamped into [-clip_value, clip_value]

A .grad of None (none yet) is skipped, as in torch. A .grad that is not finite is a
ValueError naming its parameter, where torch's scaling would turn every gradient into nan (with
error_if_nonfinite=False, its default) or raise RuntimeError; finite gradients whose norm
overflows a float are a FloatingPointError.
"""

import math

from autograd import Value

from .data import finite_number
from .losses import non_negative_number, positive_number
from .optim import _parameters


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale every .grad by min(1, max_norm / (‖g‖ + 1e-6)); return ‖g‖ (torch's clip_grad_norm_).
    error_if_nonfinite and foreach are taken for PyTorch's sake: a .grad that is not finite
    raises whatever they are."""
    who = "clip_grad_norm_"
    params = _with_grads(parameters, who)
    max_norm = non_negative_number(max_norm, f"{who} max_norm")
    p = _norm_type(norm_type, who)
    grads = [param.grad for param in params]
    if not grads:
        return 0.0
    total = _norm(grads, p)
    if not math.isfinite(total):  # finite gradients whose norm overflows a float
        raise FloatingPointError(f"{who}: the {p:g}-norm of the gradients overflows a float (the largest "
                                 f"|.grad| is {max(map(abs, grads)):.6g}); clip with clip_grad_value_ first")
    scale = min(1.0, max_norm / (total + 1e-6))
    for param in params:
        param.grad = param.grad * scale
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every .grad into [-clip_value, clip_value] (torch's clip_grad_value_)."""
    who = "clip_grad_value_"
    params = _with_grads(parameters, who)
    clip_value = non_negative_number(clip_value, f"{who} clip_value")
    for param in params:
        param.grad = min(max(param.grad, -clip_value), clip_value)


def _with_grads(parameters, who):
    """The parameters whose .grad is a number (None: none yet, skipped), each checked finite."""
    if isinstance(parameters, Value):  # torch takes one tensor as well as an iterable of them
        parameters = [parameters]
    params = [param for param in _parameters(parameters, who) if param.grad is not None]
    for k, param in enumerate(params):
        name = param.label or f"{k} (unlabelled)"
        if isinstance(param.grad, Value):
            raise TypeError(f"{who}: the .grad of parameter {name} is a Value, left by backward(create_graph=True); "
                            f"clip numbers: zero the gradients and run a first-order backward()")
        param.grad = finite_number(param.grad, f"{who}: the .grad of parameter {name}")
    return params


def _norm_type(norm_type, who):
    if norm_type in ("inf", float("inf")):
        return math.inf
    return positive_number(norm_type, f"{who} norm_type")


def _norm(grads, p):
    """‖g‖_p, summed exactly (math.fsum) so that the order of the parameters does not matter."""
    if p == math.inf:
        return max(map(abs, grads))
    if p == 2.0:
        return math.sqrt(math.fsum(g * g for g in grads))
    return math.fsum(abs(g) ** p for g in grads) ** (1.0 / p)
