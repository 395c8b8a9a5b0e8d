"""The backward stepper: one offline HTML page (and optional per-step frames) that walks
through `viz.backward_steps`, highlighting the node whose gradient each step completes.

The graph is laid out ONCE (with every final gradient in place, so each box is as wide as it
will ever need); each step only rewrites the text of the grad cells and moves the highlight,
so nothing jumps. The page is one self-contained fragment (`viz.page`): its SVG, style,
script and data are inside it, so it opens from file:// with no network, CDN or server, and
shows itself inline in Jupyter. Its layout, style and behaviour live beside this module, in
stepper.html, stepper.css and stepper.js (package data).
"""

import errno
import math
import re
from importlib import resources
import xml.etree.ElementTree as ET

from .checks import as_choice, as_path, as_real, as_text
from .dot import caption_lines, scene_to_dot
from .escape import script_json, visible, xml_text
from .page import HtmlPage, unique_id
from .reference import RTOL, agreement, check_in_graph, check_reference, tolerance_text, within
from .render import MAX_NODES, render
from .scene import MAX_VALUES, build_scene
from .steps import backward_steps, gradients_after
from .style import compact

SVG_NS = "{http://www.w3.org/2000/svg}"


def resource(name):
    """The text of a file shipped inside the viz package (stepper.html, .css, .js)."""
    return resources.files("viz").joinpath(name).read_text(encoding="utf-8")


class StepperPage(HtmlPage):
    """The stepper for one graph: shows itself in Jupyter, `.save(path)` writes the page."""

    def __init__(self, title, fragment, steps, agreement=None, page_id=None):
        super().__init__(title, fragment, page_id)
        self.steps = steps
        self.agreement = agreement


def stepper(root, path=None, *, parameters=None, constants=None, reference=None, reference_name="PyTorch",
            tolerance=1e-12, rtol=RTOL, digits=4, collapse=None, focus=None, depth=2, rankdir="LR",
            edge_derivatives=True, max_nodes=MAX_NODES, max_values=MAX_VALUES, title=None):
    """The backward stepper for the graph of `root`.

    Without `path`, a `StepperPage` that shows itself inline in Jupyter (`.save(path)` writes
    it); with `path`, the page is written there and its Path returned.

    parameters      the trainable leaves: a model (anything with .parameters()) or a list of Values
    constants       leaves that are constants (a target y): drawn with no gradient, given no step
    reference       {Value: float}, another engine's gradients (PyTorch's, say): shown beside the
                    engine's at each step and in the picture, with a verdict: each agrees when
                    |engine - reference| <= tolerance + rtol · max(|engine|, |reference|)
    reference_name  what to call that engine
    Other options as in `viz.draw`.
    """
    scene = build_scene(root, parameters=parameters, constants=constants, collapse=collapse, focus=focus,
                        depth=depth, max_nodes=max_nodes, max_values=max_values)  # a graph too big: refused first
    reference, tolerance, rtol = check_reference(reference, tolerance, rtol)
    check_in_graph(reference, scene.index, scene.names[root])
    _check_page_options(path, reference_name, title)  # before the work, not when the page is saved
    steps = backward_steps(root, digits, parameters=parameters, constants=constants)
    final = gradients_after(steps, len(steps) - 1)
    verdict = None
    if reference:
        verdict = agreement(_with_aliases(final, scene.aliases), reference, scene.names, name=reference_name,
                            tolerance=tolerance, rtol=rtol)
    summary = " ".join(filter(None, ["" if verdict is None else verdict.text, _leftover_note(final, scene.names, digits)]))
    svg = render(scene_to_dot(scene, rankdir=rankdir, digits=digits, grad_of=final.get,
                              edge_derivatives=edge_derivatives, reference_of=reference.get if reference else None,
                              reference_name=reference_name), "svg").decode("utf-8")
    page_id = unique_id("tgs")
    data = _page_data(scene, steps, digits, reference, reference_name, (tolerance, rtol))
    title = title or f"backward through {scene.names[root]}"
    fragment = _fragment(page_id, title, _prefixed(_inline(svg), page_id), data,
                         summary, verdict is not None and not verdict.agrees)
    page = StepperPage(title, fragment, steps, verdict, page_id)
    return page.save(path) if path is not None else page


