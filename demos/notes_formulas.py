"""Every hand-derived gradient formula of the three notes, EXACTLY AS WRITTEN, as data.

One `Formula` per claim: where the note makes it, its text, a function computing its hand
value on a concrete example (`demos.notes_examples`), a function reading the engine's value
of the same quantity, and, where the note is wrong, the corrected formula and its hand value.
`reading` says how a formula was read when the text admits more than one reading (a missing
transpose, an unbalanced parenthesis, a derivative that is not defined as written).

Hand functions use numpy and the forward values only, except where `reading` says a factor
is taken from the engine: those rows check one step of the chain rule in isolation.
The evaluation and printing are in `demos.notes_check`.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .notes_examples import NOTE_000, NOTE_001, NOTE_002


class Undefined(ValueError):
    """A formula that cannot be evaluated as written (e.g. its shapes do not match)."""


@dataclass(frozen=True)
class Formula:
    note: str
    where: str
    formula: str
    example: str                       # key of demos.notes_examples.EXAMPLES
    hand: Callable                     # example -> float or array
    engine: Callable                   # example -> float or array (the engine's value)
    reading: str = ""
    corrected: str = ""
    corrected_hand: Callable | None = None
    atol: float = 1e-10                # agree when |hand - engine| <= atol + rtol |engine|
    rtol: float = 1e-8


def sp(z):
    """σ'(z) = σ(z)(1 - σ(z)) for the logistic σ."""
    s = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))
    return s * (1.0 - s)


