"""tracegrad's scalar reverse-mode autodiff engine.

    from autograd import Value
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()      # x.grad == ∂y/∂x

Higher order: autograd.grad(y, [x], create_graph=True) gives Values that can be
differentiated again; autograd.hessian, autograd.hvp. Forward mode: autograd.jvp.
"""

from .checks import as_number
from .compiled import ConstantLeafWarning, compile
from .engine import Value, apply, chain_rule, gradients, local_derivatives, topological_order, zero_grad
from .forward import jvp
from .functional import dot, grad, logsumexp, maximum, minimum, softmax, sum, xlogy
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckReport, KinkWarning, gradcheck
from .higher import hessian, hvp
from .ops import OPS

__all__ = [
    "Value", "OPS", "apply", "as_number", "chain_rule", "compile", "ConstantLeafWarning", "dot", "enable_grad", "grad", "gradcheck",
    "GradcheckReport", "gradients", "hessian", "hvp", "is_grad_enabled", "jvp", "KinkWarning",
    "local_derivatives", "logsumexp", "maximum", "minimum", "no_grad",
    "set_grad_enabled", "softmax", "sum", "topological_order", "xlogy", "zero_grad",
]