def _leftover_note(final, names, digits, shown=3):
    """What to tell a learner whose values hold a .grad that is neither 0 (no backward yet) nor
    what these steps give (one backward() from 0, as after zero_grad()): gradients accumulate,
    over backward() calls and from nn.fit's last batch, so .grad and viz.draw read sums."""
    held = [(value, value.grad, grad) for value, grad in final.items()
            if isinstance(value.grad, (int, float)) and value.grad not in (0.0, grad)]
    if not held:
        return ""
    listed = ", ".join(f"{names.get(value, '?')} {compact(now, digits)} where the steps give {compact(grad, digits)}"
                       for value, now, grad in held[:shown])
    more = f", and {len(held) - shown} more" if len(held) > shown else ""
    return (f"{len(held)} of these values hold a .grad other than these steps give ({listed}{more}): .grad "
            f"accumulates, over backward() calls and from an earlier training (nn.fit leaves its last batch's), "
            f"so .grad and viz.draw read the sums. The steps show one backward() from 0: call zero_grad() "
            f"(model.zero_grad(), or autograd.zero_grad(C)) before backward() for the two to agree.")


def _with_aliases(grads, aliases):
    """The gradients with each single-input Σ's too: it has no step (it is its input, whose only
    consumer it is), and its gradient is its input's, so the verdict compares it as
    `compare_gradients` does instead of calling it "not compared"."""
    return {**grads, **{alias: grads[value] for alias, value in aliases.items() if value in grads}}


def _check_page_options(path, reference_name, title):
    if path is not None:
        folder = as_path(path, "viz.stepper path")
        if folder.is_dir():  # found now, not after the work, and named (not a temporary file)
            raise IsADirectoryError(errno.EISDIR, f"viz.stepper path={str(path)!r} is a directory: give the "
                                    f"page's file name, such as {str(folder / 'backward.html')!r}")
    as_text(reference_name, "viz.stepper reference_name")
    as_text(title, "viz.stepper title", optional=True)


