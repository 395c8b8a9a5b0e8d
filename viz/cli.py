"""`python -m viz` / `tracegrad-viz`: the picture and the backward stepper for a script.

    python -m viz my_script.py -o out/        # a Python file
    python -m viz demos.notes_network          # an importable module
    python -m viz --demos                      # every module of the demos package with build()

The convention: the file or module defines a function `build()` returning the root Value
(the output or loss), or a module-level Value named `root`. It may also define
`viz_roles(root)` returning {"parameters": [...], "constants": [...]}: the leaves that are
parameters and constants (see `viz.roles`). A file is run with __name__ == "__viz__", so its
`if __name__ == "__main__":` block does not run.

For each target NAME it writes, into the output folder (default ./out):
  NAME.svg, NAME.png      the graph with every value and its gradient ∂root/∂value
  NAME_stepper.html       the offline backward stepper
  NAME_frames/            one picture per step (with --frames svg|png)
"""

import argparse
import importlib
import inspect
import pkgutil
import re
import runpy
import sys
from pathlib import Path

import autograd
from autograd import gradients

from .render import MAX_NODES, draw
from .stepper import stepper, stepper_frames
from .steps import backward_steps, gradients_after


def load_root(target):
    """The root Value a script file or module defines (`build()` or `root`)."""
    return load_target(target)[0]


def load_target(target):
    """(root, {"parameters": ..., "constants": ...}) from a script file or module."""
    if target.endswith(".py") or Path(target).is_file():
        if not Path(target).is_file():
            raise FileNotFoundError(f"viz: no such script: {target}")
        namespace = _not_exiting(target, "while viz ran it", _run_script, target)
    else:
        namespace = vars(_not_exiting(target, "while viz imported it", importlib.import_module, target))
    if callable(namespace.get("build")):
        if not _takes_no_arguments(namespace["build"]):
            raise TypeError(f"viz: {target}: build() must take no arguments to be drawn "
                            f"(it has {inspect.signature(namespace['build'])})")
        root = _not_exiting(target, "in build()", namespace["build"])
        where = f"{target}: build() returned"
    elif "root" in namespace:
        root, where = namespace["root"], f"{target}: root is"
    else:
        raise LookupError(f"viz: {target} defines neither build() nor root; define a function "
                          f"build() that returns the output Value, or a Value named root")
    if not isinstance(root, autograd.Value):
        raise TypeError(f"{where} {type(root).__name__} {root!r:.60}, expected an autograd.Value")
    roles = namespace["viz_roles"](root) if callable(namespace.get("viz_roles")) else {}
    if not hasattr(roles, "keys"):
        raise TypeError(f"viz: {target}: viz_roles() returned {type(roles).__name__} {roles!r:.60}; expected a "
                        f"dict with the keys parameters, constants")
    unknown = set(roles) - {"parameters", "constants"}
    if unknown:
        raise TypeError(f"viz: {target}: viz_roles() gave {sorted(unknown)}; expected the keys parameters, constants")
    return root, dict(roles)


def _not_exiting(target, when, function, *args):
    """function(*args), where a sys.exit() of the user's script (argparse's too) is an error naming
    it: a SystemExit would end the whole run silently, the other targets never drawn."""
    try:
        return function(*args)
    except SystemExit as exit:
        raise RuntimeError(f"viz: {target} called sys.exit({exit.code!r:.60}) {when}; put that call under "
                           f"`if __name__ == \"__main__\":`, which viz does not run") from None


def _run_script(path):
    """Run a script as `python path` would, with its own folder first on sys.path (so that it
    can import the modules beside it), but as __viz__ rather than __main__."""
    folder = str(Path(path).resolve().parent)
    sys.path.insert(0, folder)
    try:
        return runpy.run_path(path, run_name="__viz__")
    finally:
        sys.path.remove(folder)


def _takes_no_arguments(function):
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)


def demo_targets():
    """Modules of the demos package that follow the convention (define build() taking no
    arguments)."""
    import demos
    targets = []
    for module in pkgutil.iter_modules(demos.__path__):
        if module.name.startswith("_"):
            continue
        name = f"demos.{module.name}"
        build = getattr(importlib.import_module(name), "build", None)
        if callable(build) and _takes_no_arguments(build):
            targets.append(name)
    return targets


class BackwardFailed(ArithmeticError):
    """Backward raised on a target's graph: its files were written all the same (the picture with
    the gradients computed before the failure, the stepper with the failure as its last step)."""


def render_target(target, out, *, collapse=None, digits=4, rankdir="LR", frames=None,
                  max_nodes=MAX_NODES, stepper_page=True, say=print):
    root, roles = load_target(target)
    name = target_name(target)
    out.mkdir(parents=True, exist_ok=True)
    options = dict(digits=digits, rankdir=rankdir, max_nodes=max_nodes, **roles)
    grads, failure = _gradients(root, digits, roles)
    collapse, picture = _collapse_that_fits(root, collapse, dict(grads=grads, edge_derivatives=True,
                                                                **options), say, name)
    written = [picture.save(out / f"{name}.svg"), picture.save(out / f"{name}.png")]
    if stepper_page:
        written.append(stepper(root, out / f"{name}_stepper.html", collapse=collapse, **options))
    for path in written:
        say(f"wrote {path}")
    if frames:
        pictures = stepper_frames(root, out / f"{name}_frames", format=frames, collapse=collapse, **options)
        say(f"wrote {len(pictures)} frames to {out / (name + '_frames')}")
        written.extend(pictures)
    if failure:
        raise BackwardFailed(f"backward failed; the files were written all the same, the picture with the "
                             f"gradients computed before the failure, the stepper ending with it. {failure}")
    return written


