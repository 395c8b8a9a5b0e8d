"""The derivative table: each op's forward value and its local derivatives, side by side.

This module is pure math. It knows nothing of graphs: `Value` looks an op up here by name,
calls `forward` to get the node's data, and during backward calls `derivatives` to get
∂out/∂input for each input. Adding an op is adding one entry.

Conventions of the table
- `forward(M, *inputs, **params)` and `derivatives(M, out, *inputs, **params)` are written
  against a math namespace `M` (`autograd.backends.scalar` or `.array`), so the same line
  serves the scalar engine and the compiled batched path.
- An n-ary op (`variadic=True`) receives all its inputs as ONE vector `xs`, and returns one
  local derivative per input, as a vector in the same order.
- `params` are constants of the op that are not graph inputs: the exponent k of `x ** k`,
  the threshold of `step`, the number of weights n of `dot`, the data x of `dot_data`.
- `domain` lists the rules an input must satisfy, each with the Python error it raises.
- `kink_at` says where the op is not differentiable; `kink_rule` is the convention used there.
  The kink is a value of the op's first input, or of `kink_of(*inputs)` when the op gives one
  (maximum's kink is where x - y = 0).
- Derivatives are written in forms that stay finite and accurate wherever the true value is a
  finite float (acosh's 1/(√(x-1)√(x+1)), not 1/√(x²-1), which overflows for |x| > 1e154), and
  only with the namespace's functions and + - * /, so that a namespace whose numbers are
  Values (`autograd.higher.values`) records the backward pass as a graph: higher order for free.
"""

from dataclasses import dataclass
from typing import Callable

MAX_EXP_INPUT = 709.782712893384  # log(largest float): exp of anything larger overflows
MAX_COSH_INPUT = 710.4758600739439  # acosh(largest float): sinh and cosh of more overflow
LN2 = 0.6931471805599453
LN10 = 2.302585092994046


@dataclass(frozen=True)
class Rule:
    """One condition on an op's inputs, and the error raised when it fails."""

    holds: Callable
    error: type
    says: str


@dataclass(frozen=True)
class Op:
    name: str
    formula: str
    forward: Callable
    derivatives: Callable
    symbol: str = ""
    variadic: bool = False
    domain: tuple = ()
    kink_at: Callable | None = None
    kink_rule: str = ""
    kink_of: Callable | None = None


def _pow_rules(base, exponent):
    """Domain of base ** exponent over the reals (shared by the three power ops).

    Written with | on comparisons, not `and`/`not`, so each rule holds elementwise on arrays too.
    """
    return (
        Rule(lambda M, *a, **p: (base(*a, **p) != 0) | (exponent(*a, **p) >= 0),
             ZeroDivisionError, "0 raised to a negative power"),
        Rule(lambda M, *a, **p: (base(*a, **p) >= 0) | M.is_integer(exponent(*a, **p)),
             ValueError, "a negative base needs an integer exponent"),
    )


def _dot_forward(M, xs, n):
    ws, a, bias = xs[:n], xs[n:2 * n], xs[2 * n:]
    return M.dot(ws, a) + M.total(bias)


def _dot_derivatives(M, out, xs, n):
    ws, a, bias = xs[:n], xs[n:2 * n], xs[2 * n:]
    return M.concat(a, ws, M.ones_like(bias))


def _dot_data_forward(M, xs, x):
    ws, bias = xs[:len(x)], xs[len(x):]
    return M.dot(ws, M.constants(x, like=xs)) + M.total(bias)


def _dot_data_derivatives(M, out, xs, x):
    bias = xs[len(x):]
    return M.concat(M.constants(x, like=xs), M.ones_like(bias))