def stepper_frames(root, folder, *, format="svg", digits=4, parameters=None, constants=None, collapse=None,
                   focus=None, depth=2, rankdir="LR", edge_derivatives=True, max_nodes=MAX_NODES,
                   max_values=MAX_VALUES, dpi=144):
    """One picture per step (step_000.svg, step_001.svg, ... or .png) for slides, all with
    the same layout and each with its step's text under the graph, plus steps.txt with
    every step's text. Returns the list of picture paths."""
    format = as_choice(format, "viz: stepper_frames format", ("svg", "png"))
    folder, dpi = as_path(folder, "viz.stepper_frames folder"), as_real(dpi, "viz.stepper_frames dpi", positive=True)
    scene = build_scene(root, parameters=parameters, constants=constants, collapse=collapse, focus=focus,
                        depth=depth, max_nodes=max_nodes, max_values=max_values)
    steps = backward_steps(root, digits, parameters=parameters, constants=constants)
    final = gradients_after(steps, len(steps) - 1)
    options = dict(rankdir=rankdir, digits=digits, edge_derivatives=edge_derivatives)
    captions = [_frame_caption(s.number, s.text, _not_drawn(scene, s)) for s in steps]
    height = max(len(caption_lines(caption)) for caption in captions)
    options["caption_lines"] = height
    sizes = grad_cell_sizes(render(scene_to_dot(scene, grad_of=final.get, caption=" ", **options), "svg"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for step in steps:
        dot = scene_to_dot(scene, grad_of=gradients_after(steps, step.number).get,
                           highlight=step.node if step.node is not None else (step.shows or (None,))[0],
                           cell_sizes=sizes, caption=captions[step.number], **options)
        path = folder / f"step_{step.number:03d}.{format}"
        path.write_bytes(render(dot, format, dpi=dpi if format == "png" else None))
        paths.append(path)
    (folder / "steps.txt").write_text("".join(f"step {s.number}: {visible(s.text)}\n" for s in steps), encoding="utf-8")
    _remove_stale_frames(folder, paths)
    return paths


_FRAME_NAME = re.compile(r"step_\d{3,}\.(svg|png)")


def _remove_stale_frames(folder, paths):
    """Remove the frames an earlier call left in a reused folder that this call did not write
    (a longer graph's step_014.svg, the other format's step_000.png): a slide deck made from the
    folder would show them as steps of this graph. Only after every new frame is written, so a
    failed call leaves the old series whole; only files named as frames are touched."""
    kept = {path.name for path in paths}
    for path in folder.iterdir():
        if _FRAME_NAME.fullmatch(path.name) and path.name not in kept and path.is_file():
            path.unlink()


def _frame_caption(number, text, not_drawn=False):
    where = "\n(this step's node is not in this picture)" if not_drawn else ""
    return (f"Step {number}: {text}{where}\n"
            f"(edge numbers: the local derivative ∂out/∂in of the op the edge enters)")


def grad_cell_sizes(svg):
    """{grad cell id: (width, height)} in whole points, read from a rendered SVG."""
    sizes = {}
    for group in ET.fromstring(svg).iter(f"{SVG_NS}g"):
        match = re.fullmatch(r"a_(g\d+)", group.get("id", ""))
        polygon = group.find(f".//{SVG_NS}polygon")
        if match and polygon is not None:
            xs, ys = zip(*(map(float, point.split(",")) for point in polygon.get("points").split()))
            sizes[match.group(1)] = (math.ceil(max(xs) - min(xs)), math.ceil(max(ys) - min(ys)))
    return sizes


def _page_data(scene, steps, digits, reference, reference_name, tolerances):
    edge_of = {}
    for edge in scene.edges:
        for parent, consumer, _ in edge.pairs:
            edge_of.setdefault((scene.aliases.get(parent, parent), consumer), edge.id)
    known_at = {step.node: step.number for step in steps[1:] if step.node is not None}
    cells = [[f"g{scene.index[value]}", compact(step.grad, digits), known_at[value]]
             for step in steps[1:] for value in [step.node] if value is not None and _has_cell(scene, value)]
    cells += [[f"r{scene.index[value]}", compact(reference[value], digits), known_at[value]]
              for value in reference if value in known_at and value in scene.box_of]  # hidden until its step
    grads = gradients_after(steps, len(steps) - 1)
    return {"steps": [_step_data(scene, s, digits, edge_of, reference, reference_name, tolerances, grads)
                      for s in steps],
            "cells": cells}


def _step_data(scene, step, digits, edge_of, reference, reference_name, tolerances, grads):
    node = step.node
    shown = [node] if node is not None else list(step.shows)
    boxes = list(dict.fromkeys(scene.box_of[v].id for v in shown if v in scene.box_of))
    data = {
        "kind": step.kind,
        "boxes": boxes,
        "cell": f"g{scene.index[node]}" if node is not None and _has_cell(scene, node) else None,
        "name": visible(scene.names[node]) if node is not None else "",
        "grad": compact(step.grad, digits),
        "exact": repr(step.grad) if step.grad is not None else "",
        "text": visible(step.text),
        "edges": sorted({edge_of[(node, t.consumer)] for t in step.terms if (node, t.consumer) in edge_of}),
        "sources": list(dict.fromkeys(scene.box_of[t.consumer].id for t in step.terms
                                      if t.consumer in scene.box_of and scene.box_of[t.consumer].id not in boxes)),
        "reference": "", "agrees": None,
    }
    if step.kind == "layer":  # the layer's vector δ(l): its z nodes and their gradients
        data["name"] = ", ".join(visible(scene.names[v]) for v in step.shows)
        data["grad"] = "(" + ", ".join(compact(grads[v], digits) for v in step.shows) + ")"
    if step.kind == "error":
        data["name"] = visible(scene.names[step.shows[0]]) if step.shows else ""
    if _not_drawn(scene, step):
        data["name"] += NOT_DRAWN
    if node is not None and node in reference:
        other = reference[node]
        difference = abs(step.grad - other)
        data["agrees"] = within(step.grad, other, *tolerances)  # the rule of the page's verdict line
        bound = tolerance_text(*tolerances)
        verdict = f"agrees to within {bound}" if data["agrees"] else f"DIFFERS by more than {bound}"
        data["reference"] = f"; {reference_name}: {compact(other, digits)} ({other!r}), {verdict} (difference {difference:.2g})"
    return data


NOT_DRAWN = " (not in this picture)"  # a focus= picture draws a few nodes; backward steps through all


def _not_drawn(scene, step):
    """True when the step is about values and none of them is drawn (outside focus=/depth=)."""
    about = [step.node] if step.node is not None else list(step.shows)
    return bool(about) and not any(value in scene.box_of for value in about)


def _has_cell(scene, value):
    box = scene.box_of.get(value)
    return box is not None and box.role != "constant" and any(row_value is value for _, row_value in box.rows)


def _inline(svg):
    """The <svg> element alone: an XML prolog and DOCTYPE are not allowed inside HTML."""
    return svg[svg.index("<svg"):]


def _prefixed(svg, page_id):
    """Every id of the SVG made unique to this page, so that two steppers in one notebook
    never find each other's nodes."""
    return re.sub(r'\bid="([^"]*)"', lambda m: f'id="{page_id}-{m[1]}"', svg)


def _fragment(page_id, title, svg, data, summary, disagree):
    # One pass over the template, so that a label containing "%DATA%" (say) is never replaced.
    summary_html = xml_text(summary)
    parts = {"ID": page_id, "TITLE": xml_text(title), "SVG": svg, "DATA": script_json(data),
             "CSS": resource("stepper.css"), "JS": resource("stepper.js").replace("%ID%", page_id),
             "SUMMARY": summary_html}
    html = re.sub(r"%(ID|TITLE|SVG|DATA|CSS|JS|SUMMARY)%", lambda marker: parts[marker[1]], resource("stepper.html"))
    if disagree:
        html = html.replace('class="tg-summary"', 'class="tg-summary tg-disagree"', 1)
    return html