def target_name(target):
    """NAME of the files written for a target: the script's stem, or the module's last part."""
    return Path(target).stem if target.endswith(".py") else target.rsplit(".", 1)[-1]


def _gradients(root, digits, roles):
    """({value: ∂root/∂value}, None), or, where backward raises, the gradients of the steps
    completed before it and the failure in words (the stepper's last step), so that the
    learner still gets the picture and the stepper that shows where it failed."""
    try:
        return gradients(root), None
    except (ArithmeticError, ValueError):  # what backward raises on a gradient that is not finite
        steps = backward_steps(root, digits, **roles)
        if steps[-1].kind != "error":
            raise
        return gradients_after(steps, len(steps) - 1), steps[-1].text.split("\n")[0]


def _collapse_that_fits(root, collapse, options, say, name):
    """(collapse, Drawing): the requested collapse; if none was asked, the first of full,
    neuron, layer whose picture is readable: within max_nodes, and not so long that its PNG
    would have to be shrunk (said out loud when it is not the full graph)."""
    if collapse is not None:
        return collapse, draw(root, collapse=collapse, **options)
    choices = (None, "neuron", "layer")
    for choice in choices:
        try:
            picture = draw(root, collapse=choice, **options)
        except ValueError as error:
            last = error
            continue
        if choice != choices[-1] and _longest_side_points(picture.svg()) > MAX_PICTURE_POINTS:
            continue
        if choice is not None:
            say(f"{name}: the full graph is too big to read; drawing it with collapse={choice!r}")
        return choice, picture
    raise last


MAX_PICTURE_POINTS = 10_000  # about 3.5 m; at the PNG's 144 dpi still under cairo's 32,767-pixel limit


def _longest_side_points(svg):
    """The larger of the SVG's width and height, in points (Graphviz writes e.g. width="620pt")."""
    tag = re.search(r"<svg\b[^>]*>", svg)
    sizes = re.findall(r'\b(?:width|height)="([\d.]+)pt"', tag[0]) if tag else []
    return max((float(size) for size in sizes), default=0.0)


def _int_option(least, most=None):
    """An argparse type: an int from least to most, refused by argparse naming the option."""
    wanted = f"an int from {least} to {most}" if most is not None else f"an int >= {least}"

    def read(text):
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {text!r}") from None
        if n < least or (most is not None and n > most):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {n}")
        return n
    return read


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tracegrad-viz", description=__doc__.split("\n\n")[0],
                                     epilog="A target defines build() returning the root Value, or root.")
    parser.add_argument("targets", nargs="*", help="a script.py or an importable module name")
    parser.add_argument("--demos", action="store_true", help="also render every demos module with build()")
    parser.add_argument("-o", "--out", default="out", help="output folder (default: out)")
    parser.add_argument("--collapse", choices=["neuron", "layer"], help="fold neurons or layers")
    parser.add_argument("--digits", type=_int_option(1, 17), default=4, help="significant digits, 1 to 17 (default 4)")
    parser.add_argument("--rankdir", default="LR", choices=["LR", "TB", "RL", "BT"])
    parser.add_argument("--frames", choices=["svg", "png"], help="also export one picture per step")
    parser.add_argument("--max-nodes", type=_int_option(1), default=MAX_NODES,
                        help=f"refuse pictures with more drawn nodes (default {MAX_NODES})")
    parser.add_argument("--no-stepper", action="store_true", help="skip the stepper page")
    args = parser.parse_args(argv)
    targets = list(dict.fromkeys(list(args.targets) + (demo_targets() if args.demos else [])))  # each once
    if not targets:
        parser.error("no demos module defines build() yet" if args.demos else
                     "give a script.py or module name, or --demos")
    sys.path.insert(0, str(Path.cwd()))  # so that `python -m viz mypackage.module` finds local code
    failed, named = 0, {}
    for target in targets:
        first = named.setdefault(target_name(target), target)
        if first != target:  # a/model.py and b/model.py: the second would overwrite the first's files
            print(f"tracegrad-viz: {target}: not drawn: its files would be named {target_name(target)}.* as those "
                  f"of {first}, and overwrite them; rename one, or draw it on its own with another -o",
                  file=sys.stderr)
            failed += 1
            continue
        try:
            render_target(target, Path(args.out), collapse=args.collapse, digits=args.digits,
                          rankdir=args.rankdir, frames=args.frames, max_nodes=args.max_nodes,
                          stepper_page=not args.no_stepper)
        except KeyError as error:  # its text is the bare key ('oops'): the type says what it is
            print(f"tracegrad-viz: {target}: KeyError: {error}", file=sys.stderr)
            failed += 1
        except (ArithmeticError, ImportError, LookupError, OSError, TypeError, ValueError) as error:
            print(f"tracegrad-viz: {target}: {error}", file=sys.stderr)
            failed += 1
        except Exception as error:  # a user's script may raise anything else: name it, go on with the next
            print(f"tracegrad-viz: {target}: {type(error).__name__}: {error}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0
