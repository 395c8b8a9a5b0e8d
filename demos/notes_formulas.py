"""Every hand-derived statement of the three notes, EXACTLY AS WRITTEN, as data.

One `Claim` per statement: where the note makes it (note, section, line), its text, what
kind of row it is, a function computing its hand value, a function reading the engine's
value of the same quantity, and, where the note is wrong, the corrected form.

Kinds of row (`kind`):
    writes   a formula or number the note writes: these rows are the notes' verdict
    implies  a formula the note implies but does not write (the derivative of an error
             function it gives, the gradient behind a claim in words)
    reading  a check of the program's own reading of the note (a procedure the note names
             without a formula, a generous reading of a formula that is wrong as written)

What the engine side reads (`judge`): the engine's gradients ("gradient"), its forward
values ("value"), the sizes of nn's matrices ("shape"), or nn's counts ("count").

Hand sides are numpy only: `hand(numbers)` gets the example's numpy side (weights, inputs,
targets, a numpy forward pass; see `demos.notes_examples`) and nothing of the engine. A row
whose hand side cannot be computed without the engine sets independent=False and gets
hand(numbers, example); it is counted neither as an agreement nor as a disagreement. A
statement that is neither a number nor a formula has hand=None and is listed with the
program's reading of it. The evaluation and printing are in `demos.notes_check`.

One rule for a product of two column vectors (undefined as written): it is read as the
product the result needs, the dot product where that is a number, the outer product where
it is a matrix, and the row's reading says so (note 000 lines 246 and 437, note 002 line
560). What is wrong elsewhere in such a line is judged by its own row.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .notes_examples import NOTE_000, NOTE_001, NOTE_002, WEIGHT_STEPS
from .reference import derivative, sigmoid, sigmoid_prime

WRITES, IMPLIES, READING = "writes", "implies", "reading"
KINDS = {WRITES: "a formula or number the note writes", IMPLIES: "a formula the note implies",
         READING: "a check of the program's own reading"}
GRADIENT, VALUE, SHAPE, COUNT = "gradient", "value", "shape", "count"


class Undefined(ValueError):
    """A formula that cannot be evaluated as written (e.g. its shapes do not match)."""


@dataclass(frozen=True)
class Claim:
    note: str
    line: int                          # the line of the note file where the statement is
    where: str                         # section, step or equation
    formula: str                       # the statement as the note writes it
    kind: str                          # WRITES, IMPLIES or READING
    example: str                       # key of demos.notes_examples.EXAMPLES
    hand: Callable | None              # numbers -> float or array; None: a statement in words
    engine: Callable | None            # example -> float or array (the engine's value)
    judge: str | None = None           # what engine() reads: GRADIENT, VALUE, SHAPE or COUNT
    reading: str = ""
    corrected: str = ""
    corrected_hand: Callable | None = None
    independent: bool = True           # False: hand(numbers, example) needs the engine
    quote: str = ""                    # a few characters of the note's text on that line
    atol: float = 1e-10                # agree when |hand - engine| <= atol + rtol |engine|
    rtol: float = 1e-8

    @property
    def listed(self):
        return self.hand is None


def listed(note, line, where, formula, reading, quote=""):
    """A statement in words: listed with the program's reading, no verdict."""
    return Claim(note, line, where, formula, WRITES, "", None, None, reading=reading, quote=quote)


ETA = 0.5                       # η of the update-rule rows (nn.fit's lr)
FIRST_ORDER_STEPS = (1e-5, 1e-6)
FIRST_ORDER = dict(atol=0.0, rtol=1e-3)   # a first-order claim agrees only to O(step)
STRAY_ETAS = (0.1, 0.5, 3.0)    # the η of the directional-derivative row: none of them is 1


def _abs_bias(n, l):
    """a^(l) with the bias unit a_0 = 1 in front (note 000's numbering)."""
    return np.concatenate([[1.0], n.a[l]])


def _layers(f):
    return (2, 3, 4)


# ---------------------------------------------------------------------------------------
# note 000: the activation table and softmax
# ---------------------------------------------------------------------------------------

def _inside(values, low, high):
    return ((values > low) & (values < high)).astype(float)


RELU_FAR = np.array([1.0, 2.0, 5.0, 10.0, 20.0, 1e6])

NOTE_000_ACTIVATIONS = [
    Claim(NOTE_000, 113, "activation table: logistic", "σ_Logistic(x) = 1/(1 + e^(-x))", WRITES, "activations",
          hand=lambda n: sigmoid(n.grid), engine=lambda e: e.value("sigmoid"), judge=VALUE,
          quote=r"\sigma_{\text{Logistic}}(x) = \frac{1}{1+e^{-x}}"),
    Claim(NOTE_000, 83, "logistic regression example", "σ shrinks ℝ into the range (0, 1)", WRITES, "activations",
          hand=lambda n: np.ones_like(n.grid), engine=lambda e: _inside(e.value("sigmoid"), 0.0, 1.0), judge=VALUE,
          reading="1 where the engine's σ(x) lies strictly inside (0, 1), on x = -10 ... 10",
          quote="into the range  $(0, 1)$"),
    Claim(NOTE_000, 111, "activation table: linear", "σ_Linear(x; k) = kx", WRITES, "activations",
          hand=lambda n: 2.0 * n.grid, engine=lambda e: e.value(("linear", 2.0)), judge=VALUE,
          reading="k = 2, nn's ('linear', 2)", quote=r"\sigma_{\text{Linear}}(x; k) = kx"),
    Claim(NOTE_000, 112, "activation table: step", "σ_Step(x; k) = 1 if x ≥ k, 0 if x < k", WRITES, "activations",
          hand=lambda n: (n.grid >= 0.5).astype(float), engine=lambda e: e.value(("step", 0.5)), judge=VALUE,
          reading="k = 1/2 (the grid passes through x = k)", quote=r"1 & x \geq k \\ 0 & x < k"),
    listed(NOTE_000, 112, "activation table: step", "σ_Step(x; k = 1/2) in the output layer determines the class",
           "class 1 exactly when the logistic output p ≥ 1/2, i.e. when z ≥ 0", quote="k = \\frac{1}{2})"),
    Claim(NOTE_000, 113, "activation table: logistic", "'suffers from the issue of vanishing gradients as x increases'",
          IMPLIES, "activations",
          hand=lambda n: sigmoid_prime(n.far), engine=lambda e: e.gradient("sigmoid"), judge=GRADIENT,
          reading="the gradient σ'(x) = σ(x)(1 - σ(x)) at x = 0, 1, 2, 5, 10, 20: it falls from 1/4 to 2e-9",
          quote="vanishing gradients"),
    listed(NOTE_000, 113, "activation table: logistic", "'Differentiable across entire domain'",
           "σ' = σ(1 - σ) exists for every real x (the rows above evaluate it)", quote="Differentiable across"),
    Claim(NOTE_000, 116, "activation table: tanh", "tanh is 'a shifted and scaled version of σ_Logistic'", WRITES,
          "activations", hand=lambda n: 2.0 * sigmoid(2.0 * n.grid) - 1.0, engine=lambda e: e.value("tanh"),
          judge=VALUE, reading="the identity tanh(x) = 2σ(2x) - 1 (scaled by 2 in x and y, shifted by -1)",
          quote="shifted and scaled version"),
    Claim(NOTE_000, 116, "activation table: tanh", "the range of tanh is (-1, 1)", WRITES, "activations",
          hand=lambda n: np.ones_like(n.grid), engine=lambda e: _inside(e.value("tanh"), -1.0, 1.0), judge=VALUE,
          reading="1 where the engine's tanh(x) lies strictly inside (-1, 1), on x = -10 ... 10",
          quote="range being <math>(-1, 1)</math>"),
    listed(NOTE_000, 116, "negative log likelihood with tanh (activation table)",
           "tanh 'cannot be directly used for negative log likelihood cost functions due to the function range "
           "being (-1, 1)'",
           "true: -log p needs p in (0, 1], and a tanh output in (-1, 0] has no logarithm (the engine's log "
           "refuses x ≤ 0 with a ValueError); rescaled, (1 + tanh z)/2 = σ(2z) (the identity above) lies in (0, 1)",
           quote="negative log likelihood"),
    Claim(NOTE_000, 116, "activation table: tanh", "tanh 'suffers from the same vanishing gradient issue'", IMPLIES,
          "activations", hand=lambda n: 1.0 - np.tanh(n.far) ** 2, engine=lambda e: e.gradient("tanh"),
          judge=GRADIENT, reading="the gradient 1 - tanh²(x) at x = 0, 1, 2, 5, 10, 20: it falls from 1 to 2e-17",
          quote="same vanishing gradient issue"),
    Claim(NOTE_000, 117, "activation table: ReLU", "σ_ReLU(x) = max(0, x)", WRITES, "activations",
          hand=lambda n: np.maximum(n.grid, 0.0), engine=lambda e: e.value("relu"), judge=VALUE,
          quote=r"\sigma_{\text{ReLU}}(x) = \max(0, x)"),
    Claim(NOTE_000, 117, "activation table: ReLU", "ReLU 'does not suffer from the vanishing gradient problem'",
          IMPLIES, "activations", hand=lambda n: np.ones_like(RELU_FAR),
          engine=lambda e: e.gradient("relu", RELU_FAR), judge=GRADIENT,
          reading="its gradient is 1 at x = 1, 2, 5, 10, 20, 10⁶: it does not fall as x grows",
          quote="does not suffer from the vanishing gradient"),
    listed(NOTE_000, 117, "activation table: ReLU", "'its simpler gradients allow for each layer to be trained quicker'",
           "a claim about speed, not a number of the notes: not checked", quote="simpler gradients"),
    Claim(NOTE_000, 126, "softmax", "σ_Soft(i, z) = exp z_i / Σ_(j=1)^K exp z_j", WRITES, "error_functions",
          hand=lambda n: n.softmax, engine=lambda e: e.softmax, judge=VALUE,
          reading="5 logit vectors of K = 4, against autograd.softmax", quote=r"\frac{\exp z_i}{\sum_{j=1}^K \exp z_j}"),
    Claim(NOTE_000, 122, "softmax", "softmax 'normalizes it into a discrete probability distribution'", WRITES,
          "error_functions", hand=lambda n: np.ones(n.n), engine=lambda e: e.softmax.sum(axis=1), judge=VALUE,
          reading="each of the 5 outputs of autograd.softmax sums to 1", quote="discrete probability distribution"),
]


# ---------------------------------------------------------------------------------------
# note 000: the matrix notation, sizes and indices
# ---------------------------------------------------------------------------------------

def _theta_sizes_from_the_formula(n):
    """dim Θ^(i) = N_(i+1) × (N_i + 1), from the layer sizes."""
    return np.array([[n.sizes[i + 1], n.sizes[i] + 1] for i in (1, 2, 3)])


def _index_layout(n):
    """∂z_k^(i+1)/∂θ^(i)_(j,k') = a_j^(i) if k' = k else 0, laid out as Θ^(i) for each k."""
    blocks = []
    for i in (1, 2, 3):
        rows = n.sizes[i + 1]
        blocks += [np.outer(np.eye(rows)[k], _abs_bias(n, i)).ravel() for k in range(rows)]
    return np.concatenate(blocks)


def _forward_as_written(n):
    """a_j^(i) = σ(θ_(·,j)^(i-1)ᵀ a^(i-1)) for every neuron of layers 2, 3, 4."""
    return np.concatenate([sigmoid(n.theta[i - 1] @ _abs_bias(n, i - 1)) for i in (2, 3, 4)])


def _figure5_superscripts(n):
    """a^(2) = σ(θ_(:,k)^(2)ᵀ a^(1)), a^(3) = σ(θ_(:,k)^(3)ᵀ a^(2)), a^(4) = σ(θ_(:,1)^(4)ᵀ a^(3))."""
    column, a1 = n.theta[2][:, 0], _abs_bias(n, 1)
    raise Undefined(f"θ^(2)_(:,1) is a column of Θ^(2) with {column.size} entries, a^(1) has {a1.size}; "
                    "and Figure 5 has no Θ^(4)")


