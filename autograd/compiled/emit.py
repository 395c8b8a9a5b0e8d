"""Numbers that are numpy source: the derivative table, called with these, writes code.

The table's lambdas are written against a math namespace `M` (autograd.backends). Called with
`Code` as M and `Expr`s as inputs, a lambda does not compute: each operator and each `M.f`
returns a longer expression, so `OPS["sigmoid"].derivatives(Code, Expr("a2"), Expr("z2"))`
gives the text `a2 * (1.0 - a2)`. The generated program calls the array namespace under the
same name M, so any function the table uses (today's or a new op's) runs as the compiled
path has always run it: `M.f(...)` of autograd.backends.array.

Constants known while generating are folded (1 * d is d, x ** 1 is x), so a table entry's
±1 derivatives cost no multiplication in the program.
"""

import numbers

_PRECEDENCE = {"**": 7, "unary": 6, "*": 5, "/": 5, "@": 5, "+": 4, "-": 4,
               ">": 3, ">=": 3, "<": 3, "<=": 3, "==": 3, "!=": 3, "&": 2, "|": 1}
_ATOM = 9


class Expr:
    """A numpy expression: its source text, its precedence, and its value when it is a constant."""

    __slots__ = ("text", "precedence", "value", "boolean")

    def __init__(self, text, precedence=_ATOM, value=None, boolean=False):
        self.text, self.precedence, self.value, self.boolean = text, precedence, value, boolean

    def __repr__(self):
        return self.text

    def __bool__(self):
        raise TypeError(f"compile: the table branches on a value ({self.text}); write the branch "
                        f"as arithmetic (x > 0) * ... so that it runs on arrays")

    def wrapped(self, precedence, right=False):
        """The text, in parentheses when it binds less tightly than the operator around it."""
        tighter = self.precedence > precedence or (self.precedence == precedence and not right)
        return self.text if tighter else f"({self.text})"

    # arithmetic, with constants folded
    def __add__(self, other):      return _binary("+", self, other)
    def __radd__(self, other):     return _binary("+", other, self)
    def __sub__(self, other):      return _binary("-", self, other)
    def __rsub__(self, other):     return _binary("-", other, self)
    def __mul__(self, other):      return _binary("*", self, other)
    def __rmul__(self, other):     return _binary("*", other, self)
    def __truediv__(self, other):  return _binary("/", self, other)
    def __rtruediv__(self, other): return _binary("/", other, self)
    def __pow__(self, other):      return _binary("**", self, other)
    def __rpow__(self, other):     return _binary("**", other, self)
    def __matmul__(self, other):   return _binary("@", self, other)
    def __and__(self, other):      return _binary("&", self, other)
    def __or__(self, other):       return _binary("|", self, other)
    def __gt__(self, other):       return _binary(">", self, other)
    def __ge__(self, other):       return _binary(">=", self, other)
    def __lt__(self, other):       return _binary("<", self, other)
    def __le__(self, other):       return _binary("<=", self, other)
    def __ne__(self, other):       return _binary("!=", self, other)
    def __eq__(self, other):       return _binary("==", self, other)
    __hash__ = None

    def __neg__(self):
        if self.value is not None:
            return constant(-self.value)
        return Expr(f"-{self.wrapped(_PRECEDENCE['unary'])}", _PRECEDENCE["unary"])

    def __abs__(self):
        return call("abs", self)

    def __getitem__(self, index):
        if isinstance(index, slice) and index.start is None and index.stop is None and index.step is None:
            return self  # every row: x[:] is x (`is`, not ==: a bound may be an Expr)
        return Expr(f"{self.wrapped(_ATOM)}[{_show_index(index)}]")


class Stack(Expr):
    """An n-ary op's inputs stacked on axis 0 (fan-in x nodes x batch): the table cuts it into groups."""

    __slots__ = ("fan_in",)

    def __init__(self, text, fan_in):
        super().__init__(text)
        self.fan_in = fan_in

    def __len__(self):
        return self.fan_in

    def __getitem__(self, index):
        if isinstance(index, slice) and (index.start or 0) == 0 and index.stop in (None, self.fan_in):
            return self  # the whole stack
        return super().__getitem__(index)


def constant(value):
    return Expr(repr(float(value)), _ATOM if value >= 0 else _PRECEDENCE["unary"], value=float(value))


