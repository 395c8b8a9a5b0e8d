"""The tour (`make demo`): the notes' network, the notes check, the digits MLP, two fits replayed,
the fast path, Newton on note 001, and forward against reverse mode.

    python -m demos [--out DIR] [--quick]

1. note 000's Figure 5 network: forward values, C and its gradients; the graph PNG and the
   backward stepper HTML;
2. the notes check: how many of the notes' hand-derived formulas the engine confirms, and which
   it does not (the full table and JSON are written too);
3. the notes' 64-32-10 network trained by mini-batch SGD on scikit-learn's 8x8 digits, with a
   progress bar, to its held-out accuracy;
4. watch a network learn: the replay pages (viz.training) of the two-moons classifier, drawn
   by neuron with its decision regions, and of the digits network, drawn by layer;
5. the digits network compiled: the numpy source autograd.compile writes for it
   (digits_program.py), which reads like the notes' BP1-BP4;
6. note 001's linear regression to second order: the engine's Hessian is 2X̃ᵀX̃/n, and one
   Newton step lands on OLS, next to the note's gradient descent;
7. why backprop: the work of a whole gradient in forward mode against reverse mode.

It ends by listing every file it wrote.
"""

import time

from . import digits, fast_path, forward_reverse, newton, notes_check, notes_network, training
from .common import output_dir, parser


def tour_notes_network(out):
    f, worst, paths = notes_network.run(out=out)
    print(f"Figure 5: 4 inputs, logistic layers of 2, 3 and 1; ŷ = {f.yhat:.6f}, y = {f.y[0]:.4f}, "
          f"C = 1/2 (y - ŷ)² = {f.cost.data:.8f}")
    print(f"  ∂C/∂z_1^(4) = {f.dC_dz[4][0]:.8f}, ∂C/∂θ_(1,1)^(3) = {f.dC_dtheta[3][0, 1]:.8f}; all 6 ∂C/∂z and "
          f"23 ∂C/∂θ match the corrected steps 1-4 to {worst:.0e}")
    return paths


def tour_notes_check(out):
    results = notes_check.evaluate()
    print(notes_check.summary(results))
    table = out / "notes_check.txt"
    table.write_text(notes_check.report(results) + "\n", encoding="utf-8")
    rows = out / "notes_check.json"
    rows.write_text(notes_check.to_json(results), encoding="utf-8")
    print(f"  (the full table: python -m demos.notes_check, or {table})")
    return [table, rows]


def tour_digits(out, quick):
    result = digits.run(quick=quick, out=out, progress=True)
    print(f"MLP {'-'.join(map(str, result.sizes))} (logistic, C_x = 1/2 ‖y - a‖², mini-batch SGD η = {digits.ETA}, "
          f"m = {digits.BATCH_SIZE}), {result.history.epochs} epochs on the {result.path} path in "
          f"{result.seconds:.1f} s")
    print(f"  held-out accuracy: {result.accuracy:.2%} ({len(result.misclassified)} of {len(result.test_labels)} "
          f"test digits wrong)")
    return result.pictures


def tour_training(out, quick):
    pages, _ = training.run(out=out, quick=quick)
    for page in pages:
        recording = page.history.recording
        print(f"{page.name}: {'-'.join(map(str, recording.sizes))}, {len(recording.snapshots)} snapshots "
              f"({page.kilobytes:.0f} kB), accuracy {page.accuracy:.1%} at the end: open {page.path}")
    return [page.path for page in pages]


def tour_fast_path(out):
    path, source = fast_path.run(out)
    lines = source.split("def gradient")[1].split("def predict")[0].split("\n")
    print(f"autograd.compile wrote the digits network on C_x = 1/2 ‖y - a‖² as {len(source.splitlines())} lines "
          "of numpy; its forward pass and the lines of BP1-BP4 (δ is d_z):")
    for line in lines:
        if line.lstrip().startswith(("z", "a", "d_z", "d_a2", "np.matmul", "np.add.reduce")):
            print("  " + line.strip())
    return [path]


def tour_newton(out, quick):
    result = newton.run(quick=quick, out=out)
    print(newton.report(result))
    return [result.picture]


def tour_forward_reverse():
    n = 100  # the work grows as n²: 100 inputs show it and keep the tour quick
    reverse, forward, nodes, gap = forward_reverse.run(n)
    print(forward_reverse.report(n, reverse, forward, nodes, gap))
    return []


def main(argv=None):
    args = parser("demos", "the tour: the notes' network, the notes check, the digits MLP").parse_args(argv)
    out = output_dir(args.out)
    start = time.perf_counter()
    written = []
    sections = [("1. The notes' network (note 000, Figure 5)", lambda: tour_notes_network(out)),
                ("2. The notes check: every hand-derived formula against the engine", lambda: tour_notes_check(out)),
                ("3. Handwritten digits with the notes' network and mini-batch SGD (note 002)",
                 lambda: tour_digits(out, args.quick)),
                ("4. Watch a network learn: two fits replayed, one offline page each (viz.training)",
                 lambda: tour_training(out, args.quick)),
                ("5. The fast path: the digits network as the numpy source autograd.compile writes",
                 lambda: tour_fast_path(out)),
                ("6. Linear regression to second order: the engine's Hessian and one Newton step (note 001)",
                 lambda: tour_newton(out, args.quick)),
                ("7. Why backprop: a whole gradient in forward mode and in reverse mode",
                 tour_forward_reverse)]
    for title, section in sections:
        print(f"\n=== {title} ===", flush=True)
        written += section()
    print(f"\nThe tour took {time.perf_counter() - start:.0f} s and wrote:")
    for path in written:
        print(f"  {path}")


if __name__ == "__main__":
    main()