def _engine_a(f):
    return np.concatenate([f.a[l] for l in (2, 3, 4)])


def _engine_z(f):
    return np.concatenate([f.z[l] for l in (2, 3, 4)])


NOTE_000_NOTATION = [
    Claim(NOTE_000, 142, "multi-layer networks", "x^(i) = (x_0^(i), ..., x_D^(i))ᵀ with a bias term x_0", WRITES,
          "figure5", hand=lambda n: np.array([n.sizes[1] + 1]), engine=lambda f: f.theta_shapes()[:1, 1],
          judge=SHAPE, reading="D = 4 features and x_0: D + 1 = 5 entries, the columns of Θ^(1) as nn holds it "
                               "(W^(1) and its bias column)",
          quote=r"\left( x_0^{(i)}, \dots, x_D^{(i)} \right)^T"),
    Claim(NOTE_000, 164, "multi-layer networks", "dim(Θ^(i)) = N_(i+1) × (N_i + 1)", WRITES, "figure5",
          hand=_theta_sizes_from_the_formula, engine=lambda f: f.theta_shapes(), judge=SHAPE,
          reading="Figure 5 (N_1..N_4 = 4, 2, 3, 1) against nn.MLP(4, [2, 3, 1])'s matrices with their bias column",
          quote=r"\dim(\boldsymbol{\Theta}^{(i)}) = N_{i+1} \times (N_i + 1)"),
    Claim(NOTE_000, 349, "example: Figure 5's matrices",
          "Θ^(1) = 2 × 5 (θ_(0..4, 1..2)), Θ^(2) = 3 × 3 (θ_(0..2, 1..3)), Θ^(3) = 1 × 4 (θ_(0..3, 1))", WRITES,
          "figure5", hand=lambda n: np.array([[2, 5], [3, 3], [1, 4]]), engine=lambda f: f.theta_shapes(),
          judge=SHAPE, reading="the sizes of the matrices displayed on lines 349-353",
          quote=r"\Theta^{(1)} = \begin{pmatrix}"),
    Claim(NOTE_000, 157, "multi-layer networks",
          "θ_(j,k)^(i) is the weight from neuron j in layer i to neuron k in layer i + 1", WRITES, "figure5",
          hand=_index_layout, engine=lambda f: np.concatenate([f.dz_dtheta_all[l].ravel() for l in (1, 2, 3)]),
          judge=GRADIENT, reading="θ^(i)_(j,k) held at Θ^(i)[k, j] (row k: into neuron k; column j: from neuron j, "
                                  "0 the bias unit); checked as ∂z_k^(i+1)/∂θ^(i)_(j,k') = a_j^(i) for k' = k and "
                                  "0 for k' ≠ k, every neuron of the 3 layers",
          quote=r"represents the weight from neuron  $j$  in layer  $i$ , to neuron  $k$"),
    Claim(NOTE_000, 176, "multi-layer networks", "a_j^(i) = σ_j^(i)(θ_(·,j)^(i-1)ᵀ a^(i-1))", WRITES, "figure5",
          hand=_forward_as_written, engine=_engine_a, judge=VALUE,
          reading="a^(i-1) with its bias unit a_0 = 1; all 6 neurons of Figure 5",
          quote=r"a_j^{(i)} = \sigma_j^{(i)} \left( \boldsymbol{\theta}_{\cdot,j}^{(i-1)T}"),
    Claim(NOTE_000, 184, "multi-layer networks", "a^(i) = σ^(i)(Θ^(i-1) a^(i-1))ᵀ", WRITES, "figure5",
          hand=lambda n: np.concatenate([sigmoid(n.theta[i - 1] @ _abs_bias(n, i - 1)) for i in (2, 3, 4)]),
          engine=_engine_a, judge=VALUE,
          reading="the matrix form, values of all 6 neurons; the outer ᵀ read as a typo (a^(i) is the column of "
                  "line 168, and the line's second form writes the column)",
          quote=r"\boldsymbol{\sigma}^{(i)} \left( \boldsymbol{\Theta}^{(i-1)} \mathbf{a}^{(i-1)} \right)^T"),
    Claim(NOTE_000, 351, "example: Figure 5's vectors (lines 351-355)",
          "a^(2) = σ(θ_(:,k)^(2)ᵀ a^(1)), a^(3) = σ(θ_(:,k)^(3)ᵀ a^(2)), a^(4) = σ(θ_(:,1)^(4)ᵀ a^(3))", WRITES,
          "figure5", hand=_figure5_superscripts, engine=_engine_a, judge=VALUE,
          reading="the superscripts as written: Θ^(i) joins layers i and i + 1 (line 146), so these name the "
                  "matrix one layer too far (line 373 writes θ_(:,1)^(3) for the weights into a_1^(4), as line 146 "
                  "numbers them: its row agrees)",
          corrected="a^(l) = σ(θ_(:,k)^(l-1)ᵀ a^(l-1))   (θ^(1) into layer 2, as on line 191)",
          corrected_hand=_forward_as_written, quote=r"\sigma(\theta_{:,1}^{(2)\top} \mathbf{a}^{(1)})"),
    Claim(NOTE_000, 220, "error functions", "Θ = (Θ^(1), ..., Θ^(L)),  L = hidden layers + the output layer",
          WRITES, "figure5", hand=lambda n: np.array([2 + 1]), engine=lambda f: np.array([len(f.theta_shapes())]),
          judge=COUNT, reading="L from line 104 (2 hidden layers and the output layer of Figure 5) against the "
                               "number of weight matrices of nn.MLP(4, [2, 3, 1])",
          quote=r"\Theta = (\Theta^{(1)}, \dots, \Theta^{(L)})"),
    listed(NOTE_000, 206, "training", "'The error functions used in neural networks are non-convex'",
           "not checked: a property of C over all Θ, not a value", quote="non-convex"),
    listed(NOTE_000, 216, "error functions", "Θ̂ = arg min_Θ C(Θ)",
           "a definition of the goal; nn.fit descends C, it does not claim the minimum", quote=r"\arg \min_{\Theta}"),
]


# ---------------------------------------------------------------------------------------
# note 000: error functions and output layers
# ---------------------------------------------------------------------------------------

DERIVED = "  [the note writes C only; derivative derived from it]"


def _cross_entropy_of_distributions(n):
    """1/N Σ_i H(y^(i), ŷ^(i)), H(p, q) = -Σ_c p_c log q_c over the two classes."""
    p = np.column_stack([1 - n.y_binary, n.y_binary])
    q = np.column_stack([1 - n.p1, n.p1])
    return float(np.mean(-np.sum(p * np.log(q), axis=1)))


NOTE_000_ERRORS = [
    Claim(NOTE_000, 228, "error functions: RSS", "C(Θ) = Σ_(i=1)^N (y^(i) - ŷ^(i))²", WRITES, "error_functions",
          hand=lambda n: np.sum((n.y_real - n.yhat) ** 2), engine=lambda e: e.rss, judge=VALUE,
          quote=r"C(\Theta) = \sum_{i=1}^N (y^{(i)} - \hat{y}^{(i)})^2"),
    Claim(NOTE_000, 228, "error functions: RSS",
          "C = Σ_i (y^(i) - ŷ^(i))²  ⇒  ∂C/∂ŷ^(i) = -2 (y^(i) - ŷ^(i))" + DERIVED, IMPLIES, "error_functions",
          hand=lambda n: -2 * (n.y_real - n.yhat), engine=lambda e: e.drss_dyhat, judge=GRADIENT,
          quote=r"C(\Theta) = \sum_{i=1}^N"),
    Claim(NOTE_000, 232, "error functions: MSE", "C(Θ) = 1/(2N) Σ_(i=1)^N (y^(i) - ŷ^(i))²", WRITES,
          "error_functions", hand=lambda n: np.sum((n.y_real - n.yhat) ** 2) / (2 * n.n), engine=lambda e: e.mse,
          judge=VALUE, reading="against nn.mean_loss(nn.mse.with_options(half=True), ...), nn's form of the notes' C",
          quote=r"\frac{1}{2N} \sum_{i=1}^N"),
    Claim(NOTE_000, 232, "error functions: MSE",
          "C = 1/(2N) Σ_i (y^(i) - ŷ^(i))²  ⇒  ∂C/∂ŷ^(i) = (ŷ^(i) - y^(i)) / N" + DERIVED, IMPLIES,
          "error_functions", hand=lambda n: (n.yhat - n.y_real) / n.n, engine=lambda e: e.dmse_dyhat,
          judge=GRADIENT, quote=r"\frac{1}{2N} \sum_{i=1}^N"),
    Claim(NOTE_000, 246, "error functions: binary output", "p_1^(i) = a_1^(L+1) = σ(Θ^(L)ᵀ a^(L))", WRITES,
          "output_layers", hand=lambda n: sigmoid(n.binary.theta[3][0] @ _abs_bias(n.binary, 3)),
          engine=lambda o: o.binary_output, judge=VALUE,
          reading="Figure 5's output neuron (L = 3); Θ^(L) read as θ_(·,1)^(L), the column of the weights into "
                  "the output neuron (line 158), so Θ^(L)ᵀ a^(L) is their dot product, as line 284 writes it for "
                  "softmax (the rule of line 437 and of note 002's line 560: two columns, the product meant); with "
                  "Θ^(L) the row of line 250 it would be 4 × 1 times 4 × 1, undefined: lines 248 and 250 are "
                  "judged for that row",
          quote=r"\sigma(\Theta^{(L)\top} \mathbf{a}^{(L)})"),
    Claim(NOTE_000, 248, "error functions: binary output", "Θ^(L) is a (1 × N_L) vector", WRITES, "output_layers",
          hand=lambda n: np.array([1, n.N_L]), engine=lambda o: o.binary_shape, judge=SHAPE,
          reading="N_L = 3 (Figure 5), against nn's output layer with its bias column",
          corrected="Θ^(L) is 1 × (N_L + 1)   (line 164; line 250 lists N_L + 1 entries)",
          corrected_hand=lambda n: np.array([1, n.N_L + 1]), quote=r"$(1 \times N_L)$  vector"),
    Claim(NOTE_000, 250, "error functions: binary output", "Θ^(L) = (θ_(0,1)^(L), θ_(1,1)^(L), ..., θ_(N_L,1)^(L))",
          WRITES, "output_layers", hand=lambda n: np.array([1, n.N_L + 1]), engine=lambda o: o.binary_shape,
          judge=SHAPE, reading="one row of N_L + 1 entries", quote=r"\theta_{N_L,1}^{(L)})"),
    listed(NOTE_000, 252, "error functions: binary output", "p_0^(i) + p_1^(i) = 1, so p_0^(i) = 1 - p_1^(i)",
           "a definition: the one output is p_1 and p_0 is its complement", quote="p_0^{(i)} + p_1^{(i)} = 1"),
    Claim(NOTE_000, 258, "error functions: BCE, first line", "C(Θ) = 1/N Σ_(i=1)^N H(y^(i), ŷ^(i))", WRITES,
          "error_functions", hand=_cross_entropy_of_distributions, engine=lambda e: e.bce, judge=VALUE,
          reading="H(y, ŷ) as the cross entropy -Σ_c P(y = c) log P(ŷ = c) of the label's distribution (1 - y, y) "
                  "and the prediction's (p_0, p_1) (line 262); against nn.mean_loss(nn.bce, ...) with p_1 = σ(z)",
          quote=r"\frac{1}{N} \sum_{i=1}^N H(y^{(i)}, \hat{y}^{(i)})"),
    Claim(NOTE_000, 258, "error functions: BCE, lines 2-3",
          "C(Θ) = -1/N Σ_i [(1 - y^(i)) log(1 - p_1^(i)) + y^(i) log p_1^(i)]", WRITES, "error_functions",
          hand=lambda n: -np.mean((1 - n.y_binary) * np.log(1 - n.p1) + n.y_binary * np.log(n.p1)),
          engine=lambda e: e.bce, judge=VALUE, reading="p_0 = 1 - p_1 (line 252)",
          quote=r"\log(1 - p_1^{(i)}) + y^{(i)} \log p_1^{(i)}"),
    Claim(NOTE_000, 268, "error functions: BCE as a likelihood",
          "-1/N Σ [(1-y) log(1-p_1) + y log p_1] = -1/N log Π (1-p_1)^(1-y) (p_1)^y", WRITES, "error_functions",
          hand=lambda n: -np.log(np.prod((1 - n.p1) ** (1 - n.y_binary) * n.p1 ** n.y_binary)) / n.n,
          engine=lambda e: e.bce, judge=VALUE, reading="the likelihood form by hand against nn's BCE",
          quote=r"\log \prod_{i=1}^N"),
    Claim(NOTE_000, 258, "error functions: BCE",
          "∂C/∂p_1^(i) = (p_1^(i) - y^(i)) / (N p_1^(i) (1 - p_1^(i)))" + DERIVED, IMPLIES, "error_functions",
          hand=lambda n: (n.p1 - n.y_binary) / (n.n * n.p1 * (1 - n.p1)), engine=lambda e: e.dbce_dp1,
          judge=GRADIENT, quote=r"\log(1 - p_1^{(i)}) + y^{(i)} \log p_1^{(i)}"),
    Claim(NOTE_000, 246, "error functions: BCE + logistic",
          "p_1 = σ(z)  ⇒  ∂C/∂z^(i) = (p_1^(i) - y^(i)) / N" + DERIVED, IMPLIES, "error_functions",
          hand=lambda n: (n.p1 - n.y_binary) / n.n, engine=lambda e: e.dbce_dz, judge=GRADIENT,
          quote=r"p_1^{(i)} = \mathbb{P}"),
    Claim(NOTE_000, 274, "error functions: multinomial", "C(Θ) = -1/N Σ_(i=1)^N Σ_(c=1)^K y_c^(i) log p_c^(i)",
          WRITES, "error_functions", hand=lambda n: -np.sum(n.one_hot * np.log(n.softmax)) / n.n,
          engine=lambda e: e.cross_entropy, judge=VALUE, reading="p = softmax of the logits, one-hot y (K = 4)",
          quote=r"\sum_{c=1}^K y_c^{(i)} \log p_c^{(i)}"),
    Claim(NOTE_000, 280, "error functions: multinomial", "Θ^(L) has dimensions (K × N_L)", WRITES, "output_layers",
          hand=lambda n: np.array([n.K, n.N_L]), engine=lambda o: o.multi_shape, judge=SHAPE,
          reading="Figure 5 with K = 4 softmax outputs, against nn's output layer with its bias column",
          corrected="Θ^(L) is K × (N_L + 1)   (line 164)", corrected_hand=lambda n: np.array([n.K, n.N_L + 1]),
          quote=r"$(K \times N_L)$"),
    Claim(NOTE_000, 284, "error functions: multinomial",
          "σ_Soft(c, x; Θ) = exp(θ_(·,c)^(L)ᵀ a^(L)) / Σ_(k=1)^K exp(θ_(·,k)^(L)ᵀ a^(L))", WRITES, "output_layers",
          hand=lambda n: (lambda s: np.exp(s) / np.exp(s).sum())(n.multi.theta[3] @ _abs_bias(n.multi, 3)),
          engine=lambda o: o.multi_output, judge=VALUE,
          reading="a^(L) with its bias unit; against nn.MLP(4, [2, 3, 4]) with a softmax output layer",
          quote=r"\exp(\boldsymbol{\theta}_{\cdot, c}^{(L)\top} \mathbf{a}^{(L)})"),
    Claim(NOTE_000, 274, "error functions: cross entropy + softmax",
          "C = -1/N Σ_i Σ_c y_c^(i) log p_c^(i), p = σ_Soft(z)  ⇒  ∂C/∂z_c^(i) = (p_c^(i) - y_c^(i)) / N" + DERIVED,
          IMPLIES, "error_functions", hand=lambda n: (n.softmax - n.one_hot) / n.n, engine=lambda e: e.dce_dz,
          judge=GRADIENT, quote=r"\sum_{c=1}^K y_c^{(i)} \log p_c^{(i)}"),
    listed(NOTE_000, 286, "error functions: multinomial", "assign x^(i) to the class with the highest probability",
           "arg max_c p_c (nn.accuracy and predict decide so)", quote="highest probability"),
    listed(NOTE_000, 291, "error functions: one-hot", "K = 6, class 4: y^(i) = (0, 0, 0, 1, 0, 0)ᵀ",
           "classes counted from 1: class c is the c-th unit vector, np.eye(6)[4 - 1] = (0, 0, 0, 1, 0, 0)",
           quote="(0, 0, 0, 1, 0, 0)"),
]


