"""tracegrad's scalar reverse-mode autodiff engine.

    from autograd import Value
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()      # x.grad == ∂y/∂x

Higher order: autograd.grad(y, [x], create_graph=True) gives Values that can be
differentiated again; autograd.hessian, autograd.hvp. Forward mode: autograd.jvp.
"""

from .checks import as_number
from .compiled import compile
from .engine import Value, apply, gradients, local_derivatives, no_grad, topological_order, zero_grad
from .forward import jvp
from .functional import dot, grad, logsumexp, maximum, minimum, softmax, sum
from .gradcheck import GradcheckReport, KinkWarning, gradcheck
from .higher import hessian, hvp
from .ops import OPS

__all__ = [
    "Value", "OPS", "apply", "as_number", "compile", "dot", "grad", "gradcheck", "GradcheckReport", "gradients",
    "hessian", "hvp", "jvp", "KinkWarning", "local_derivatives", "logsumexp", "maximum", "minimum", "no_grad",
    "softmax", "sum", "topological_order", "zero_grad",
]