_TABLE = [
    # --- arithmetic ------------------------------------------------------------------
    Op("+", "z = x + y;  ∂z/∂x = 1,  ∂z/∂y = 1",
       forward=lambda M, x, y: x + y,
       derivatives=lambda M, out, x, y: (1.0, 1.0)),
    Op("-", "z = x - y;  ∂z/∂x = 1,  ∂z/∂y = -1",
       forward=lambda M, x, y: x - y,
       derivatives=lambda M, out, x, y: (1.0, -1.0)),
    Op("*", "z = x y;  ∂z/∂x = y,  ∂z/∂y = x", symbol="×",
       forward=lambda M, x, y: x * y,
       derivatives=lambda M, out, x, y: (y, x)),
    Op("/", "z = x / y;  ∂z/∂x = 1/y,  ∂z/∂y = -x/y²", symbol="÷",
       forward=lambda M, x, y: x / y,
       derivatives=lambda M, out, x, y: (1.0 / y, -x / (y * y)),
       domain=(Rule(lambda M, x, y: y != 0, ZeroDivisionError, "division by zero"),)),
    Op("neg", "z = -x;  ∂z/∂x = -1", symbol="−",
       forward=lambda M, x: -x,
       derivatives=lambda M, out, x: (-1.0,)),
    Op("abs", "z = |x|;  ∂z/∂x = sign(x)", symbol="|x|",
       forward=lambda M, x: abs(x),
       derivatives=lambda M, out, x: ((x > 0) * 1.0 - (x < 0) * 1.0,),
       kink_at=lambda: 0.0, kink_rule="|x|' at 0 is taken as 0"),
    # --- powers ----------------------------------------------------------------------
    Op("**k", "z = x^k;  ∂z/∂x = k x^(k-1)", symbol="x^k",
       forward=lambda M, x, k: x ** k,
       derivatives=lambda M, out, x, k: (k * x ** (k - 1) if k != 0 else 0.0 * x,),
       domain=_pow_rules(lambda x, k: x, lambda x, k: k)),
    Op("c**y", "z = c^y;  ∂z/∂y = c^y ln c  (0 where c^y = 0)", symbol="c^y",
       forward=lambda M, y, c: c ** y,
       derivatives=lambda M, out, y, c: (M.xlogy(out, c),),
       domain=_pow_rules(lambda y, c: c, lambda y, c: y)),
    Op("**", "z = x^y;  ∂z/∂x = y x^(y-1),  ∂z/∂y = x^y ln x  (0 where x^y = 0)", symbol="x^y",
       forward=lambda M, x, y: x ** y,
       derivatives=lambda M, out, x, y: (y * x ** (y - 1), M.xlogy(out, x)),
       domain=_pow_rules(lambda x, y: x, lambda x, y: y)),
    Op("sqrt", "z = √x;  ∂z/∂x = 1 / (2√x)", symbol="√",
       forward=lambda M, x: M.sqrt(x),
       derivatives=lambda M, out, x: (0.5 / out,),
       domain=(Rule(lambda M, x: x >= 0, ValueError, "sqrt is defined for x >= 0"),)),
    # --- exponentials and activations -------------------------------------------------
    Op("exp", "z = e^x;  ∂z/∂x = e^x",
       forward=lambda M, x: M.exp(x),
       derivatives=lambda M, out, x: (out,),
       domain=(Rule(lambda M, x: x <= MAX_EXP_INPUT, OverflowError,
                    f"exp overflows a float for x > {MAX_EXP_INPUT:.3f}"),)),
    Op("log", "z = ln x;  ∂z/∂x = 1/x",
       forward=lambda M, x: M.log(x),
       derivatives=lambda M, out, x: (1.0 / x,),
       domain=(Rule(lambda M, x: x > 0, ValueError, "log is defined for x > 0"),)),
    Op("tanh", "a = tanh z;  ∂a/∂z = 1 - a²",
       forward=lambda M, x: M.tanh(x),
       derivatives=lambda M, out, x: (1.0 - out * out,)),
    Op("sigmoid", "a = σ(z) = 1 / (1 + e^-z);  ∂a/∂z = σ(z)(1 - σ(z))", symbol="σ",
       forward=lambda M, x: M.sigmoid(x),
       derivatives=lambda M, out, x: (out * (1.0 - out),)),
    Op("relu", "a = max(0, z);  ∂a/∂z = 1 if z > 0 else 0", symbol="ReLU",
       forward=lambda M, x: M.maximum(x, 0.0),
       derivatives=lambda M, out, x: ((x > 0) * 1.0,),
       kink_at=lambda: 0.0, kink_rule="relu'(0) is taken as 0"),
    Op("step", "a = 1 if z >= k else 0;  ∂a/∂z = 0 (the perceptron cannot learn by gradients)",
       forward=lambda M, x, threshold: (x >= threshold) * 1.0,
       derivatives=lambda M, out, x, threshold: (0.0 * x,),
       kink_at=lambda threshold: threshold, kink_rule="step' is taken as 0 everywhere, "
                                                           "even at the threshold"),
    # --- n-ary: one node for a whole sum ---------------------------------------------
    Op("sum", "z = Σ_i x_i;  ∂z/∂x_i = 1", symbol="Σ", variadic=True,
       forward=lambda M, xs: M.total(xs),
       derivatives=lambda M, out, xs: M.ones_like(xs)),
    Op("dot", "z = Σ_k w_k a_k + b;  ∂z/∂w_k = a_k,  ∂z/∂a_k = w_k,  ∂z/∂b = 1",
       symbol="w·a+b", variadic=True,
       forward=_dot_forward,
       derivatives=_dot_derivatives),
    Op("dot_data", "z = Σ_k w_k x_k + b, x data (constants of the node, not in the graph);  "
                   "∂z/∂w_k = x_k,  ∂z/∂b = 1",
       symbol="w·x+b", variadic=True,
       forward=_dot_data_forward,
       derivatives=_dot_data_derivatives),
    Op("logsumexp", "z = ln Σ_i e^(x_i);  ∂z/∂x_i = e^(x_i - z) (the softmax)",
       symbol="logΣexp", variadic=True,
       forward=lambda M, xs: M.logsumexp(xs),
       derivatives=lambda M, out, xs: M.each(lambda x: M.exp(x - out), xs)),
    # --- trigonometric and hyperbolic --------------------------------------------------
    Op("sin", "z = sin x;  ∂z/∂x = cos x",
       forward=lambda M, x: M.sin(x),
       derivatives=lambda M, out, x: (M.cos(x),)),
    Op("cos", "z = cos x;  ∂z/∂x = -sin x",
       forward=lambda M, x: M.cos(x),
       derivatives=lambda M, out, x: (-M.sin(x),)),
    Op("tan", "z = tan x;  ∂z/∂x = 1 + tan² x",
       forward=lambda M, x: M.tan(x),
       derivatives=lambda M, out, x: (1.0 + out * out,)),
    Op("asin", "z = asin x;  ∂z/∂x = 1/√((1-x)(1+x))  (infinite at x = ±1)",
       forward=lambda M, x: M.asin(x),
       derivatives=lambda M, out, x: (1.0 / M.sqrt((1.0 - x) * (1.0 + x)),),
       domain=(Rule(lambda M, x: (x >= -1) & (x <= 1), ValueError, "asin is defined for -1 <= x <= 1"),)),
    Op("acos", "z = acos x;  ∂z/∂x = -1/√((1-x)(1+x))  (infinite at x = ±1)",
       forward=lambda M, x: M.acos(x),
       derivatives=lambda M, out, x: (-1.0 / M.sqrt((1.0 - x) * (1.0 + x)),),
       domain=(Rule(lambda M, x: (x >= -1) & (x <= 1), ValueError, "acos is defined for -1 <= x <= 1"),)),
    Op("atan", "z = atan x;  ∂z/∂x = 1/(1+x²)",
       forward=lambda M, x: M.atan(x),
       derivatives=lambda M, out, x: (1.0 / (1.0 + x * x),)),
    Op("sinh", "z = sinh x;  ∂z/∂x = cosh x",
       forward=lambda M, x: M.sinh(x),
       derivatives=lambda M, out, x: (M.cosh(x),),
       domain=(Rule(lambda M, x: abs(x) <= MAX_COSH_INPUT, OverflowError,
                    f"sinh overflows a float for |x| > {MAX_COSH_INPUT:.3f}"),)),
    Op("cosh", "z = cosh x;  ∂z/∂x = sinh x",
       forward=lambda M, x: M.cosh(x),
       derivatives=lambda M, out, x: (M.sinh(x),),
       domain=(Rule(lambda M, x: abs(x) <= MAX_COSH_INPUT, OverflowError,
                    f"cosh overflows a float for |x| > {MAX_COSH_INPUT:.3f}"),)),
    Op("asinh", "z = asinh x;  ∂z/∂x = 1/√(1+x²)",
       forward=lambda M, x: M.asinh(x),
       derivatives=lambda M, out, x: (1.0 / M.hypot1(x),)),
    Op("acosh", "z = acosh x;  ∂z/∂x = 1/(√(x-1) √(x+1))  (infinite at x = 1)",
       forward=lambda M, x: M.acosh(x),
       derivatives=lambda M, out, x: (1.0 / (M.sqrt(x - 1.0) * M.sqrt(x + 1.0)),),
       domain=(Rule(lambda M, x: x >= 1, ValueError, "acosh is defined for x >= 1"),)),
    Op("atanh", "z = atanh x;  ∂z/∂x = 1/((1-x)(1+x))",
       forward=lambda M, x: M.atanh(x),
       derivatives=lambda M, out, x: (1.0 / ((1.0 - x) * (1.0 + x)),),
       domain=(Rule(lambda M, x: (x > -1) & (x < 1), ValueError, "atanh is defined for -1 < x < 1"),)),
    # --- logarithms and exponentials near 0, and in other bases ----------------------
    Op("log1p", "z = ln(1 + x);  ∂z/∂x = 1/(1+x)", symbol="ln(1+x)",
       forward=lambda M, x: M.log1p(x),
       derivatives=lambda M, out, x: (1.0 / (1.0 + x),),
       domain=(Rule(lambda M, x: x > -1, ValueError, "log1p is defined for x > -1"),)),
    Op("expm1", "z = e^x - 1;  ∂z/∂x = e^x", symbol="eˣ−1",
       forward=lambda M, x: M.expm1(x),
       derivatives=lambda M, out, x: (M.exp(x),),  # not out + 1: for x < -37 that is 0
       domain=(Rule(lambda M, x: x <= MAX_EXP_INPUT, OverflowError,
                    f"expm1 overflows a float for x > {MAX_EXP_INPUT:.3f}"),)),
    Op("log2", "z = log₂ x;  ∂z/∂x = 1/(x ln 2)", symbol="log₂",
       forward=lambda M, x: M.log2(x),
       derivatives=lambda M, out, x: ((1.0 / x) / LN2,),  # not 1/(x ln 2): x ln 2 can be subnormal
       domain=(Rule(lambda M, x: x > 0, ValueError, "log2 is defined for x > 0"),)),
    Op("log10", "z = log₁₀ x;  ∂z/∂x = 1/(x ln 10)", symbol="log₁₀",
       forward=lambda M, x: M.log10(x),
       derivatives=lambda M, out, x: ((1.0 / x) / LN10,),
       domain=(Rule(lambda M, x: x > 0, ValueError, "log10 is defined for x > 0"),)),
    # --- the larger and the smaller of two -------------------------------------------
    # A tie is written with < and <= only: on Values those compare the data, where == is identity.
    Op("maximum", "z = max(x, y);  ∂z/∂x = 1 if x > y, ½ if x = y, else 0;  ∂z/∂y likewise",
       symbol="max",
       forward=lambda M, x, y: M.maximum(x, y),
       derivatives=lambda M, out, x, y: ((x > y) * 0.5 + (x >= y) * 0.5, (y > x) * 0.5 + (y >= x) * 0.5),
       kink_at=lambda: 0.0, kink_of=lambda x, y: x - y,
       kink_rule="at a tie x = y each input gets half the gradient (0.5), as torch.maximum"),
    Op("minimum", "z = min(x, y);  ∂z/∂x = 1 if x < y, ½ if x = y, else 0;  ∂z/∂y likewise",
       symbol="min",
       forward=lambda M, x, y: M.minimum(x, y),
       derivatives=lambda M, out, x, y: ((x < y) * 0.5 + (x <= y) * 0.5, (y < x) * 0.5 + (y <= x) * 0.5),
       kink_at=lambda: 0.0, kink_of=lambda x, y: x - y,
       kink_rule="at a tie x = y each input gets half the gradient (0.5), as torch.minimum"),
]

OPS = {op.name: op for op in _TABLE}
