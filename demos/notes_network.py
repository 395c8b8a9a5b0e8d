"""The worked example of note 000 (Figure 5), traced by the engine.

4 inputs x_1..x_4 (with the bias unit x_0 = 1), hidden layers of 2 and 3 logistic units, one
logistic output ŷ = a_1^(4), and the cost of one example C = 1/2 (y - ŷ)². The weights are
drawn with a fixed seed and every bias θ_(0,k) is 1, as the note's training procedure says.

Prints the forward values, every ∂C/∂z and every ∂C/∂θ (the engine's, next to the value the
note's steps give once corrected), and writes the graph PNG and the backward stepper HTML.

    python -m demos.notes_network [--quick] [--out DIR]

In the pictures, labels follow the project's convention: θ^(l)_(j,k) (from neuron j of layer
l into neuron k of layer l+1) is drawn as w(l+1)_k,j, and the bias weight θ^(l)_(0,k) as b(l+1)_k.
"""

import numpy as np

import autograd

from .common import output_dir, parser
from .notes_examples import Figure5
from .reference import sigmoid as sig
from .reference import sigmoid_prime as sp


def build():
    """The cost C of the Figure 5 network (the root of its graph, after backward), for `viz`."""
    cost = Figure5().cost
    cost.backward()
    return cost


def parameters(f):
    """Every weight and bias of the network: the leaves that training changes."""
    return [value for l in (1, 2, 3) for row in f.params[l] for value in row]


def targets(f):
    """The target y_1: a number of the cost, not something backprop differentiates for."""
    return _targets(f.cost, f.net.output)


def _targets(cost, outputs):
    """The cost is 1/2 Σ (y_j - a_j)², so each y_j is the first input of the `-` node that reads a_j."""
    outputs = set(outputs)
    return [node.parents[0] for node in autograd.topological_order(cost)
            if node.op == "-" and node.parents[1] in outputs]


def viz_roles(cost):
    """For `python -m viz demos.notes_network`: the parameters are what each neuron's dot node
    reads as its weights and bias (the network was built so), and y_1 is a constant."""
    groups = [autograd.ops.input_groups(node) for node in autograd.topological_order(cost)]
    neurons = [g for g in groups if "weights" in g]
    weights = [p for g in neurons for p in (*g["weights"], *g.get("bias", ()))]
    read_by_a_neuron = {p for g in neurons for p in g.get("inputs", ())}
    outputs = [node for node in autograd.topological_order(cost)
               if autograd.ops.is_activation(node.op) and node not in read_by_a_neuron]
    return {"parameters": weights, "constants": _targets(cost, outputs)}


def corrected_steps(f):
    """∂C/∂z and ∂C/∂θ by the note's steps 1-4 with their corrections (pure numpy)."""
    dC_dz = {4: sp(f.z[4]) * (sig(f.z[4]) - f.y)}
    for l in (3, 2):
        dC_dz[l] = sp(f.z[l]) * (f.theta[l][:, 1:].T @ dC_dz[l + 1])
    dC_dtheta = {l: np.outer(dC_dz[l + 1], f.a_with_bias(l)) for l in (1, 2, 3)}
    return dC_dz, dC_dtheta


def forward_table(f):
    lines = [f"x = (x_1..x_4) = {np.round(f.x, 4).tolist()},  y = {f.y[0]:.4f}",
             f"{'neuron':<10} {'z':>10} {'a = σ(z)':>10}"]
    for l in (2, 3, 4):
        for k, (z, a) in enumerate(zip(f.z[l], f.a[l]), start=1):
            lines.append(f"{f'n_{k}^({l})':<10} {z:>10.6f} {a:>10.6f}")
    lines.append(f"ŷ = a_1^(4) = {f.yhat:.6f},  C = 1/2 (y - ŷ)² = {f.cost.data:.8f}")
    return "\n".join(lines)


def gradient_table(f):
    by_steps_z, by_steps_theta = corrected_steps(f)
    lines = [f"{'quantity':<18} {'drawn as':<12} {'engine':>14} {'by the steps':>14}"]
    for l in (4, 3, 2):
        for k, value in enumerate(f.dC_dz[l], start=1):
            lines.append(f"{f'∂C/∂z_{k}^({l})':<18} {f'z({l})_{k}':<12} {value:>14.8f} {by_steps_z[l][k - 1]:>14.8f}")
    for l in (3, 2, 1):
        rows, columns = f.theta[l].shape
        for k in range(1, rows + 1):
            for j in range(columns):
                drawn = f"b({l + 1})_{k}" if j == 0 else f"w({l + 1})_{k},{j}"
                lines.append(f"{f'∂C/∂θ_({j},{k})^({l})':<18} {drawn:<12} {f.dC_dtheta[l][k - 1, j]:>14.8f} "
                             f"{by_steps_theta[l][k - 1, j]:>14.8f}")
    worst = max(max(np.max(np.abs(f.dC_dz[l] - by_steps_z[l])) for l in (2, 3, 4)),
                max(np.max(np.abs(f.dC_dtheta[l] - by_steps_theta[l])) for l in (1, 2, 3)))
    lines.append(f"max |engine - steps| = {worst:.1e}")
    return "\n".join(lines), worst


def pictures(f, out):
    """The graph PNG and the stepper page, both with every gradient of C filled in."""
    import viz  # only the pictures need it

    out = output_dir(out)
    roles = dict(parameters=parameters(f), constants=targets(f))
    graph = viz.draw(f.cost, grads=autograd.gradients(f.cost), **roles).save(out / "notes_network.png")
    page = viz.stepper(f.cost, out / "notes_network_stepper.html", **roles,
                       title="note 000, Figure 5: backward through C = 1/2 (y - ŷ)²")
    return [graph, page]


def run(quick=False, out="out"):
    """Returns (the Figure5 example, max |engine - corrected steps|, written paths)."""
    f = Figure5()
    _, worst = gradient_table(f)
    return f, worst, pictures(f, out)


def main(argv=None):
    args = parser("demos.notes_network", "note 000's Figure 5 network, traced by the engine").parse_args(argv)
    f = Figure5()
    print("note 000, Figure 5: forward pass")
    print(forward_table(f))
    table, _ = gradient_table(f)
    print("\nbackward: the engine's gradients, and the note's steps 1-4 (corrected: see demos.notes_check)")
    print(table)
    for path in pictures(f, args.out):
        print(f"wrote {path}")
    return f


if __name__ == "__main__":
    main()