# ---------------------------------------------------------------------------------------
# note 000: back-propagation on Figure 5 (layers numbered as in the note: input 1, output 4)
# ---------------------------------------------------------------------------------------

def _step4_as_intended(n, dC_dz1):
    """The sum of line 413 with ∂z_1^(4)/∂θ_(j,k)^(3) · ∂θ_(j,k)^(3)/∂a_j^(3) 'cancelled' to
    ∂z_1^(4)/∂a_j^(3) = θ_(j,1)^(3) in each of the N_4 terms."""
    return dC_dz1 * n.sizes[4] * n.theta[3][0, 1:]


def _note_step2(n):
    """∂C/∂z_1^(4) as the note's step 2 gives it: σ'(z_1^(4)) (y^(i) - σ(z_1^(4)))."""
    return sigmoid_prime(n.z[4][0]) * (n.y[0] - sigmoid(n.z[4][0]))


def _dC_da3_by_hand(n):
    """∂C/∂a_j^(3) = Σ_k θ_(j,k)^(3) ∂C/∂z_k^(4) (BP2's Wᵀδ), with ∂C/∂z^(4) from a^L - y."""
    return n.theta[3][:, 1:].T @ n.dC_dz[4]


def _generous_step4(example, suffix, reading):
    """Step 4 read as intended, with ∂C/∂z_1^(4) by hand (the sign of step 2 corrected)."""
    return Claim(NOTE_000, 413, "step 4, as intended, step 2 corrected" + suffix,
                 "∂C/∂a_j^(3) = ∂C/∂z_1^(4) Σ_(k=1)^(N_4) θ_(j,1)^(3)", READING, example,
                 hand=lambda n: _step4_as_intended(n, n.dC_dz[4][0]), engine=lambda f: f.dC_da[3], judge=GRADIENT,
                 reading=reading, corrected="∂C/∂a_j^(3) = Σ_(k=1)^(N_4) ∂C/∂z_k^(4) θ_(j,k)^(3)",
                 corrected_hand=_dC_da3_by_hand, quote=r"\sum_{k=1}^{N_4}")


def _into_the_output(n):
    """z_1^(4) = θ_(:,1)^(3)ᵀ a^(3) and a_1^(4) = σ(z_1^(4)), by hand."""
    z = n.theta[3][0] @ _abs_bias(n, 3)
    return np.array([z, sigmoid(z)])


def _update_reading(batch):
    return (f"{batch}, η = {ETA}; hand: each example's ∇C by BP1-BP4 in numpy, averaged over its batch, "
            "the rule applied batch after batch; engine: nn.fit (scalar engine, no shuffling) for one epoch "
            "with the notes' C; the values are the changes of all 23 weights")