def as_expr(x):
    if isinstance(x, Expr):
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return constant(x)
    raise TypeError(f"compile: cannot write {x!r:.40} as numpy source")


def call(function, *args, **keywords):
    """`function(args, key=value)` as an expression (the function as the program names it)."""
    shown = [str(as_expr(a) if isinstance(a, numbers.Real) else a) for a in args]
    shown += [f"{k}={as_expr(v) if isinstance(v, numbers.Real) else v}" for k, v in keywords.items()]
    return Expr(f"{function}({', '.join(shown)})")


def _binary(op, left, right):
    left, right = as_expr(left), as_expr(right)
    folded = _fold(op, left, right)
    if folded is not None:
        return folded
    precedence = _PRECEDENCE[op]
    if op == "**":  # right-associative
        text = f"{left.wrapped(precedence, right=True)} ** {right.wrapped(precedence)}"
    else:
        text = f"{left.wrapped(precedence)} {op} {right.wrapped(precedence, right=True)}"
    return Expr(text, precedence, boolean=precedence <= 3)


def _fold(op, left, right):
    """Arithmetic on constants known now, and the identities that drop a useless operation.

    A boolean array times 1.0 keeps its multiplication: it is what turns a comparison into
    numbers (numpy refuses to subtract booleans)."""
    a, b = left.value, right.value
    if a is not None and b is not None and op in ("+", "-", "*"):
        return constant({"+": a + b, "-": a - b, "*": a * b}[op])
    if a is not None and b is not None and op == "/" and b != 0.0:
        return constant(a / b)
    if op == "*" and a == 1.0 and not right.boolean or op in "*/" and b == 1.0 and not left.boolean:
        return right if a == 1.0 else left
    if op == "*" and a == -1.0 and not right.boolean:
        return -right
    if op == "*" and b == -1.0 and not left.boolean:
        return -left
    if op in "+-" and b == 0.0:
        return left
    if op == "+" and a == 0.0:
        return right
    if op == "**" and b == 1.0:
        return left
    return None


def _show_index(index):
    if isinstance(index, tuple):
        return ", ".join(map(_show_index, index))
    if isinstance(index, slice):
        text = ":".join("" if part is None else str(part) for part in (index.start, index.stop))
        return text + ("" if index.step in (None, 1) else f":{index.step}")
    return "None" if index is None else str(index)


class Code:
    """The math namespace whose numbers are `Expr`s: each function writes a call of the array
    namespace (autograd.backends.array, named M in the program), so the code computes exactly
    what the compiled path computed before it was written out."""

    def __getattr__(self, name):
        return lambda *args, **keywords: call(f"M.{name}", *args, **keywords)

    @staticmethod
    def quotient(u, y):
        return u / y  # the division itself, as the table's entry means it

    @staticmethod
    def each(f, xs):
        return f(xs)

    @staticmethod
    def constants(x, like):
        return Expr(f"M.constants({tuple(float(v) for v in x)!r}, like={like})")

    @staticmethod
    def ones_like(xs):
        # Known to be 1, so that g * 1 costs nothing, yet shaped like xs where it is kept (in a concat).
        return Expr(f"M.ones_like({xs})", value=1.0)


Code = Code()


class Shared:
    """Code whose calls are each written once for a group: the first call of M.f(args) is given
    a name of its own (a line, through `bind(f, expr, lines)`), and every later call of the same
    text reads that name. The softmax's forward and derivatives, and logsumexp's derivatives,
    each call the shifted exponentials e^(x - logsumexp x) and their sum (ops._shifted_exps):
    through this they are computed once. `known` maps a call's text to the name that already
    holds it (logsumexp's own value); `into(lines)` says where the next lines go."""

    def __init__(self, bind, known=()):
        self.bind, self.names, self.lines = bind, dict(known), None

    def into(self, lines):
        self.lines = lines
        return self

    def __getattr__(self, name):
        if name in vars(type(Code)):  # each, constants, ones_like: no call of their own to name
            return getattr(Code, name)

        def once(*args, **keywords):
            expr = call(f"M.{name}", *args, **keywords)
            if expr.text not in self.names:
                self.names[expr.text] = self.bind(name, expr, self.lines)
            return self.names[expr.text]
        return once