def sig(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


FIRST_ORDER_ETA = 1e-5   # small step for the "the update lowers C by about η‖∇C‖²" rows
FIRST_ORDER = dict(atol=0.0, rtol=1e-3)  # a first-order claim agrees only to O(η)
LEARNING_RATE = 0.5      # η in the update-rule rows (any value: the rules are linear in η)


# ---------------------------------------------------------------------------------------
# note 000: the Figure 5 example (layers numbered as in the note: input 1, output 4)
# ---------------------------------------------------------------------------------------

def _corrected_dC_dz(f):
    """Steps 2-4 done right, pure numpy: ∂C/∂z for layers 4, 3, 2 (as a dict)."""
    dz = {4: sp(f.z[4]) * (sig(f.z[4]) - f.y)}
    for l in (3, 2):
        dz[l] = sp(f.z[l]) * (f.theta[l][:, 1:].T @ dz[l + 1])
    return dz


def _update(f, gradient, eta=LEARNING_RATE):
    return f.theta_flat() - eta * gradient


NOTE_000_FORMULAS = [
    Formula(NOTE_000, "step 1", "∂C/∂ŷ^(i) = y^(i) - ŷ^(i)", "figure5",
            hand=lambda f: f.y[0] - f.yhat,
            engine=lambda f: f.dC_da[4][0],
            corrected="∂C/∂ŷ^(i) = ŷ^(i) - y^(i)   (d/dŷ of 1/2 (y - ŷ)² is -(y - ŷ))",
            corrected_hand=lambda f: f.yhat - f.y[0]),
    Formula(NOTE_000, "step 2", "∂C/∂z_1^(4) = ∂C/∂a_1^(4) · ∂a_1^(4)/∂z_1^(4)", "figure5",
            hand=lambda f: f.dC_da[4][0] * f.da_dz[4][0],
            engine=lambda f: f.dC_dz[4][0],
            reading="the chain rule itself: both factors are the engine's"),
    Formula(NOTE_000, "step 2", "∂a_1^(4)/∂z_1^(4) = σ(z_1^(4)) (1 - σ(z_1^(4)))", "figure5",
            hand=lambda f: sig(f.z[4][0]) * (1 - sig(f.z[4][0])),
            engine=lambda f: f.da_dz[4][0]),
    Formula(NOTE_000, "step 2", "∂C/∂z_1^(4) = σ'(z_1^(4)) (y^(i) - σ(z_1^(4)))", "figure5",
            hand=lambda f: sp(f.z[4][0]) * (f.y[0] - sig(f.z[4][0])),
            engine=lambda f: f.dC_dz[4][0],
            corrected="∂C/∂z_1^(4) = σ'(z_1^(4)) (σ(z_1^(4)) - y^(i))",
            corrected_hand=lambda f: sp(f.z[4][0]) * (sig(f.z[4][0]) - f.y[0])),
    Formula(NOTE_000, "step 3", "∂C/∂θ_(j,k)^(l-1) = ∂C/∂z_k^(l) · ∂z_k^(l)/∂θ_(j,k)^(l-1)", "figure5",
            hand=lambda f: f.flat({l: f.dC_dz[l + 1][:, None] * f.dz_dtheta[l] for l in (1, 2, 3)}),
            engine=lambda f: f.flat(f.dC_dtheta),
            reading="the chain rule itself, for all 23 entries of Θ^(1), Θ^(2), Θ^(3); both factors "
                    "are the engine's"),
    Formula(NOTE_000, "step 3", "z_k^(l) = σ(θ_(:,k)^(l-1)ᵀ a^(l-1))", "figure5",
            hand=lambda f: np.concatenate([sig(f.theta[l - 1] @ f.a_with_bias(l - 1)) for l in (2, 3, 4)]),
            engine=lambda f: np.concatenate([f.z[l] for l in (2, 3, 4)]),
            reading="a value, not a gradient: the hand z against the z node of the engine's graph, "
                    "for all 6 neurons (the note defines z without σ under 'Additional derivatives')",
            corrected="z_k^(l) = θ_(:,k)^(l-1)ᵀ a^(l-1)   (a_k^(l) = σ(z_k^(l)))",
            corrected_hand=lambda f: np.concatenate([f.theta[l - 1] @ f.a_with_bias(l - 1) for l in (2, 3, 4)])),
    Formula(NOTE_000, "step 3", "∂z_k^(l)/∂θ_(j,k)^(l-1) = σ'(z_k^(l)) a_j^(l-1)", "figure5",
            hand=lambda f: f.flat({l: np.outer(sp(f.z[l + 1]), f.a_with_bias(l)) for l in (1, 2, 3)}),
            engine=lambda f: f.flat(f.dz_dtheta),
            reading="for all 23 weights, j = 0 being the bias unit a_0 = 1",
            corrected="∂z_k^(l)/∂θ_(j,k)^(l-1) = a_j^(l-1)   (z is the weighted sum, before σ)",
            corrected_hand=lambda f: f.flat({l: np.outer(np.ones(f.sizes[l + 1]), f.a_with_bias(l))
                                             for l in (1, 2, 3)})),
    Formula(NOTE_000, "step 3",
            "∂C/∂θ_(1,1)^(3) = σ'(z_1^(4))² (y^(i) - σ(z_1^(4))) a_1^(3)", "figure5",
            hand=lambda f: sp(f.z[4][0]) ** 2 * (f.y[0] - sig(f.z[4][0])) * f.a[3][0],
            engine=lambda f: f.dC_dtheta[3][0, 1],
            corrected="∂C/∂θ_(1,1)^(3) = σ'(z_1^(4)) (σ(z_1^(4)) - y^(i)) a_1^(3)",
            corrected_hand=lambda f: sp(f.z[4][0]) * (sig(f.z[4][0]) - f.y[0]) * f.a[3][0]),
    Formula(NOTE_000, "step 3",
            "'the same procedure' for all of Θ^(3): σ'(z_1^(4))² (y^(i) - σ(z_1^(4))) a_j^(3)", "figure5",
            hand=lambda f: sp(f.z[4][0]) ** 2 * (f.y[0] - sig(f.z[4][0])) * f.a_with_bias(3),
            engine=lambda f: f.dC_dtheta[3][0],
            reading="the θ_(1,1)^(3) expression with a_j^(3) for j = 0..3 (a_0^(3) = 1)",
            corrected="∂C/∂θ_(j,1)^(3) = σ'(z_1^(4)) (σ(z_1^(4)) - y^(i)) a_j^(3)",
            corrected_hand=lambda f: sp(f.z[4][0]) * (sig(f.z[4][0]) - f.y[0]) * f.a_with_bias(3)),
    Formula(NOTE_000, "step 4", "∂C/∂z_j^(3) = ∂C/∂a_j^(3) σ'(z_j^(3))", "figure5",
            hand=lambda f: f.dC_da[3] * sp(f.z[3]),
            engine=lambda f: f.dC_dz[3],
            reading="∂C/∂a_j^(3) is the engine's (the note has no value for it yet); j = 1..3"),
    Formula(NOTE_000, "step 4",
            "∂C/∂a_j^(3) = ∂C/∂z_1^(4) Σ_(k=1)^(N_4) ∂z_1^(4)/∂θ_(j,k)^(3) · ∂θ_(j,k)^(3)/∂a_j^(3)", "figure5",
            hand=lambda f: f.dC_dz[4][0] * np.zeros(3),
            engine=lambda f: f.dC_da[3],
            reading="literally: θ_(j,k)^(3) is a parameter, not a function of a_j^(3), so "
                    "∂θ_(j,k)^(3)/∂a_j^(3) = 0 and every term vanishes",
            corrected="∂C/∂a_j^(3) = Σ_(k=1)^(N_4) ∂C/∂z_k^(4) θ_(j,k)^(3)",
            corrected_hand=lambda f: f.theta[3][:, 1:].T @ f.dC_dz[4]),
    Formula(NOTE_000, "step 4",
            "∂C/∂a_j^(3) = ∂C/∂z_1^(4) Σ_(k=1)^(N_4) ∂z_1^(4)/∂θ_(j,k)^(3) · ∂θ_(j,k)^(3)/∂a_j^(3)", "figure5",
            hand=lambda f: f.dC_dz[4][0] * f.sizes[4] * f.theta[3][0, 1:],
            engine=lambda f: f.dC_da[3],
            reading="as intended: ∂z/∂θ · ∂θ/∂a 'cancels' to ∂z_1^(4)/∂a_j^(3) = θ_(j,1)^(3) in each of "
                    "the N_4 terms; right on Figure 5 only because N_4 = 1 (see the next row)"),
    Formula(NOTE_000, "step 4 (N_4 = 2)",
            "∂C/∂a_j^(3) = ∂C/∂z_1^(4) Σ_(k=1)^(N_4) ∂z_1^(4)/∂θ_(j,k)^(3) · ∂θ_(j,k)^(3)/∂a_j^(3)",
            "figure5_two_outputs",
            hand=lambda f: f.dC_dz[4][0] * f.sizes[4] * f.theta[3][0, 1:],
            engine=lambda f: f.dC_da[3],
            reading="the 'as intended' reading on Figure 5 with two output neurons: the sum repeats "
                    "z_1^(4) and never sees z_2^(4)",
            corrected="∂C/∂a_j^(3) = Σ_(k=1)^(N_4) ∂C/∂z_k^(4) θ_(j,k)^(3)",
            corrected_hand=lambda f: f.theta[3][:, 1:].T @ f.dC_dz[4]),
    Formula(NOTE_000, "training 3.1", "z_j^(l) = θ_(:,j)^(l-1) a^(l-1)", "figure5",
            hand=lambda f: np.concatenate([f.theta[l - 1] @ f.a_with_bias(l - 1) for l in (2, 3, 4)]),
            engine=lambda f: np.concatenate([f.z[l] for l in (2, 3, 4)]),
            reading="a value: θ_(:,j) a read as the dot product θ_(:,j)ᵀ a (the ᵀ is missing), "
                    "a^(l-1) with its bias unit"),
    Formula(NOTE_000, "training 3.1", "a_j^(l) = σ^(l)(z_j^(l))", "figure5",
            hand=lambda f: np.concatenate([sig(f.z[l]) for l in (2, 3, 4)]),
            engine=lambda f: np.concatenate([f.a[l] for l in (2, 3, 4)]),
            reading="a value: σ of the engine's z against the engine's a nodes"),
    Formula(NOTE_000, "training 3.2-3.3", "∂C/∂z_k^(l) for l = L+1, L, ..., 2 ('the error')", "figure5",
            hand=lambda f: np.concatenate([_corrected_dC_dz(f)[l] for l in (4, 3, 2)]),
            engine=lambda f: np.concatenate([f.dC_dz[l] for l in (4, 3, 2)]),
            reading="named without a formula ('n_k^(N+1)' read as n_k^(L+1)); computed by steps 2-4 "
                    "in their corrected form: ∂C/∂z^(4) = σ'(z^(4))(σ(z^(4)) - y), "
                    "∂C/∂z_j^(l) = σ'(z_j^(l)) Σ_k θ_(j,k)^(l) ∂C/∂z_k^(l+1)"),
    Formula(NOTE_000, "training 3.2-3.3", "∂C/∂θ_(j,k)^(l-1) for every weight", "figure5",
            hand=lambda f: f.flat({l: np.outer(_corrected_dC_dz(f)[l + 1], f.a_with_bias(l)) for l in (1, 2, 3)}),
            engine=lambda f: f.flat(f.dC_dtheta),
            reading="∂C/∂θ_(j,k)^(l-1) = a_j^(l-1) ∂C/∂z_k^(l) (corrected step 3) with the errors of "
                    "the row above"),
    Formula(NOTE_000, "error derivatives / training 3.4", "θ_(j,k)^(l) ← θ_(j,k)^(l) - η ∂C/∂θ_(j,k)^(l)",
            "figure5",
            hand=lambda f: -FIRST_ORDER_ETA * np.sum(f.flat(f.dC_dtheta) ** 2),
            engine=lambda f: f.cost_at(_update(f, f.flat(f.dC_dtheta), FIRST_ORDER_ETA)) - f.cost.data,
            reading=f"what the rule promises: one step with η = {FIRST_ORDER_ETA:g} changes C by "
                    "-η Σ (∂C/∂θ)² to first order; engine = C after the step (a new forward pass) "
                    "minus C before; agreement to 0.1%",
            **FIRST_ORDER),
    Formula(NOTE_000, "mini-batch GD",
            "Θ^(l) ← Θ^(l) - η/|D^(b)| Σ_(i=1)^(|D^(b)|) ∇_(Θ^(l)) C   (C per example)", "figure5",
            hand=lambda f: _update(f, sum(f.per_example_gradient(i) for i in (0, 1, 2)) / 3),
            engine=lambda f: _update(f, f.averaged_gradient([0, 1, 2])),
            reading=f"a batch of 3 examples, η = {LEARNING_RATE}: per-example gradients (one graph "
                    "each) averaged by hand, against the engine's gradient of the batch-mean cost "
                    "built as one graph; the values are the updated 23 weights"),
    Formula(NOTE_000, "stochastic GD", "Θ^(l) ← Θ^(l) - η ∇_(Θ^(l)) C   (|D^(b)| = 1)", "figure5",
            hand=lambda f: _update(f, f.per_example_gradient(4)),
            engine=lambda f: _update(f, f.averaged_gradient([4])),
            reading="one example: the per-example gradient against a batch of one"),
    Formula(NOTE_000, "batch GD", "Θ^(l) ← Θ^(l) - η/N Σ_(i=1)^N ∇_(Θ^(l)) C", "figure5",
            hand=lambda f: _update(f, sum(f.per_example_gradient(i) for i in range(6)) / 6),
            engine=lambda f: _update(f, f.averaged_gradient(range(6))),
            reading="all N = 6 examples of the batch"),
]


# ---------------------------------------------------------------------------------------
# note 000: error functions (the note gives C; the derivatives are derived from it)
# ---------------------------------------------------------------------------------------

DERIVED = "  [the note writes C only; derivative derived from it]"

NOTE_000_ERRORS = [
    Formula(NOTE_000, "error functions: RSS",
            "C = Σ_i (y^(i) - ŷ^(i))²  ⇒  ∂C/∂ŷ^(i) = -2 (y^(i) - ŷ^(i))" + DERIVED, "error_functions",
            hand=lambda e: -2 * (e.y_real - e.yhat),
            engine=lambda e: e.drss_dyhat),
    Formula(NOTE_000, "error functions: MSE",
            "C = 1/(2N) Σ_i (y^(i) - ŷ^(i))²  ⇒  ∂C/∂ŷ^(i) = (ŷ^(i) - y^(i)) / N" + DERIVED, "error_functions",
            hand=lambda e: (e.yhat - e.y_real) / e.n,
            engine=lambda e: e.dmse_dyhat),
    Formula(NOTE_000, "error functions: BCE",
            "-1/N Σ [(1-y) log(1-p_1) + y log p_1] = -1/N log Π (1-p_1)^(1-y) (p_1)^y", "error_functions",
            hand=lambda e: -np.log(np.prod((1 - e.p1) ** (1 - e.y_binary) * e.p1 ** e.y_binary)) / e.n,
            engine=lambda e: e.bce,
            reading="a value: the likelihood form by hand against the engine's BCE graph"),
    Formula(NOTE_000, "error functions: BCE",
            "∂C/∂p_1^(i) = (p_1^(i) - y^(i)) / (N p_1^(i) (1 - p_1^(i)))" + DERIVED, "error_functions",
            hand=lambda e: (e.p1 - e.y_binary) / (e.n * e.p1 * (1 - e.p1)),
            engine=lambda e: e.dbce_dp1),
    Formula(NOTE_000, "error functions: BCE + logistic",
            "p_1 = σ(z)  ⇒  ∂C/∂z^(i) = (p_1^(i) - y^(i)) / N" + DERIVED, "error_functions",
            hand=lambda e: (e.p1 - e.y_binary) / e.n,
            engine=lambda e: e.dbce_dz),
    Formula(NOTE_000, "softmax", "σ_Soft(i, z) = exp z_i / Σ_(j=1)^K exp z_j", "error_functions",
            hand=lambda e: np.exp(e.logits) / np.exp(e.logits).sum(axis=1, keepdims=True),
            engine=lambda e: e.softmax,
            reading="a value, against autograd.softmax"),
    Formula(NOTE_000, "error functions: cross entropy + softmax",
            "C = -1/N Σ_i Σ_c y_c^(i) log p_c^(i), p = σ_Soft(z)  ⇒  ∂C/∂z_c^(i) = (p_c^(i) - y_c^(i)) / N"
            + DERIVED, "error_functions",
            hand=lambda e: (e.softmax - e.one_hot) / e.n,
            engine=lambda e: e.dce_dz),
]


# ---------------------------------------------------------------------------------------
# note 001: the scalar chain and the multivariate form
# ---------------------------------------------------------------------------------------

def _hand_deltas_multivariate(m):
    """δ^(L) = 2(a^(L) - y) ⊙ σ'(z^(L)); δ^(l) = ((w^(l+1))ᵀ δ^(l+1)) ⊙ σ'(z^(l))."""
    L = m.L
    delta = {L: 2 * (m.a[L] - m.y) * m.sigma_prime(L)}
    for l in range(L - 1, 0, -1):
        delta[l] = (m.W[l + 1].T @ delta[l + 1]) * m.sigma_prime(l)
    return delta


def _layers_down(c):
    return range(c.L - 1, 0, -1)


NOTE_001_FORMULAS = [
    Formula(NOTE_001, "∂C/∂w^(L)",
            "∂C/∂w^(L) = ∂C/∂a^(L) ∂a^(L)/∂z^(L) ∂z^(L)/∂w^(L),  ∂z^(L)/∂w^(L) = a^(L-1)", "chain001",
            hand=lambda c: 2 * (c.a[c.L] - c.y) * c.sigma_prime(c.L) * c.a[c.L - 1],
            engine=lambda c: c.dC_dw[c.L],
            reading="∂C/∂a^(L) = 2(a^(L) - y) from C = (a^(L) - y)², ∂a^(L)/∂z^(L) = σ'(z^(L))"),
    Formula(NOTE_001, "δ^(L), error output layer", "δ^(L) := ∂C/∂z^(L) = 2(a^(L) - y) σ'(z^(L))", "chain001",
            hand=lambda c: 2 * (c.a[c.L] - c.y) * c.sigma_prime(c.L),
            engine=lambda c: c.dC_dz[c.L]),
    Formula(NOTE_001, "δ^(L-1), first line", "δ^(L-1) = ∂C/∂z^(L-1) = ∂C/∂a^(L-1) σ'(z^(L))", "chain001",
            hand=lambda c: c.dC_da[c.L - 1] * c.sigma_prime(c.L),
            engine=lambda c: c.dC_dz[c.L - 1],
            reading="∂C/∂a^(L-1) is the engine's",
            corrected="δ^(L-1) = ∂C/∂a^(L-1) σ'(z^(L-1))",
            corrected_hand=lambda c: c.dC_da[c.L - 1] * c.sigma_prime(c.L - 1)),
    Formula(NOTE_001, "δ^(L-1), underbrace", "∂z^(L)/∂a^(L-1) = w^(L)", "chain001",
            hand=lambda c: c.w[c.L],
            engine=lambda c: c.dz_da_previous[c.L]),
    Formula(NOTE_001, "δ^(L-1), error hidden layer", "δ^(L-1) = δ^(L) w^(L) σ'(z^(L))", "chain001",
            hand=lambda c: c.hand_deltas()[c.L] * c.w[c.L] * c.sigma_prime(c.L),
            engine=lambda c: c.dC_dz[c.L - 1],
            reading="δ^(L) by hand from the row above",
            corrected="δ^(L-1) = δ^(L) w^(L) σ'(z^(L-1))",
            corrected_hand=lambda c: c.hand_deltas()[c.L] * c.w[c.L] * c.sigma_prime(c.L - 1)),
    Formula(NOTE_001, "δ^(l), l-th error hidden layer", "δ^(l) = ∂C/∂z^(l) = δ^(l+1) w^(l+1) σ'(z^(l))", "chain001",
            hand=lambda c: np.array([c.hand_deltas()[l] for l in _layers_down(c)]),
            engine=lambda c: np.array([c.dC_dz[l] for l in _layers_down(c)]),
            reading="applied recursively from the hand δ^(L), for l = L-1, ..., 1 "
                    "(it contradicts the δ^(L-1) lines above, and is the right one)"),
    Formula(NOTE_001, "∂C/∂w^(l)", "∂C/∂w^(l) = δ^(l) a^(l-1)", "chain001",
            hand=lambda c: np.array([c.hand_deltas()[l] * c.a[l - 1] for l in range(1, c.L + 1)]),
            engine=lambda c: np.array([c.dC_dw[l] for l in range(1, c.L + 1)]),
            reading="every layer, with the hand δ^(l) of the general recursion"),
    Formula(NOTE_001, "∂C/∂b^(l)", "∂C/∂b^(l) = ∂C/∂a^(l) ∂a^(l)/∂z^(l) ∂z^(l)/∂b^(l) = δ^(l) 1", "chain001",
            hand=lambda c: np.array([c.hand_deltas()[l] * 1 for l in range(1, c.L + 1)]),
            engine=lambda c: np.array([c.dC_db[l] for l in range(1, c.L + 1)])),
    Formula(NOTE_001, "multivariate, δ^(L)", "δ^(L) = ∇_a C ⊙ σ'(z^(L))", "multivariate001",
            hand=lambda m: _hand_deltas_multivariate(m)[m.L],
            engine=lambda m: m.dC_dz[m.L],
            reading="∇_a C = 2(a^(L) - y) for C = ‖a^(L) - y‖² (the note's squared loss)"),
    Formula(NOTE_001, "multivariate, δ^(l)", "δ^(l) = ((w^(l+1))ᵀ δ^(l+1)) ⊙ σ'(z^(l))", "multivariate001",
            hand=lambda m: np.concatenate([_hand_deltas_multivariate(m)[l] for l in _layers_down(m)]),
            engine=lambda m: np.concatenate([m.dC_dz[l] for l in _layers_down(m)]),
            reading="w^(l+1) is the n_(l+1) × n_l matrix w_(j,k); recursion from the hand δ^(L)"),
    Formula(NOTE_001, "multivariate, ∂C/∂b", "∂C/∂b_j^(l) = δ_j^(l)", "multivariate001",
            hand=lambda m: np.concatenate([_hand_deltas_multivariate(m)[l] for l in range(1, m.L + 1)]),
            engine=lambda m: np.concatenate([m.dC_db[l] for l in range(1, m.L + 1)])),
    Formula(NOTE_001, "multivariate, ∂C/∂w", "∂C/∂w_(j,k)^(l) = δ_j^(l) a_k^(l-1)", "multivariate001",
            hand=lambda m: np.concatenate([np.outer(_hand_deltas_multivariate(m)[l], m.a[l - 1]).ravel()
                                           for l in range(1, m.L + 1)]),
            engine=lambda m: np.concatenate([m.dC_dW[l].ravel() for l in range(1, m.L + 1)])),
]


# ---------------------------------------------------------------------------------------
# note 002: perceptrons, σ', PD1-PD3, BP1-BP4 and the primed forms, gradient descent
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
        if inner.shape != n.dC_dz[l + 1].shape or W.shape[1] != inner.shape[0]:
            raise Undefined(f"shapes do not match at l = {l}: W^(l+1) is {W.shape}, a^l has {inner.size} "
                            f"entries, δ^(l+1) has {n.dC_dz[l + 1].size}")
        blocks.append(W @ (inner * n.dC_dz[l + 1]))
    return np.concatenate(blocks)


NOTE_002_FORMULAS = [
    Formula(NOTE_002, "perceptrons", "∂P/∂w_i = 0 and ∂P/∂b = 0 away from the threshold -b", "perceptron002",
            hand=lambda p: np.zeros(4),
            engine=lambda p: np.append(p.dP_dw, p.dP_db),
            reading="the step perceptron P(x) = [w·x + b ≥ 0]: gradients of P with respect to "
                    "w_1..w_3 and b"),
    Formula(NOTE_002, "σ' by the quotient rule", "σ'(x) = -e^(-x) / (1 + e^(-x))²", "net002",
            hand=lambda n: -np.exp(-n.z[_last(n)]) / (1 + np.exp(-n.z[_last(n)])) ** 2,
            engine=lambda n: n.da_dz[_last(n)],
            reading="at x = z^L (3 values); engine = ∂a^L_j/∂z^L_j",
            corrected="σ'(x) = e^(-x) / (1 + e^(-x))²   (d/dx (1 + e^(-x))^(-1) = +e^(-x) (1 + e^(-x))^(-2))",
            corrected_hand=lambda n: np.exp(-n.z[_last(n)]) / (1 + np.exp(-n.z[_last(n)])) ** 2),
    Formula(NOTE_002, "σ', second line", "σ'(x) = (1 + e^(-x))/(1 + e^(-x))² - 1/(1 + e^(-x))²", "net002",
            hand=lambda n: ((1 + np.exp(-n.z[_last(n)])) - 1) / (1 + np.exp(-n.z[_last(n)])) ** 2,
            engine=lambda n: n.da_dz[_last(n)],
            reading="at x = z^L; this line equals +e^(-x)/(1 + e^(-x))², so it contradicts the line above"),
    Formula(NOTE_002, "σ', third line", "σ'(x) = 1/(1 + e^(-x)) - 1/(1 + e^(-x))²", "net002",
            hand=lambda n: 1 / (1 + np.exp(-n.z[_last(n)])) - 1 / (1 + np.exp(-n.z[_last(n)])) ** 2,
            engine=lambda n: n.da_dz[_last(n)]),
    Formula(NOTE_002, "σ', last line", "σ'(x) = σ(x)(1 - σ(x))", "net002",
            hand=lambda n: sig(n.z[_last(n)]) * (1 - sig(n.z[_last(n)])),
            engine=lambda n: n.da_dz[_last(n)]),
    Formula(NOTE_002, "cost of one example",
            "∇C = 1/n Σ_x ∇C_x  with C = 1/(2n) Σ_(j=1)^n ‖y(x_j) - a^L‖², C_x = 1/2 ‖y(x_j) - a^l‖²", "net002",
            hand=lambda n: sum(n.per_example_gradients) / n.n,
            engine=lambda n: n.average_cost_gradient(),
            reading="a^l in C_x read as a^L; n = 6 per-example gradients (one graph each) averaged by "
                    "hand, against the engine's gradient of C (one graph); all 39 weights and biases"),
    Formula(NOTE_002, "chain rule for ∂C/∂W^l", "∂C/∂W^l = ∂C/∂a^l ∂a^l/∂z^l ∂z^l/∂W^l", "net002",
            hand=lambda n: (n.dC_da[_last(n)] * n.da_dz[_last(n)])[:, None] * n.dz_dW[_last(n)],
            engine=lambda n: n.dC_dW[_last(n)],
            reading="for the last layer (as the note's headings say), entry (j, k): "
                    "∂C/∂a_j ∂a_j/∂z_j ∂z_j/∂W_(j,k), all three factors the engine's"),
    Formula(NOTE_002, "PD1", "∂C/∂a^l = ‖y(x_j) - a^l‖", "net002",
            hand=lambda n: np.full(n.sizes[-1], np.linalg.norm(n.y - n.a[_last(n)])),
            engine=lambda n: n.dC_da[_last(n)],
            reading="l read as the last layer L; the scalar ‖y - a^L‖ compared with every component of "
                    "the gradient vector ∂C/∂a^L",
            corrected="∂C/∂a^L = a^L - y(x_j)   (a vector; the gradient of 1/2 ‖y - a‖²)",
            corrected_hand=lambda n: n.a[_last(n)] - n.y),
    Formula(NOTE_002, "PD2", "∂a^l/∂z^l = a^l(1 - a^l)", "net002",
            hand=lambda n: np.concatenate([n.a[l] * (1 - n.a[l]) for l in range(1, n.L + 1)]),
            engine=lambda n: np.concatenate([n.da_dz[l] for l in range(1, n.L + 1)]),
            reading="elementwise (the Jacobian is diagonal), for every layer"),
    Formula(NOTE_002, "PD3", "∂z^l/∂W^l = a^(l-1)", "net002",
            hand=lambda n: np.concatenate([np.outer(np.ones(n.sizes[l]), n.a[l - 1]).ravel()
                                           for l in range(1, n.L + 1)]),
            engine=lambda n: np.concatenate([n.dz_dW[l].ravel() for l in range(1, n.L + 1)]),
            reading="∂z^l_j/∂W^l_(j,k) = a^(l-1)_k (the nonzero entries; ∂z_j/∂W_(j',k) = 0 for j' ≠ j), "
                    "every layer"),
    Formula(NOTE_002, "PD1·PD2·PD3 put together", "∂C/∂W^l = (y(x_j) - a^l) · a^l(1 - a^l) · a^(l-1)", "net002",
            hand=lambda n: np.outer((n.y - n.a[n.L]) * n.a[n.L] * (1 - n.a[n.L]), n.a[n.L - 1]),
            engine=lambda n: n.dC_dW[n.L],
            reading="l = L; the first · elementwise, the second the outer product with a^(L-1)",
            corrected="∂C/∂W^L = ((a^L - y(x_j)) ⊙ a^L(1 - a^L)) (a^(L-1))ᵀ",
            corrected_hand=lambda n: np.outer((n.a[n.L] - n.y) * n.a[n.L] * (1 - n.a[n.L]), n.a[n.L - 1])),
    Formula(NOTE_002, "BP1", "δ^L = ∂C/∂z^L  ('should be ∂a^L/∂z^L ∂C/∂a^L')", "net002",
            hand=lambda n: n.da_dz[n.L] * n.dC_da[n.L],
            engine=lambda n: n.dC_dz[n.L],
            reading="∂a^L/∂z^L ⊙ ∂C/∂a^L with the engine's factors"),
    Formula(NOTE_002, "BP2", "δ^l = ∂a^l/∂z^l ∂z^(l+1)/∂a^l δ^(l+1)", "net002",
            hand=lambda n: np.concatenate([n.da_dz[l] * (n.W[l + 1].T @ n.dC_dz[l + 1]) for l in _hidden(n)]),
            engine=lambda n: np.concatenate([n.dC_dz[l] for l in _hidden(n)]),
            reading="∂a^l/∂z^l = diag(σ'(z^l)); ∂z^(l+1)/∂a^l in denominator layout, the n_l × n_(l+1) "
                    "matrix (W^(l+1))ᵀ (the only order in which the product is defined); δ^(l+1) the "
                    "engine's; hidden layers l = 1, 2"),
    Formula(NOTE_002, "BP1' (and the summary)", "δ^L = (y(x_j) - a^L)(a^L(1 - a^L)", "net002",
            hand=lambda n: (n.y - n.a[n.L]) * (n.a[n.L] * (1 - n.a[n.L])),
            engine=lambda n: n.dC_dz[n.L],
            reading="the unbalanced parenthesis closed at the end; the product elementwise",
            corrected="δ^L = (a^L - y(x_j)) ⊙ a^L(1 - a^L)",
            corrected_hand=lambda n: (n.a[n.L] - n.y) * n.a[n.L] * (1 - n.a[n.L])),
    Formula(NOTE_002, "BP2' (and the summary)",
            "δ^l = W^(l+1)(a^l(1 - a^l)δ^(l+1)   (summary: δ^l = W^(l+1)a^l(1 - a^l)δ^(l+1))", "net002",
            hand=_bp2_as_written,
            engine=lambda n: np.concatenate([n.dC_dz[l] for l in _hidden(n)]),
            reading="W^(l+1) (a^l(1 - a^l) ⊙ δ^(l+1)): the matrix times the elementwise product, as "
                    "written; defined here only because the hidden and output layers have 3 neurons "
                    "each (in general δ^(l+1) and a^l differ in length); δ^(l+1) the engine's",
            corrected="δ^l = ((W^(l+1))ᵀ δ^(l+1)) ⊙ a^l(1 - a^l)",
            corrected_hand=lambda n: np.concatenate([(n.W[l + 1].T @ n.dC_dz[l + 1]) * n.a[l] * (1 - n.a[l])
                                                     for l in _hidden(n)])),
    Formula(NOTE_002, "BP3", "∂C/∂W^l = δ^l a^(l-1)", "net002",
            hand=lambda n: np.concatenate([np.outer(n.dC_dz[l], n.a[l - 1]).ravel() for l in range(1, n.L + 1)]),
            engine=lambda n: np.concatenate([n.dC_dW[l].ravel() for l in range(1, n.L + 1)]),
            reading="the outer product δ^l (a^(l-1))ᵀ, every layer, δ^l the engine's"),
    Formula(NOTE_002, "∂z/∂b", "∂z^l/∂b^l = 1", "net002",
            hand=lambda n: np.ones(sum(n.sizes[1:])),
            engine=lambda n: np.concatenate([n.dz_db[l] for l in range(1, n.L + 1)]),
            reading="∂z^l_j/∂b^l_j, every neuron"),
    Formula(NOTE_002, "BP4", "∂C/∂b^l = δ^l", "net002",
            hand=lambda n: np.concatenate([n.dC_dz[l] for l in range(1, n.L + 1)]),
            engine=lambda n: np.concatenate([n.dC_db[l] for l in range(1, n.L + 1)]),
            reading="every layer, δ^l the engine's ∂C/∂z^l"),
    Formula(NOTE_002, "G3 (the gradient descent step)", "ΔC ≈ ∇C · (-η∇C) = -η‖∇C‖²", "net002",
            hand=lambda n: -FIRST_ORDER_ETA * np.sum(n.flat_gradient() ** 2),
            engine=lambda n: n.cost_at(n.flat_parameters() - FIRST_ORDER_ETA * n.flat_gradient()) - n.cost.data,
            reading=f"with η = {FIRST_ORDER_ETA:g}: engine = C after the step w' = w - η∂C/∂w, "
                    "B' = B - η∂C/∂B (a new forward pass) minus C before; agreement to 0.1%",
            **FIRST_ORDER),
    Formula(NOTE_002, "directional derivative (optional section)",
            "∇_(-∇G) G = ∇G · -∇G = -η‖∇G‖²", "net002",
            hand=lambda n: -LEARNING_RATE * np.sum(n.flat_gradient() ** 2),
            engine=lambda n: n.directional_derivative(-n.flat_gradient()),
            reading=f"G = C, η = {LEARNING_RATE} (the η appears from nowhere); engine = d/dt C(w - t∇C) "
                    "at t = 0, with t an input of the graph",
            corrected="∇_(-∇G) G = ∇G · -∇G = -‖∇G‖²",
            corrected_hand=lambda n: -np.sum(n.flat_gradient() ** 2)),
    Formula(NOTE_002, "stochastic gradient descent",
            "C = 1/(2m) Σ_(j=1)^n ‖y(x_j) - a^l‖²  ('effectively the same', gradients unchanged)", "net002",
            hand=lambda n: sum(n.per_example_gradients) / n.m,
            engine=lambda n: n.minibatch_cost_gradient(),
            reading="its gradient, 1/m Σ_(j=1)^n ∇C_(x_j) over all n = 6 examples, against the engine's "
                    "gradient of the mini-batch cost over the m = 2 examples of a random mini-batch",
            corrected="C = 1/(2m) Σ_(x_j in the mini-batch) ‖y(x_j) - a^L‖²   (m terms, not n)",
            corrected_hand=lambda n: sum(n.per_example_gradients[i] for i in n.batch) / n.m),
]


FORMULAS = NOTE_000_FORMULAS + NOTE_000_ERRORS + NOTE_001_FORMULAS + NOTE_002_FORMULAS