NOTE_000_BACKPROP = [
    Claim(NOTE_000, 307, "error derivatives (and training 3.4, line 456)",
          "θ_(j,k)^(l) ← θ_(j,k)^(l) - η ∂C/∂θ_(j,k)^(l);  Θ^(l) ← Θ^(l) - η ∇_(Θ^(l)) C(Θ)  (line 311)", WRITES,
          "figure5", hand=lambda n: n.descend(1, ETA, 1), engine=lambda f: f.fit_change(1, ETA, 1), judge=GRADIENT,
          reading=_update_reading("one example"),
          quote=r"\theta_{j,k}^{(l)} \leftarrow \theta_{j,k}^{(l)} - \eta \frac{\partial C}"),
    Claim(NOTE_000, 315, "error derivatives: the layout of ∇_Θ C",
          "∇_(Θ^(l)) C = (∇_(θ_(0,·)) C, ..., ∇_(θ_(N_l,·)) C)ᵀ, entry (k, j) = ∂C/∂θ_(j,k)^(l)", WRITES, "figure5",
          hand=lambda n: n.flat(n.dC_dtheta), engine=lambda f: f.flat(f.dC_dtheta), judge=GRADIENT,
          reading="column j holds ∇_(θ_(j,·)) C, so ∇_Θ C has Θ's layout N_(l+1) × (N_l + 1) (the display's first "
                  "row, the vectors ∇_(θ_(j,·)) C, read as the columns' names); hand: ∂C/∂θ_(j,k) = a_j δ_k by "
                  "BP1-BP4 in numpy; engine: the gradient of each Value at Θ[k, j]; all 23 entries",
          quote=r"\nabla_{\Theta^{(l)}} C(\Theta) = \begin{pmatrix}"),
    Claim(NOTE_000, 324, "additional derivatives", "z_j^(l) = θ_(·,j)^(l-1)ᵀ a^(l-1)", WRITES, "figure5",
          hand=lambda n: np.concatenate([n.theta[l - 1] @ _abs_bias(n, l - 1) for l in (2, 3, 4)]),
          engine=_engine_z, judge=VALUE, reading="a value: all 6 neurons, a^(l-1) with its bias unit",
          quote=r"z_j^{(l)} = \theta_{\cdot,j}^{(l-1)T} \mathbf{a}^{(l-1)}"),
    Claim(NOTE_000, 328, "additional derivatives (and training 3.1, line 438)", "a_j^(l) = σ^(l)(z_j^(l))", WRITES,
          "figure5", hand=lambda n: np.concatenate([sigmoid(n.z[l]) for l in (2, 3, 4)]), engine=_engine_a,
          judge=VALUE, quote=r"= \sigma^{(l)} \left( z_j^{(l)} \right)"),
    Claim(NOTE_000, 345, "example", "C(Θ) = 1/2 (y^(i) - ŷ^(i))²", WRITES, "figure5",
          hand=lambda n: 0.5 * (n.y[0] - n.yhat) ** 2, engine=lambda f: f.cost.data, judge=VALUE,
          quote=r"C(\Theta) = \frac{1}{2} \left( y^{(i)} - \hat{y}^{(i)} \right)^2"),
    Claim(NOTE_000, 363, "step 1", "∂C/∂ŷ^(i) = y^(i) - ŷ^(i)", WRITES, "figure5",
          hand=lambda n: n.y[0] - n.yhat, engine=lambda f: f.dC_da[4][0], judge=GRADIENT,
          corrected="∂C/∂ŷ^(i) = ŷ^(i) - y^(i)   (d/dŷ of 1/2 (y - ŷ)² is -(y - ŷ))",
          corrected_hand=lambda n: n.yhat - n.y[0], quote=r"= y^{(i)} - \hat{y}^{(i)}$$"),
    Claim(NOTE_000, 369, "step 2", "∂C/∂z_1^(4) = ∂C/∂a_1^(4) · ∂a_1^(4)/∂z_1^(4)", WRITES, "figure5",
          hand=lambda n: (n.yhat - n.y[0]) * sigmoid_prime(n.z[4][0]), engine=lambda f: f.dC_dz[4][0],
          judge=GRADIENT, reading="the chain rule, its factors by hand: ∂C/∂a_1^(4) = ŷ - y (the derivative of the "
                                  "note's C; step 1's value has the other sign), ∂a/∂z = σ(z)(1 - σ(z)) (line 377)",
          quote=r"\frac{\partial C}{\partial z_1^{(4)}} = \frac{\partial C}{\partial a_1^{(4)}} \frac{\partial a_1"),
    Claim(NOTE_000, 373, "step 2: a_1^(4) as σ of z_1^(4)", "a_1^(4) = σ(θ_(:,1)^(3)ᵀ a^(3)) = σ(z_1^(4))", WRITES,
          "figure5", hand=_into_the_output,
          engine=lambda f: np.array([f.z[4][0], f.a[4][0]]), judge=VALUE,
          reading="θ_(:,1)^(3)ᵀ a^(3) against the engine's z_1^(4), and its σ against a_1^(4): θ^(3) joins layers 3 "
                  "and 4 (line 146), the numbering line 355 puts one layer off (row 351)",
          quote=r"\sigma \left( \boldsymbol{\theta}_{:,1}^{(3)\top} \mathbf{a}^{(3)} \right)"),
    Claim(NOTE_000, 377, "step 2", "∂a_1^(4)/∂z_1^(4) = σ(z_1^(4)) (1 - σ(z_1^(4)))", WRITES, "figure5",
          hand=lambda n: sigmoid(n.z[4][0]) * (1 - sigmoid(n.z[4][0])), engine=lambda f: f.da_dz[4][0],
          judge=GRADIENT, quote=r"= \sigma \left( z_1^{(4)} \right) \left( 1 - \sigma"),
    Claim(NOTE_000, 387, "step 2 (lines 383 and 387)", "∂C/∂z_1^(4) = σ'(z_1^(4)) (y^(i) - σ(z_1^(4)))", WRITES,
          "figure5", hand=_note_step2, engine=lambda f: f.dC_dz[4][0], judge=GRADIENT,
          corrected="∂C/∂z_1^(4) = σ'(z_1^(4)) (σ(z_1^(4)) - y^(i))",
          corrected_hand=lambda n: sigmoid_prime(n.z[4][0]) * (sigmoid(n.z[4][0]) - n.y[0]),
          quote=r"\underbrace{\sigma' \left( z_1^{(4)} \right)}"),
    Claim(NOTE_000, 391, "step 3", "∂C/∂θ_(j,k)^(l-1) = ∂C/∂z_k^(l) · ∂z_k^(l)/∂θ_(j,k)^(l-1)", WRITES, "figure5",
          hand=lambda n: n.flat({l: np.outer(n.dC_dz[l + 1], _abs_bias(n, l)) for l in (1, 2, 3)}),
          engine=lambda f: f.flat(f.dC_dtheta), judge=GRADIENT,
          reading="the chain rule for all 23 weights, its factors by hand: ∂C/∂z_k^(l) by BP1-BP2 (from a^L - y "
                  "and Θᵀδ), ∂z_k/∂θ_(j,k) = a_j (z is the weighted sum of line 324)",
          quote=r"\frac{\partial C}{\partial z_k^{(l)}} \frac{\partial z_k^{(l)}}{\partial \theta_{j,k}^{(l-1)}}$$"),
    Claim(NOTE_000, 395, "step 3", "z_k^(l) = σ(θ_(:,k)^(l-1)ᵀ a^(l-1))", WRITES, "figure5",
          hand=lambda n: np.concatenate([sigmoid(n.theta[l - 1] @ _abs_bias(n, l - 1)) for l in (2, 3, 4)]),
          engine=_engine_z, judge=VALUE,
          reading="a value: the hand z against the z nodes of the engine's graph, all 6 neurons",
          corrected="z_k^(l) = θ_(:,k)^(l-1)ᵀ a^(l-1)   (a_k^(l) = σ(z_k^(l)); line 324)",
          corrected_hand=lambda n: np.concatenate([n.theta[l - 1] @ _abs_bias(n, l - 1) for l in (2, 3, 4)]),
          quote=r"z_k^{(l)} = \sigma \left("),
    Claim(NOTE_000, 399, "step 3", "∂z_k^(l)/∂θ_(j,k)^(l-1) = σ'(z_k^(l)) a_j^(l-1)", WRITES, "figure5",
          hand=lambda n: n.flat({l: np.outer(sigmoid_prime(n.z[l + 1]), _abs_bias(n, l)) for l in (1, 2, 3)}),
          engine=lambda f: f.flat(f.dz_dtheta), judge=GRADIENT, reading="for all 23 weights, j = 0 the bias unit",
          corrected="∂z_k^(l)/∂θ_(j,k)^(l-1) = a_j^(l-1)   (z is the weighted sum, before σ)",
          corrected_hand=lambda n: n.flat({l: np.outer(np.ones(n.sizes[l + 1]), _abs_bias(n, l)) for l in (1, 2, 3)}),
          quote=r"= \sigma' \left( z_k^{(l)} \right) a_j^{(l-1)}"),
    Claim(NOTE_000, 403, "step 3", "∂C/∂θ_(1,1)^(3) = σ'(z_1^(4))² (y^(i) - σ(z_1^(4))) a_1^(3)", WRITES, "figure5",
          hand=lambda n: sigmoid_prime(n.z[4][0]) ** 2 * (n.y[0] - sigmoid(n.z[4][0])) * n.a[3][0],
          engine=lambda f: f.dC_dtheta[3][0, 1], judge=GRADIENT,
          corrected="∂C/∂θ_(1,1)^(3) = σ'(z_1^(4)) (σ(z_1^(4)) - y^(i)) a_1^(3)",
          corrected_hand=lambda n: sigmoid_prime(n.z[4][0]) * (sigmoid(n.z[4][0]) - n.y[0]) * n.a[3][0],
          quote=r"= \sigma' \left( z_1^{(4)} \right)^2"),
    Claim(NOTE_000, 405, "step 3", "'the same procedure' for all of Θ^(3): σ'(z_1^(4))² (y^(i) - σ(z_1^(4))) a_j^(3)",
          WRITES, "figure5",
          hand=lambda n: sigmoid_prime(n.z[4][0]) ** 2 * (n.y[0] - sigmoid(n.z[4][0])) * _abs_bias(n, 3),
          engine=lambda f: f.dC_dtheta[3][0], judge=GRADIENT,
          reading="the θ_(1,1)^(3) expression with a_j^(3) for j = 0..3 (a_0^(3) = 1)",
          corrected="∂C/∂θ_(j,1)^(3) = σ'(z_1^(4)) (σ(z_1^(4)) - y^(i)) a_j^(3)",
          corrected_hand=lambda n: sigmoid_prime(n.z[4][0]) * (sigmoid(n.z[4][0]) - n.y[0]) * _abs_bias(n, 3),
          quote="The same procedure"),
    Claim(NOTE_000, 409, "step 4", "∂C/∂z_j^(3) = ∂C/∂a_j^(3) σ'(z_j^(3))", WRITES, "figure5",
          hand=lambda n: _dC_da3_by_hand(n) * sigmoid_prime(n.z[3]), engine=lambda f: f.dC_dz[3], judge=GRADIENT,
          reading="j = 1..3; the factor ∂C/∂a_j^(3) by hand as θ_(j,1)^(3) ∂C/∂z_1^(4) (BP2's Wᵀδ, with "
                  "∂C/∂z_1^(4) = σ'(z)(σ(z) - y) from a^L - y): the note gives no value for it",
          quote=r"= \frac{\partial C}{\partial a_j^{(3)}} \sigma' \left( z_j^{(3)} \right)"),
    Claim(NOTE_000, 413, "step 4",
          "∂C/∂a_j^(3) = ∂C/∂z_1^(4) Σ_(k=1)^(N_4) ∂z_1^(4)/∂θ_(j,k)^(3) · ∂θ_(j,k)^(3)/∂a_j^(3)", WRITES,
          "figure5", hand=lambda n: _note_step2(n) * np.zeros(3), engine=lambda f: f.dC_da[3], judge=GRADIENT,
          reading="literally: θ_(j,k)^(3) is a parameter, not a function of a_j^(3), so "
                  "∂θ_(j,k)^(3)/∂a_j^(3) = 0 and every term vanishes",
          corrected="∂C/∂a_j^(3) = Σ_(k=1)^(N_4) ∂C/∂z_k^(4) θ_(j,k)^(3)", corrected_hand=_dC_da3_by_hand,
          quote=r"\sum_{k=1}^{N_4}"),
    Claim(NOTE_000, 413, "step 4, as intended",
          "∂C/∂a_j^(3) = ∂C/∂z_1^(4) Σ_(k=1)^(N_4) ∂z_1^(4)/∂θ_(j,k)^(3) · ∂θ_(j,k)^(3)/∂a_j^(3)", WRITES,
          "figure5", hand=lambda n: _step4_as_intended(n, _note_step2(n)), engine=lambda f: f.dC_da[3],
          judge=GRADIENT,
          reading="as intended: ∂z/∂θ · ∂θ/∂a 'cancels' to ∂z_1^(4)/∂a_j^(3) = θ_(j,1)^(3) in each of the N_4 terms, "
                  "with the note's own ∂C/∂z_1^(4) from step 2 (line 387): its sign is wrong, so is this",
          corrected="∂C/∂a_j^(3) = Σ_(k=1)^(N_4) ∂C/∂z_k^(4) θ_(j,k)^(3)", corrected_hand=_dC_da3_by_hand,
          quote=r"\sum_{k=1}^{N_4}"),
    _generous_step4("figure5", "", "the program's generous reading: the cancellation above, with ∂C/∂z_1^(4) "
                    "by hand with the corrected sign (BP1); right on Figure 5 only because N_4 = 1 (see the next row)"),
    _generous_step4("figure5_two_outputs", " (N_4 = 2)", "the same reading on Figure 5 with two output neurons: "
                    "the sum repeats z_1^(4) and never sees z_2^(4)"),
    listed(NOTE_000, 429, "training 2", "'Biases should be set to 1'",
           "the Figure 5 example sets every θ_(0,k) = 1; the weights are drawn with a fixed seed",
           quote="Biases should be set to 1"),
    Claim(NOTE_000, 437, "training 3.1", "z_j^(l) = θ_(:,j)^(l-1) a^(l-1)", WRITES, "figure5",
          hand=lambda n: np.concatenate([n.theta[l - 1] @ _abs_bias(n, l - 1) for l in (2, 3, 4)]),
          engine=_engine_z, judge=VALUE,
          reading="a value: θ_(:,j) a read as the dot product θ_(:,j)ᵀ a (the ᵀ is missing), a^(l-1) with its "
                  "bias unit", quote=r"z_j^{(l)} = \boldsymbol{\theta}_{:,j}^{(l-1)} \mathbf{a}^{(l-1)}"),
    listed(NOTE_000, 442, "training 3.2", "'For each neuron n_k^(N+1) on layer L + 1'",
           "N + 1 read as L + 1, the output layer", quote="n_k^{(N+1)}"),
    Claim(NOTE_000, 444, "training 3.2-3.3", "∂C/∂z_k^(l) for l = L+1, L, ..., 2 ('the error')", READING, "figure5",
          hand=lambda n: np.concatenate([n.dC_dz[l] for l in (4, 3, 2)]),
          engine=lambda f: np.concatenate([f.dC_dz[l] for l in (4, 3, 2)]), judge=GRADIENT,
          reading="named without a formula; the program computes it by BP1-BP2 in numpy (steps 2-4 corrected)",
          quote="a.k.a **the error**"),
    Claim(NOTE_000, 445, "training 3.2-3.3", "∂C/∂θ_(j,k)^(l-1) for every weight", READING, "figure5",
          hand=lambda n: n.flat(n.dC_dtheta), engine=lambda f: f.flat(f.dC_dtheta), judge=GRADIENT,
          reading="named without a formula; the program computes a_j^(l-1) ∂C/∂z_k^(l) (step 3 corrected)",
          quote=r"the error derivative w.r.t the weight"),
]


# ---------------------------------------------------------------------------------------
# note 000: epochs, batches and the three kinds of gradient descent
# ---------------------------------------------------------------------------------------

