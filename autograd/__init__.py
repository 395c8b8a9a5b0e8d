"""tracegrad's scalar reverse-mode autodiff engine.

    from autograd import Value
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()      # x.grad == ∂y/∂x
"""

from .checks import as_number
from .compiled import compile
from .engine import Value, apply, chain_rule, gradients, local_derivatives, topological_order, zero_grad
from .functional import dot, grad, logsumexp, softmax, sum
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckReport, KinkWarning, gradcheck
from .ops import OPS

__all__ = [
    "Value", "OPS", "apply", "as_number", "chain_rule", "compile", "dot", "enable_grad", "grad", "gradcheck",
    "GradcheckReport", "gradients", "is_grad_enabled", "KinkWarning", "local_derivatives", "logsumexp", "no_grad",
    "softmax", "sum", "topological_order", "zero_grad",
]
