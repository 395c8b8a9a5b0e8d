"""A layer of `dot` neurons as matrices: the table's dot entry, called on blocks, gives z = W a + b.

The neurons j of a layer share their inputs a; each has its own weights w_j,k and bias b_j.
Called with these blocks as its inputs, the dot entry of the table writes its forward as
`W @ a + b` and returns, as its local derivatives, the blocks themselves (∂z/∂w = a,
∂z/∂a = w, ∂z/∂b = 1). Each vector-Jacobian product then follows from the blocks' indices:

    ∂C/∂W_jk = Σ_batch δ_j a_k   = δ aᵀ            (indices jb, kb -> jk)
    ∂C/∂a_k  = Σ_j δ_j w_jk      = Wᵀ δ            (jb, jk -> kb)
    ∂C/∂b_j  = Σ_batch δ_j       = δ summed         (jb -> j)

so no derivative is written here: only how numpy spells each contraction.
"""

from .emit import Expr, constant

# How numpy spells a contraction of index patterns: (as an operator, as a call with out=), and
# what the notes call it.
SPELLED = {
    "jk,kb->jb": ("{0} @ {1}", "np.matmul({0}, {1}, out={out})", "z = W a"),
    "jb,kb->jk": ("{0} @ {1}.T", "np.matmul({0}, {1}.T, out={out})", "∂C/∂W = δ aᵀ"),
    "jb,jk->kb": ("{1}.T @ {0}", "np.matmul({1}.T, {0}, out={out})", "∂C/∂a = Wᵀ δ"),
    "jb->j": ("np.add.reduce({0}, axis=1)", "np.add.reduce({0}, axis=1, out={out})",
              "∂C/∂b = δ, summed over the batch"),
    "jb->jb": ("{0}", None, "∂C/∂b = δ"),
}


class Block(Expr):
    """A block of a layer's inputs (W, a or b) with its indices (j neuron, k input, b example);
    for W and b, their positions in θ and the name of their view of ∇θ."""

    __slots__ = ("indices", "positions", "grad")

    def __init__(self, text, indices, positions=None, grad=None):
        super().__init__(text)
        self.indices, self.positions, self.grad = indices, positions, grad


def contraction(spec, *operands, out=None):
    """The source of an einsum-like contraction, in numpy's matrix notation where it has one."""
    operator, with_out, _ = SPELLED.get(spec, (None, None, None))
    if operator is None:
        inputs = ", ".join(map(str, operands))
        return f"np.einsum({spec!r}, {inputs}" + (f", out={out})" if out else ")")
    if out is not None and with_out is not None:
        return with_out.format(*operands, out=out)
    return operator.format(*operands)


class LayerInputs:
    """A dot node's inputs as its three groups (weights, inputs, bias), each one block: the
    table's runs xs[0:n], xs[n:2n], xs[2n:] of its layout come back as W, a and b."""

    def __init__(self, n, W, a, b):
        self.n, self.blocks = n, {0: W, n: a, 2 * n: b}

    def __len__(self):
        return 2 * self.n + (self.blocks[2 * self.n] is not None)

    def __getitem__(self, part):
        return self.blocks[part.start or 0]


class Layers:
    """The math namespace for blocks: the functions the dot entry calls, as contractions."""

    @staticmethod
    def dot(ws, a):
        return Block(contraction(f"{ws.indices},{a.indices}->jb", ws, a), "jb")

    @staticmethod
    def total(bias):
        return constant(0.0) if bias is None else bias  # each neuron has at most one bias

    @staticmethod
    def ones_like(block):
        return constant(1.0)

    @staticmethod
    def concat(*parts):
        return parts


def derivatives_by_block(op, inputs, consts):
    """[(block, its local derivative)] for W, a and b, from the table's dot entry."""
    parts = op.derivatives(Layers, None, inputs, **consts)
    blocks = (inputs.blocks[0], inputs.blocks[inputs.n], inputs.blocks[2 * inputs.n])
    return [(block, d) for block, d in zip(blocks, parts) if block is not None]


def vector_jacobian(delta, block, derivative, out=None):
    """Σ over the indices the block lacks of δ · ∂z/∂block, as numpy source, and its name in the notes."""
    spec = f"jb->{block.indices}" if derivative.value == 1.0 else f"jb,{derivative.indices}->{block.indices}"
    operands = (delta,) if derivative.value == 1.0 else (delta, derivative)
    return contraction(spec, *operands, out=out), SPELLED.get(spec, ("", "", ""))[2]