NOTE_000_DESCENT = [
    Claim(NOTE_000, 466, "epochs and batches (and line 464)",
          "1000 examples in batches of 200: 5 batches, 5 iterations for 1 epoch", WRITES, "batches",
          hand=lambda n: np.array([n.n // 200]), engine=lambda b: np.array([b.updates(200)]), judge=COUNT,
          reading="iterations per epoch = number of batches (line 464); against the updates nn.fit makes in one "
                  "epoch of 1000 examples", quote="we will have 5 batches"),
    Claim(NOTE_000, 480, "mini-batch GD", "|D^(b)| may not be exactly N/B when B does not divide N", READING,
          "batches", hand=lambda n: np.array([int(np.ceil(n.n / 300))]), engine=lambda b: np.array([b.updates(300)]),
          judge=COUNT, reading="the program's fit makes ⌈N/|D|⌉ batches, the last one smaller: 1000 = 3·300 + 100",
          quote="may not always be exactly"),
    Claim(NOTE_000, 486, "mini-batch GD",
          "Θ^(l) ← Θ^(l) - η/|D^(b)| Σ_(i=1)^(|D^(b)|) ∇_(Θ^(l)) C   (C per example)", WRITES, "figure5",
          hand=lambda n: n.descend(3, ETA, 6), engine=lambda f: f.fit_change(3, ETA, 6), judge=GRADIENT,
          reading=_update_reading("6 examples in batches of |D(b)| = 3 (2 updates)"),
          quote=r"\frac{\eta}{|\mathcal{D}^{(b)}|} \sum_{i=1}^{|\mathcal{D}^{(b)}|} \frac{\partial C}"),
    Claim(NOTE_000, 496, "stochastic GD", "Θ^(l) ← Θ^(l) - η ∇_(Θ^(l)) C   (B = N, |D^(b)| = 1)", WRITES, "figure5",
          hand=lambda n: n.descend(1, ETA, 6), engine=lambda f: f.fit_change(1, ETA, 6), judge=GRADIENT,
          reading=_update_reading("6 examples one at a time (6 updates)"),
          quote=r"\Theta^{(l)} &\leftarrow \Theta^{(l)} - \eta \nabla_{\Theta^{(l)}} C(\Theta)"),
    Claim(NOTE_000, 502, "stochastic GD", "one epoch consists of N iterations", WRITES, "batches",
          hand=lambda n: np.array([n.n]), engine=lambda b: np.array([b.updates(1)]), judge=COUNT,
          reading="N = 1000, batches of 1", quote="consist of  $N$  iterations"),
    Claim(NOTE_000, 511, "batch GD (lines 510-511)", "Θ^(l) ← Θ^(l) - η/N Σ_(i=1)^N ∇_(Θ^(l)) C", WRITES, "figure5",
          hand=lambda n: n.descend(6, ETA, 6), engine=lambda f: f.fit_change(6, ETA, 6), judge=GRADIENT,
          reading=_update_reading("all N = 6 examples as one batch (1 update)"),
          quote=r"\Theta^{(l)} \leftarrow \Theta^{(l)} - \frac{\eta}{N}"),
    Claim(NOTE_000, 515, "batch GD (and line 508)", "the weights are not updated until the epoch is complete",
          WRITES, "batches", hand=lambda n: np.array([1]), engine=lambda b: np.array([b.updates(None)]), judge=COUNT,
          reading="B = 1 (line 508): one update per epoch of N = 1000", quote="not updated until the epoch"),
]


# ---------------------------------------------------------------------------------------
# note 001: the linear-regression neuron, the scalar chain and the multivariate form
# ---------------------------------------------------------------------------------------

def _regression_residuals(n):
    return n.b + n.w * n.X[:, 0] - n.y


def _regression_gradient(n):
    """∂C/∂w = 2/n Σ (a - y) x, ∂C/∂b = 2/n Σ (a - y) for C = 1/n Σ (a - y)², a = b + w x."""
    r = _regression_residuals(n)
    return np.array([2 * np.mean(r * n.X[:, 0]), 2 * np.mean(r)])


def _delta_before_last(where, formula, reading, quote):
    """Note 001's two lines for δ^(L-1), both with σ' of layer L: evaluated as δ^(L) w^(L) σ'(z^(L))."""
    return Claim(NOTE_001, 60, where, formula, WRITES, "chain001",
                 hand=lambda c: c.delta_L() * c.w[c.L] * c.sigma_prime(c.L), engine=lambda c: c.dC_dz[c.L - 1],
                 judge=GRADIENT, reading=reading, corrected=formula.rsplit("σ'", 1)[0] + "σ'(z^(L-1))",
                 corrected_hand=lambda c: c.delta_L() * c.w[c.L] * c.sigma_prime(c.L - 1), quote=quote)


def _layers_down(c):
    return range(c.L - 1, 0, -1)


NOTE_001_FORMULAS = [
    Claim(NOTE_001, 17, "linear regression", "z = b + ω_1 x_(i,1),  σ = id  (line 21)", WRITES, "regression001",
          hand=lambda n: n.b + n.w * n.X[:, 0], engine=lambda r: r.outputs, judge=VALUE,
          reading="a = σ(z) = z on 12 points, against nn.MLP(1, [1]) with a linear output",
          quote=r"z = b + \omega_1 x_{i, 1}"),
    Claim(NOTE_001, 35, "assumptions (squared loss, line 27)", "C = 1/n Σ_x C_x,  C_x = (a - y)²", WRITES,
          "regression001", hand=lambda n: np.mean(_regression_residuals(n) ** 2), engine=lambda r: r.cost,
          judge=VALUE, reading="against demos.linear_regression.cost_of (one engine graph of the 12 points)",
          quote=r"C = \frac{1}{n}\sum_x C_x"),
    Claim(NOTE_001, 35, "assumptions", "∇C = 1/n Σ_x ∇C_x  (C an average of per-example costs)", IMPLIES,
          "regression001", hand=_regression_gradient, engine=lambda r: r.gradient, judge=GRADIENT,
          reading="hand: 1/n Σ of ∇C_x = (2(a - y)x, 2(a - y)); engine: the gradient of the averaged C",
          quote=r"C = \frac{1}{n}\sum_x C_x"),
    Claim(NOTE_001, 42, "gradient descent", "w^(l) → w^(l) - η ∂C/∂w^(l),  b^(l) → b^(l) - η ∂C/∂b^(l)", WRITES,
          "regression001", hand=lambda n: -n.eta * _regression_gradient(n), engine=lambda r: r.step, judge=GRADIENT,
          reading="η = 0.1: the change of (w, b) in one step, against one step of demos.linear_regression.train",
          quote=r"w^{(l)} &\rightarrow w^{(l)} - \eta"),
    listed(NOTE_001, 27, "linear regression", "'we can also find our coefficients using backpropagation'",
           "python -m demos.linear_regression: gradient descent with the engine's gradients reaches "
           "numpy.linalg.lstsq's OLS coefficients to 1e-6", quote="using backpropagation"),
    Claim(NOTE_001, 56, "∂C/∂w^(L)",
          "∂C/∂w^(L) = ∂C/∂a^(L) ∂a^(L)/∂z^(L) ∂z^(L)/∂w^(L),  ∂z^(L)/∂w^(L) = a^(L-1)", WRITES, "chain001",
          hand=lambda c: 2 * (c.a[c.L] - c.y) * c.sigma_prime(c.L) * c.a[c.L - 1],
          engine=lambda c: c.dC_dw[c.L], judge=GRADIENT,
          reading="∂C/∂a^(L) = 2(a^(L) - y) from C = (a^(L) - y)², ∂a^(L)/∂z^(L) = σ'(z^(L))",
          quote=r"=a^{(L-1)}"),
    Claim(NOTE_001, 60, "δ^(L), error output layer", "δ^(L) := ∂C/∂z^(L) = 2(a^(L) - y) σ'(z^(L))", WRITES,
          "chain001", hand=lambda c: c.delta_L(), engine=lambda c: c.dC_dz[c.L], judge=GRADIENT,
          quote=r"&=2(a^{(L)} - y) \sigma'(z^{(L)})"),
    _delta_before_last("δ^(L-1), first line", "δ^(L-1) = ∂C/∂z^(L-1) = ∂C/∂a^(L-1) σ'(z^(L))",
                       "∂C/∂a^(L-1) by hand as δ^(L) w^(L) (the next lines' underbraces)",
                       r"\frac{\partial C}{\partial a^{(L-1)}} \sigma'(z^{(L)})"),
    Claim(NOTE_001, 60, "δ^(L-1), underbrace", "∂z^(L)/∂a^(L-1) = w^(L)", WRITES, "chain001",
          hand=lambda c: c.w[c.L], engine=lambda c: c.dz_da_previous[c.L], judge=GRADIENT, quote="}_{w^{(L)}}"),
    _delta_before_last("δ^(L-1), error hidden layer", "δ^(L-1) = δ^(L) w^(L) σ'(z^(L))",
                       "δ^(L) by hand from the row above", r"&= \delta^{(L)} w^{(L)}\sigma'(z^{(L)})"),
    Claim(NOTE_001, 60, "δ^(l), l-th error hidden layer", "δ^(l) = ∂C/∂z^(l) = δ^(l+1) w^(l+1) σ'(z^(l))", WRITES,
          "chain001", hand=lambda c: np.array([c.deltas()[l] for l in _layers_down(c)]),
          engine=lambda c: np.array([c.dC_dz[l] for l in _layers_down(c)]), judge=GRADIENT,
          reading="applied recursively from the hand δ^(L), for l = L-1, ..., 1 (it contradicts the δ^(L-1) lines "
                  "above, and is the right one)", quote=r"\delta^{(l+1)} w^{(l+1)}\sigma'(z^{(l)})"),
    Claim(NOTE_001, 60, "∂C/∂w^(l)", "∂C/∂w^(l) = δ^(l) a^(l-1)", WRITES, "chain001",
          hand=lambda c: np.array([c.deltas()[l] * c.a[l - 1] for l in range(1, c.L + 1)]),
          engine=lambda c: np.array([c.dC_dw[l] for l in range(1, c.L + 1)]), judge=GRADIENT,
          reading="every layer, with the hand δ^(l) of the general recursion", quote=r"= \delta^{(l)}a^{(l-1)}"),
    Claim(NOTE_001, 60, "∂C/∂b^(l)", "∂C/∂b^(l) = ∂C/∂a^(l) ∂a^(l)/∂z^(l) ∂z^(l)/∂b^(l) = δ^(l) 1", WRITES,
          "chain001", hand=lambda c: np.array([c.deltas()[l] * 1 for l in range(1, c.L + 1)]),
          engine=lambda c: np.array([c.dC_db[l] for l in range(1, c.L + 1)]), judge=GRADIENT,
          quote=r"=\delta^{(l)}1"),
    Claim(NOTE_001, 64, "multivariate, δ^(L)", "δ^(L) = ∇_a C ⊙ σ'(z^(L))", WRITES, "multivariate001",
          hand=lambda m: m.delta[m.L], engine=lambda m: m.dC_dz[m.L], judge=GRADIENT,
          reading="∇_a C = 2(a^(L) - y) for C = ‖a^(L) - y‖² (the note's squared loss)",
          quote=r"\nabla_a C \odot \sigma'(z^{(L)})"),
    Claim(NOTE_001, 64, "multivariate, δ^(l)", "δ^(l) = ((w^(l+1))ᵀ δ^(l+1)) ⊙ σ'(z^(l))", WRITES, "multivariate001",
          hand=lambda m: np.concatenate([m.delta[l] for l in _layers_down(m)]),
          engine=lambda m: np.concatenate([m.dC_dz[l] for l in _layers_down(m)]), judge=GRADIENT,
          reading="w^(l+1) is the n_(l+1) × n_l matrix w_(j,k); recursion from the hand δ^(L)",
          quote=r"((w^{(l+1)})^T\delta^{(l+1)}) \odot"),
    Claim(NOTE_001, 64, "multivariate, ∂C/∂b", "∂C/∂b_j^(l) = δ_j^(l)", WRITES, "multivariate001",
          hand=lambda m: np.concatenate([m.delta[l] for l in range(1, m.L + 1)]),
          engine=lambda m: np.concatenate([m.dC_db[l] for l in range(1, m.L + 1)]), judge=GRADIENT,
          quote=r"{\partial b^{(l)}_j} &= \delta^{(l)}_j"),
    Claim(NOTE_001, 64, "multivariate, ∂C/∂w", "∂C/∂w_(j,k)^(l) = δ_j^(l) a_k^(l-1)", WRITES, "multivariate001",
          hand=lambda m: np.concatenate([np.outer(m.delta[l], m.a[l - 1]).ravel() for l in range(1, m.L + 1)]),
          engine=lambda m: np.concatenate([m.dC_dW[l].ravel() for l in range(1, m.L + 1)]), judge=GRADIENT,
          quote=r"&= \delta^{(l)}_ja^{(l-1)}_k"),
]


# ---------------------------------------------------------------------------------------
# note 002: perceptrons and sigmoid neurons
# ---------------------------------------------------------------------------------------

def _overlapping_cases(p):
    both = np.isclose(p.X @ p.w, p.t, rtol=0.0, atol=0.0)
    if both.any():
        raise Undefined(f"at w·x = t (input {int(np.argmax(both)) + 1}) both cases hold: P = 1 and P = 0")
    return (p.X @ p.w >= p.t).astype(float)


def _infinitely_large_change(p):
    raise Undefined("an infinitely large change is no number a change of P can be: P takes the values 0 and 1 "
                    "only, so it changes by at most 1 (the note's own 'from 0 to 1')")


def _sigmoid_neuron(p):
    return sigmoid(p.X @ p.w + p.b)


NOTE_002_PERCEPTRONS = [
    listed(NOTE_002, 15, "perceptrons", "'They take n inputs, x_0, x_1, x_2, ..., x_n'",
           "x_0 ... x_n are n + 1 inputs; read as 'the inputs x_0 ... x_n'", quote="They take $n$ inputs"),
    Claim(NOTE_002, 31, "perceptrons (line 20)", "P(x) = 1 if Σ_(i=0)^n w_a x_a ≥ t, 0 if < t", WRITES,
          "perceptron002", hand=lambda p: (p.X @ p.w >= p.t).astype(float), engine=lambda p: p.step_out,
          judge=VALUE, reading="the index i and the subscript a read as one index; t = -b; 7 inputs, one on "
                               "the threshold; engine: step(w·x + b) with the threshold 0",
          quote=r"\text{if } \sum_{i=0}^n w_a x_a \ge t"),
    Claim(NOTE_002, 41, "perceptrons (and the bias form, line 50)",
          "P(x) = 1 if w·x ≥ t, 0 if w·x ≤ t   (and 1 if w·x + b ≥ 0, 0 if w·x + b ≤ 0)", WRITES, "perceptron002",
          hand=_overlapping_cases, engine=lambda p: p.step_out, judge=VALUE,
          reading="the cases as written, on the same 7 inputs",
          corrected="P(x) = 1 if w·x ≥ t, 0 if w·x < t   (as on line 32)",
          corrected_hand=lambda p: (p.X @ p.w >= p.t).astype(float), quote=r"\text{if } \vec w \cdot \vec x \le t"),
    Claim(NOTE_002, 61, "perceptrons", "ΔP = Σ_(i=0)^n ∂P/∂w_i Δw_i + ∂P/∂b Δb", WRITES, "perceptron002",
          hand=lambda p: sigmoid_prime(p.X @ p.w + p.b) * (p.X @ p.delta[:3] + p.delta[3]),
          engine=lambda p: p.sigmoid_moved - p.sigmoid_out, judge=VALUE,
          reading="to first order, for the sigmoid neuron P = σ(w·x + b) of line 92 (for the step the ∂P are 0, "
                  "line 69): hand ∂P by σ' in numpy times a change Δ of size 1e-6; engine P(w + Δw, b + Δb) - P(w, b)",
          quote=r"\Delta P = \sum_{i=0}^n", atol=0.0, rtol=1e-4),
    Claim(NOTE_002, 69, "perceptrons", "away from the threshold -b the derivative of P is 0", WRITES,
          "perceptron002", hand=lambda p: np.zeros((len(p.X) - 1, 4)), engine=lambda p: p.dP[:-1], judge=GRADIENT,
          reading="∂P/∂(w_1, w_2, w_3, b) of the step perceptron at the 6 inputs off the threshold",
          quote="At every other point the derivative is 0"),
    Claim(NOTE_002, 69, "perceptrons",
          "'An infinitessimally small change in the weights at -b can cause an infinitely large change in the "
          "output (from 0 to 1)'", WRITES, "perceptron002", hand=_infinitely_large_change,
          engine=lambda p: p.weight_jumps, judge=VALUE,
          reading="the change of P when w_1 moves by 1e-6 and by 1e-9 at the input on the threshold, so that w·x "
                  "falls below it (engine: the step op before minus after)",
          corrected="the change is finite: 1 (from 0 to 1) for every such change of w; it is the rate ΔP/Δw = "
                    "1/Δw that grows without bound as Δw → 0",
          corrected_hand=lambda p: np.ones(len(WEIGHT_STEPS)), quote="infinitely large change in the output"),
    listed(NOTE_002, 69, "perceptrons", "'the function is not differentiable at the threshold point -b'",
           "true of the step; the engine's step op gives 0 there too, by its kink convention",
           quote="not differentiable at the threshold"),
    Claim(NOTE_002, 100, "sigmoid neurons (lines 92, 109)", "P(x) = σ(z),  z = w·x + b", WRITES, "perceptron002",
          hand=_sigmoid_neuron, engine=lambda p: p.sigmoid_out, judge=VALUE, quote=r"z = \vec w \cdot \vec x + b"),
    listed(NOTE_002, 85, "sigmoid neurons", "'Very large sums produce activations very close to 1, very small "
           "close to 0'", "σ(10) = 0.99995, σ(-10) = 4.5e-5 (the activation rows of note 000)",
           quote="Very large sums"),
    listed(NOTE_002, 122, "connecting neurons", "28 · 28 = 784 pixels, so the input layer has 784 neurons",
           "arithmetic: 28 · 28 = 784", quote=r"$28 \cdot 28 = 784$"),
    listed(NOTE_002, 124, "connecting neurons", "a_3 = [0.40, 0, 0, 0.80, 0, ...]: 40% confident of 0, 80% of 3",
           "logistic outputs are not a distribution: they need not sum to 1 (0.40 + 0.80 = 1.2)",
           quote="a_3 = [0.40,0,0,0.80,0,0,0,0,0,0]"),
]


# ---------------------------------------------------------------------------------------
# note 002: the cost, its representation, gradient descent, PD1-PD3, BP1-BP4
# ---------------------------------------------------------------------------------------

def _last(n):
    return n.L


def _hidden(n):
    return range(1, n.L)


def _bp2_as_written(n):
    """W^(l+1) (a^l(1 - a^l) ⊙ δ^(l+1)) for each hidden layer: needs n_l = n_(l+1)."""
    blocks = []
    for l in _hidden(n):
        W, inner = n.W[l + 1], n.a[l] * (1 - n.a[l])
        if inner.shape != n.delta[l + 1].shape or W.shape[1] != inner.shape[0]:
            raise Undefined(f"shapes do not match at l = {l}: W^(l+1) is {W.shape}, a^l has {inner.size} "
                            f"entries, δ^(l+1) has {n.delta[l + 1].size}")
        blocks.append(W @ (inner * n.delta[l + 1]))
    return np.concatenate(blocks)


def _input_layer_delta(n):
    raise Undefined("layer 0 is the input layer (line 122): it has no weighted sum z^0, so δ^0 = ∂C/∂z^0 "
                    "does not exist")


def _index_layout_002(n):
    """∂z_j^l/∂W^l_(j',k) = a_k^(l-1) if j' = j else 0, for every neuron j of every layer."""
    return np.concatenate([np.outer(np.eye(n.sizes[l])[j], n.a[l - 1]).ravel()
                           for l in range(1, n.L + 1) for j in range(n.sizes[l])])


def _first_order(n, steps, direction):
    return np.array([n.flat_gradient() @ (eta * direction) for eta in steps])


def _engine_change(example, steps, direction):
    c = example.cost.data
    return np.array([example.cost_at(example.flat_parameters() + eta * direction) - c for eta in steps])


def _unit(n, index):
    e = np.zeros(n.flat_gradient().size)
    e[index] = 1.0
    return e


def _hand_gradient_direction(example):
    """-∇C by hand (the engine side steps along the hand's direction, so that it can differ)."""
    return -example.numbers.flat_gradient()


def _smallest_extremum(n, with_ends=False):
    """The roots of f' by hand (numpy's polynomial roots), then the smallest of f there (and at the ends)."""
    stationary = np.sort(np.roots(np.polyder(n.coefficients)).real)
    candidates = np.concatenate([stationary, n.interval if with_ends else []])
    return np.concatenate([stationary, [np.polyval(n.coefficients, candidates).min()]])


NOTE_002_COST = [
    Claim(NOTE_002, 137, "training: the cost", "C(w, B) = 1/(2n) Σ_(j=1)^n ‖y(x_j) - a^L‖²", WRITES, "net002",
          hand=lambda n: np.mean(n.per_example_cost), engine=lambda e: e.average_cost(), judge=VALUE,
          reading="n = 6 examples, one engine graph", quote=r"C(\vec w,B) = \frac{1}{2n}\sum_{j=1}^n"),
    Claim(NOTE_002, 159, "representation of w and B",
          "the jth neuron in the lth layer has k weights, k the number of neurons of layer l - 1", WRITES, "net002",
          hand=lambda n: np.array([[n.sizes[l], n.sizes[l - 1]] for l in range(1, n.L + 1)]),
          engine=lambda e: np.array([W.shape for W, _ in e.model().weights()]), judge=SHAPE,
          reading="W^l is n_l × n_(l-1): 4-3-3-3 against nn.MLP(4, [3, 3, 3])'s matrices",
          quote="has $k$ weights associated with it"),
    Claim(NOTE_002, 159, "representation of w and B",
          "w_(j,k): the weight between neuron j in layer l and neuron k in layer l - 1", WRITES, "net002",
          hand=_index_layout_002, engine=lambda e: np.concatenate([e.dz_dW_all[l].ravel() for l in range(1, e.L + 1)]),
          judge=GRADIENT, reading="W^l[j, k] = w_(j,k); checked as ∂z_j^l/∂W^l_(j',k) = a_k^(l-1) for j' = j and 0 "
                                  "for j' ≠ j, every neuron",
          quote="represent the weight between the connection of the $jth$ neuron"),
    Claim(NOTE_002, 176, "representation of w and B (and lines 325-326)",
          "w = (W^0, W^1, W^2, ..., W^l)   (lines 325-326: C(W^0, W^1, ..., W^l, B) = C(w^0_(0,0), ..., w^l_(j,k), ...))",
          WRITES, "net002",
          hand=lambda n: np.array([n.L + 1]), engine=lambda e: np.array([len(e.model().weights())]), judge=COUNT,
          reading="the layers are l = 0 .. 3 (lines 122-126), so the list W^0 ... W^3 holds 4 matrices; W^l joins "
                  "layers l - 1 and l (line 159), and there is no layer -1",
          corrected="w = (W^1, ..., W^L)   (one matrix per layer after the input layer)",
          corrected_hand=lambda n: np.array([n.L]), quote=r"W^0 \\"),
    Claim(NOTE_002, 147, "representation of w and B (and line 326)",
          "B has the rows b^0, b^1, ..., b^l (line 151)   (line 326: C(..., b^0_0, b^0_1, ..., b^l_j))", WRITES,
          "net002", hand=lambda n: np.array([n.L + 1]), engine=lambda e: np.array([len(e.model().weights())]),
          judge=COUNT, reading="rows b^0 ... b^3 for the layers 0 .. 3: 4 bias vectors; the input layer has no "
                               "neurons with biases (and rows of different lengths make no matrix)",
          corrected="B = (b^1, ..., b^L)", corrected_hand=lambda n: np.array([n.L]),
          quote="we can represent it with a matrix of biases $B$"),
    Claim(NOTE_002, 198, "training: the quadratic cost",
          "10²/5² = 100/25 = 4 times more expensive; not squared, 10/5 = 2", WRITES, "magnitudes002",
          hand=lambda n: np.array([100.0, 25.0, 4.0, 2.0]), engine=lambda m: m.written, judge=VALUE,
          reading="the note's numbers 10² = 100, 5² = 25, 100/25 = 4 and 10/5 = 2, against the engine's squared "
                  "error ‖y - a‖² of answers off by (6, 8) and (3, 4) (magnitudes 10 and 5), their ratio, and the "
                  "ratio of the magnitudes (‖y - a‖²)^(1/2)",
          quote=r"\frac{10^2}{5^2} = \frac{100}{25} = 4"),
    listed(NOTE_002, 206, "training: the cost",
           "'C(w, B) is always positive and ... when the network gives the correct answer for every training "
           "example, C(w, B) is 0'",
           "'positive' read as non-negative: C ≥ 0 (a sum of squares), C = 0 exactly when a^L = y for every "
           "example; strictly positive, as written, contradicts the 0 of the same sentence",
           quote="is always positive"),
    Claim(NOTE_002, 226, "gradient descent: minimizing a function of one variable",
          "'find the point where the derivative is 0 to find the local extrema, and the smallest of these extrema "
          "is the global minimum'", WRITES, "extrema002", hand=_smallest_extremum, engine=lambda e: e.found,
          judge=VALUE,
          reading="f(x) = x³ - 3x: f' = 3x² - 3 = 0 at x = ±1 by hand, and the smaller extremum f(1) = -2 as the "
                  "global minimum; engine: where its f' changes sign on [-3, 3] (bisection), and the smallest of "
                  "its values of f on [-3, 3]: f(-3) = -18 (on ℝ, f → -∞: no global minimum). The sentence's "
                  "2- and 3-variable version has the same flaw",
          corrected="the minimum on [a, b] is the smallest of f at the stationary points and at the ends a and b "
                    "(on ℝ, compare with the limits at ±∞: x³ - 3x has no global minimum)",
          corrected_hand=lambda n: _smallest_extremum(n, with_ends=True),
          quote="the smallest of these extrema is the global minimum"),
    listed(NOTE_002, 228, "gradient descent", "'F(P_1) < F(P_0) and the difference F(P_0) - F(P_1) is maximized'",
           "for a small step: −∇F gives the largest first-order decrease among steps of the same length "
           "(G3 below checks the decrease)", quote="is maximized"),
    listed(NOTE_002, 239, "gradient descent", "the gradient ∇G points in the direction of steepest ascent",
           "∇G · v is largest for v along ∇G among unit v (the directional-derivative rows check ∇G · v)",
           quote="steepest *ascent*"),
    Claim(NOTE_002, 247, "G1", "ΔH ≈ dH/dx · Δx", WRITES, "net002",
          hand=lambda n: _first_order(n, FIRST_ORDER_STEPS, _unit(n, 0)),
          engine=lambda e: _engine_change(e, FIRST_ORDER_STEPS, _unit(e.numbers, 0)), judge=VALUE,
          reading="H = C as a function of the weight W^1_(1,1), Δx = 1e-5 and 1e-6: hand dH/dx by BP1-BP4 in "
                  "numpy times Δx; engine C(x + Δx) - C(x), two forward passes", quote=r"\Delta H \approx",
          **FIRST_ORDER),
    Claim(NOTE_002, 259, "G2", "ΔG ≈ ∇G · ηv", WRITES, "net002",
          hand=lambda n: _first_order(n, FIRST_ORDER_STEPS, n.direction),
          engine=lambda e: _engine_change(e, FIRST_ORDER_STEPS, e.numbers.direction), judge=VALUE,
          reading="G = C of all 39 weights and biases, v a random unit vector, η = 1e-5 and 1e-6",
          quote=r"\Delta G \approx \nabla G \cdot \eta\vec v", **FIRST_ORDER),
    Claim(NOTE_002, 269, "G3 (with line 273's ΔG < 0)", "ΔG ≈ ∇G · (-η∇G) = -η‖∇G‖²", WRITES,
          "net002", hand=lambda n: -np.array(FIRST_ORDER_STEPS) * np.sum(n.flat_gradient() ** 2),
          engine=lambda e: _engine_change(e, FIRST_ORDER_STEPS, _hand_gradient_direction(e)), judge=VALUE,
          reading="η = 1e-5 and 1e-6: engine = C after the step along the hand's -∇C (a new forward pass) minus C "
                  "before; negative, as line 273 says", quote=r"-\eta||\nabla G||^2", **FIRST_ORDER),
    Claim(NOTE_002, 279, "G4 (and lines 342, 350)", "P_(n+1) = P_n - η∇G;  w' = w - η ∂C/∂w,  B' = B - η ∂C/∂B",
          WRITES, "net002", hand=lambda n: np.concatenate([-eta * n.flat_gradient() for eta in (ETA, 3.0)]),
          engine=lambda e: np.concatenate([e.sgd_step(eta) for eta in (ETA, 3.0)]), judge=GRADIENT,
          reading="η = 0.5 and 3: the change of all 39 weights and biases, hand -η∇C by BP1-BP4 in numpy, "
                  "engine one nn.SGD step after backward",
          quote=r"&= P_n - \eta\nabla G"),
    Claim(NOTE_002, 294, "directional derivative (optional section)", "∇_v G = ∇G · v", WRITES, "net002",
          hand=lambda n: np.array([n.flat_gradient() @ n.direction, n.flat_gradient() @ _unit(n, 0)]),
          engine=lambda e: np.array([e.directional_derivative(e.numbers.direction),
                                     e.directional_derivative(_unit(e.numbers, 0))]), judge=GRADIENT,
          reading="the definition, for a random unit v and for v = the first weight's axis; engine: d/dt C(θ + t v) "
                  "at t = 0, with t an input of the graph", quote=r"\nabla_{\vec v} G = \nabla G \cdot \vec v"),
    Claim(NOTE_002, 302, "directional derivative along -∇G (lines 301-302)", "∇_(-∇G) G = ∇G · -∇G = -η‖∇G‖²",
          WRITES, "net002", hand=lambda n: -np.array(STRAY_ETAS) * np.sum(n.flat_gradient() ** 2),
          engine=lambda e: np.full(len(STRAY_ETAS), e.directional_derivative(_hand_gradient_direction(e))),
          judge=GRADIENT,
          reading="tests the second equality: the directional derivative along -∇G (engine: d/dt C(θ - t∇C) at "
                  "t = 0) does not depend on η, and -η‖∇G‖² equals it only at η = 1; evaluated at η = 0.1, 0.5 "
                  "and 3, it disagrees at each",
          corrected="∇_(-∇G) G = ∇G · -∇G = -‖∇G‖²   (η enters only in ΔG ≈ η ∇_(-∇G) G, line 310)",
          corrected_hand=lambda n: np.full(len(STRAY_ETAS), -np.sum(n.flat_gradient() ** 2)),
          quote=r"&= -\eta||\nabla G||^2"),
    Claim(NOTE_002, 310, "directional derivative (optional section)", "ΔG ≈ ∇_(-∇G) G · η = -η‖∇G‖²", WRITES,
          "net002", hand=lambda n: np.array(FIRST_ORDER_STEPS) * -np.sum(n.flat_gradient() ** 2),
          engine=lambda e: _engine_change(e, FIRST_ORDER_STEPS, _hand_gradient_direction(e)), judge=VALUE,
          reading="the directional derivative along -∇G by hand (∇G · -∇G, ∇G by BP1-BP4 in numpy) times η = 1e-5 "
                  "and 1e-6, against C after the step along -∇C minus C before (two forward passes)",
          quote=r"\nabla_{-\nabla G} G \cdot \eta", **FIRST_ORDER),
    Claim(NOTE_002, 321, "minimizing the cost", "n = the number of weights in all the matrices of w plus the "
          "number of biases in B", WRITES, "net002",
          hand=lambda n: np.array([sum(n.sizes[l] * n.sizes[l - 1] + n.sizes[l] for l in range(1, n.L + 1))]),
          engine=lambda e: np.array([len(e.model().parameters())]), judge=COUNT,
          reading="4-3-3-3: 12 + 9 + 9 weights and 9 biases, against len(nn.MLP(4, [3, 3, 3]).parameters())",
          quote="plus the number of biases"),
]


NOTE_002_BACKPROP = [
    Claim(NOTE_002, 379, "the proxy variable δ^L", "δ^L 'should be ∂a^L/∂z^L ∂C/∂a^L'", WRITES, "net002",
          hand=lambda n: n.a[n.L] * (1 - n.a[n.L]) * (n.a[n.L] - n.y), engine=lambda e: e.dC_dz[e.L],
          judge=GRADIENT, reading="its factors by hand: ∂a^L/∂z^L = a^L(1 - a^L), ∂C/∂a^L = a^L - y (the gradient "
                                  "of C_x), elementwise", quote="should be $\\frac{\\partial a^L}{\\partial z^L}"),
    Claim(NOTE_002, 401, "BP2 (and line 392)", "δ^l = ∂a^l/∂z^l ∂z^(l+1)/∂a^l δ^(l+1)", WRITES, "net002",
          hand=lambda n: np.concatenate([n.sigma_prime(l) * (n.W[l + 1].T @ n.delta[l + 1]) for l in _hidden(n)]),
          engine=lambda e: np.concatenate([e.dC_dz[l] for l in _hidden(e)]), judge=GRADIENT,
          reading="∂a^l/∂z^l = diag(σ'(z^l)); ∂z^(l+1)/∂a^l in denominator layout, the n_l × n_(l+1) matrix "
                  "(W^(l+1))ᵀ (the only order in which the product is defined); δ^(l+1) by hand from BP1; hidden "
                  "layers l = 1, 2", quote=r"\delta^l = \frac{\partial a^l}{\partial z^l}\frac{\partial z^{l+1}}"),
    Claim(NOTE_002, 408, "backpropagation", "δ^l → δ^(l-1) → ... → δ^1 → δ^0", WRITES, "net002",
          hand=_input_layer_delta, engine=lambda e: e.dC_dx, judge=GRADIENT,
          reading="the last step, δ^0 of the input layer, against what the engine has for layer 0: ∂C/∂x",
          corrected="the recursion ends at δ^1; the inputs get ∂C/∂a^0 = (W^1)ᵀ δ^1",
          corrected_hand=lambda n: n.dC_da[0], quote=r"\delta^1 \to \delta^0"),
    Claim(NOTE_002, 421, "cost of one example", "∇C = 1/n Σ_x ∇C_x  ('sum ∇C_x and divide by n')", WRITES, "net002",
          hand=lambda n: sum(n.per_example) / n.n, engine=lambda e: e.gradient_of(range(e.n), 1.0 / e.n),
          judge=GRADIENT, reading="n = 6: per-example gradients by BP1-BP4 in numpy, averaged, against the engine's "
                                  "gradient of C (one graph); all 39 weights and biases",
          quote="we can just sum $\\nabla C_x$ and divide by $n$"),
    Claim(NOTE_002, 424, "cost of one example", "C_x(w, B) = 1/2 ‖y(x_j) - a^l‖²", WRITES, "net002",
          hand=lambda n: n.cost, engine=lambda e: e.cost.data, judge=VALUE, reading="a^l read as a^L",
          quote=r"C_x(\vec w,B) = \frac{1}{2}"),
    Claim(NOTE_002, 430, "chain rule for ∂C/∂W^l", "∂C/∂W^l = ∂C/∂a^l ∂a^l/∂z^l ∂z^l/∂W^l", WRITES, "net002",
          hand=lambda n: np.outer((n.a[n.L] - n.y) * n.a[n.L] * (1 - n.a[n.L]), n.a[n.L - 1]),
          engine=lambda e: e.dC_dW[e.L], judge=GRADIENT,
          reading="for the last layer (as the note's headings say), entry (j, k): its factors by hand, ∂C/∂a_j = "
                  "a_j - y_j, ∂a_j/∂z_j = a_j(1 - a_j), ∂z_j/∂W_(j,k) = a_k^(L-1)",
          quote=r"\frac{\partial C}{\partial W^l} = \frac{\partial C}{\partial a^l}\frac{\partial a^l}"),
    Claim(NOTE_002, 451, "PD1", "∂C/∂a^l = ‖y(x_j) - a^l‖", WRITES, "net002",
          hand=lambda n: np.full(n.sizes[-1], np.linalg.norm(n.y - n.a[n.L])), engine=lambda e: e.dC_da[e.L],
          judge=GRADIENT, reading="l read as the last layer L; the scalar ‖y - a^L‖ compared with every component "
                                  "of the gradient vector ∂C/∂a^L",
          corrected="∂C/∂a^L = a^L - y(x_j)   (a vector; the gradient of 1/2 ‖y - a‖²)",
          corrected_hand=lambda n: n.a[n.L] - n.y, quote=r"= ||y(\vec x_j)-a^l||"),
    Claim(NOTE_002, 475, "σ' by the quotient rule (and line 482)", "σ'(x) = -e^(-x) / (1 + e^(-x))²", WRITES,
          "net002", hand=lambda n: -np.exp(-n.z[n.L]) / (1 + np.exp(-n.z[n.L])) ** 2, engine=lambda e: e.da_dz[e.L],
          judge=GRADIENT, reading="at x = z^L (3 values); engine = ∂a^L_j/∂z^L_j",
          corrected="σ'(x) = e^(-x) / (1 + e^(-x))²   (d/dx (1 + e^(-x))^(-1) = +e^(-x) (1 + e^(-x))^(-2))",
          corrected_hand=lambda n: np.exp(-n.z[n.L]) / (1 + np.exp(-n.z[n.L])) ** 2,
          quote=r"\sigma'(x) = - \frac{e^{-x}}{(1+e^{-x})^2}"),
    Claim(NOTE_002, 483, "σ', second line", "σ'(x) = (1 + e^(-x))/(1 + e^(-x))² - 1/(1 + e^(-x))²", WRITES, "net002",
          hand=lambda n: ((1 + np.exp(-n.z[n.L])) - 1) / (1 + np.exp(-n.z[n.L])) ** 2, engine=lambda e: e.da_dz[e.L],
          judge=GRADIENT, reading="at x = z^L; this line equals +e^(-x)/(1 + e^(-x))², so it contradicts the line "
                                  "above", quote=r"&= \frac{1+e^{-x}}{(1+e^{-x})^2}"),
    Claim(NOTE_002, 484, "σ', third line", "σ'(x) = 1/(1 + e^(-x)) - 1/(1 + e^(-x))²", WRITES, "net002",
          hand=lambda n: 1 / (1 + np.exp(-n.z[n.L])) - 1 / (1 + np.exp(-n.z[n.L])) ** 2,
          engine=lambda e: e.da_dz[e.L], judge=GRADIENT, quote=r"&= \frac{1}{1+e^{-x}} - \frac{1}{(1+e^{-x})^2}"),
    Claim(NOTE_002, 485, "σ', last line", "σ'(x) = σ(x)(1 - σ(x))", WRITES, "net002",
          hand=lambda n: sigmoid(n.z[n.L]) * (1 - sigmoid(n.z[n.L])), engine=lambda e: e.da_dz[e.L], judge=GRADIENT,
          quote=r"&= \sigma(x)(1-\sigma(x))"),
    Claim(NOTE_002, 495, "PD2", "∂a^l/∂z^l = a^l(1 - a^l)", WRITES, "net002",
          hand=lambda n: np.concatenate([n.a[l] * (1 - n.a[l]) for l in range(1, n.L + 1)]),
          engine=lambda e: np.concatenate([e.da_dz[l] for l in range(1, e.L + 1)]), judge=GRADIENT,
          reading="elementwise (the Jacobian is diagonal), for every layer", quote=r"= a^l(1-a^l)"),
    Claim(NOTE_002, 504, "PD3 (and line 586)", "z^l_j = W^l_j · a^(l-1) + B^l_j", WRITES, "net002",
          hand=lambda n: np.concatenate([n.W[l] @ n.a[l - 1] + n.b[l] for l in range(1, n.L + 1)]),
          engine=lambda e: np.concatenate([e.z[l] for l in range(1, e.L + 1)]), judge=VALUE,
          reading="a value: W^l_j the jth row of W^l, all 9 neurons", quote=r"z^l_{j} = W^l_j \cdot a^{l-1} + B^l_j"),
    Claim(NOTE_002, 513, "PD3", "∂z^l/∂W^l = a^(l-1)", WRITES, "net002",
          hand=lambda n: np.concatenate([np.outer(np.ones(n.sizes[l]), n.a[l - 1]).ravel() for l in range(1, n.L + 1)]),
          engine=lambda e: np.concatenate([e.dz_dW[l].ravel() for l in range(1, e.L + 1)]), judge=GRADIENT,
          reading="∂z^l_j/∂W^l_(j,k) = a^(l-1)_k (the nonzero entries; the row of index claims above checks the "
                  "zeros), every layer", quote=r"\frac{\partial z^l}{\partial W^l} = a^{l-1}"),
    Claim(NOTE_002, 523, "PD1·PD2·PD3 put together", "∂C/∂W^l = (y(x_j) - a^l) · a^l(1 - a^l) · a^(l-1)", WRITES,
          "net002", hand=lambda n: np.outer((n.y - n.a[n.L]) * n.a[n.L] * (1 - n.a[n.L]), n.a[n.L - 1]),
          engine=lambda e: e.dC_dW[e.L], judge=GRADIENT,
          reading="l = L; the first · elementwise, the second the outer product with a^(L-1)",
          corrected="∂C/∂W^L = ((a^L - y(x_j)) ⊙ a^L(1 - a^L)) (a^(L-1))ᵀ",
          corrected_hand=lambda n: np.outer((n.a[n.L] - n.y) * n.a[n.L] * (1 - n.a[n.L]), n.a[n.L - 1]),
          quote=r"= (y(\vec x_j)-a^l) \cdot a^l(1-a^l) \cdot a^{l-1}"),
    Claim(NOTE_002, 533, "BP1' (and the summary, line 612)", "δ^L = (y(x_j) - a^L)(a^L(1 - a^L)", WRITES, "net002",
          hand=lambda n: (n.y - n.a[n.L]) * (n.a[n.L] * (1 - n.a[n.L])), engine=lambda e: e.dC_dz[e.L],
          judge=GRADIENT, reading="the unbalanced parenthesis closed at the end; the product elementwise",
          corrected="δ^L = (a^L - y(x_j)) ⊙ a^L(1 - a^L)",
          corrected_hand=lambda n: (n.a[n.L] - n.y) * n.a[n.L] * (1 - n.a[n.L]), quote=r"&= (y(\vec x_j)-a^L)(a^L(1-a^L)"),
    Claim(NOTE_002, 546, "BP2' (and the summary, line 618)",
          "δ^l = W^(l+1)(a^l(1 - a^l)δ^(l+1)   (summary: δ^l = W^(l+1)a^l(1 - a^l)δ^(l+1))", WRITES, "net002",
          hand=_bp2_as_written, engine=lambda e: np.concatenate([e.dC_dz[l] for l in _hidden(e)]), judge=GRADIENT,
          reading="W^(l+1) (a^l(1 - a^l) ⊙ δ^(l+1)): the matrix times the elementwise product, as written; defined "
                  "here only because the hidden and output layers have 3 neurons each (in general δ^(l+1) and a^l "
                  "differ in length); δ^(l+1) by hand from the corrected BP1, so that only BP2' is tested",
          corrected="δ^l = ((W^(l+1))ᵀ δ^(l+1)) ⊙ a^l(1 - a^l)",
          corrected_hand=lambda n: np.concatenate([(n.W[l + 1].T @ n.delta[l + 1]) * n.a[l] * (1 - n.a[l])
                                                   for l in _hidden(n)]),
          quote=r"&= W^{l+1}(a^l(1-a^l)\delta^{l+1}"),
    Claim(NOTE_002, 560, "BP3 (and line 625)", "∂C/∂W^l = δ^l a^(l-1)", WRITES, "net002",
          hand=lambda n: np.concatenate([np.outer(n.delta[l], n.a[l - 1]).ravel() for l in range(1, n.L + 1)]),
          engine=lambda e: np.concatenate([e.dC_dW[l].ravel() for l in range(1, e.L + 1)]), judge=GRADIENT,
          reading="the outer product δ^l (a^(l-1))ᵀ, every layer, δ^l by BP1-BP2 in numpy", quote=r"= \delta^l a^{l-1}"),
    Claim(NOTE_002, 592, "∂z/∂b", "∂z^l/∂b^l = 1", WRITES, "net002", hand=lambda n: np.ones(sum(n.sizes[1:])),
          engine=lambda e: np.concatenate([e.dz_db[l] for l in range(1, e.L + 1)]), judge=GRADIENT,
          reading="∂z^l_j/∂b^l_j, every neuron", quote=r"\frac{\partial z^l}{\partial b^l} = 1"),
    Claim(NOTE_002, 603, "BP4 (and lines 575, 631)", "∂C/∂b^l = δ^l  (= δ^l ∂z^l/∂b^l)", WRITES, "net002",
          hand=lambda n: np.concatenate([n.delta[l] * 1.0 for l in range(1, n.L + 1)]),
          engine=lambda e: np.concatenate([e.dC_db[l] for l in range(1, e.L + 1)]), judge=GRADIENT,
          reading="every layer, δ^l by BP1-BP2 in numpy", quote=r"\frac{\partial C}{\partial b^l} = \delta^l"),
    listed(NOTE_002, 638, "stochastic gradient descent", "a random mini-batch of m examples approximates the "
           "average cost gradient", "an estimate, not an identity: its mean over all mini-batches is ∇C",
           quote="approximate the average cost gradient"),
    Claim(NOTE_002, 649, "stochastic gradient descent",
          "C = 1/(2m) Σ_(j=1)^n ‖y(x_j) - a^l‖²  ('effectively the same', gradients unchanged)", WRITES, "net002",
          hand=lambda n: sum(n.per_example) / n.m, engine=lambda e: e.gradient_of(e.batch, 1.0 / e.m),
          judge=GRADIENT,
          reading="its gradient, 1/m Σ_(j=1)^n ∇C_(x_j) over all n = 6 examples (by hand), against the engine's "
                  "gradient of the mini-batch cost over the m = 2 examples of a random mini-batch",
          corrected="C = 1/(2m) Σ_(x_j in the mini-batch) ‖y(x_j) - a^L‖²   (m terms, not n)",
          corrected_hand=lambda n: sum(n.per_example[i] for i in n.batch) / n.m,
          quote=r"C(\vec w,B) = \frac{1}{2m}\sum_{j=1}^n"),
]


FORMULAS = (NOTE_000_ACTIVATIONS + NOTE_000_NOTATION + NOTE_000_ERRORS + NOTE_000_BACKPROP + NOTE_000_DESCENT
            + NOTE_001_FORMULAS + NOTE_002_PERCEPTRONS + NOTE_002_COST + NOTE_002_BACKPROP)
