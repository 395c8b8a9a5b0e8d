"""The backward stepper: one offline HTML page (and optional per-step frames) that walks
through `viz.backward_steps`, highlighting the node whose gradient each step completes.

The graph is laid out ONCE (with every final gradient in place, so each box is as wide as it
will ever need); each step only rewrites the text of the grad cells and moves the highlight,
so nothing jumps. The page embeds its SVG, script and data: it opens from file:// with no
network, CDN or server.
"""

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from .dot import scene_to_dot
from .escape import script_json, visible, xml_text
from .render import MAX_NODES, render
from .scene import build_scene
from .steps import backward_steps, gradients_after
from .style import HIGHLIGHT, compact

SVG_NS = "{http://www.w3.org/2000/svg}"


def stepper(root, path, *, digits=4, parameters=None, collapse=None, focus=None, depth=2,
            rankdir="LR", edge_derivatives=True, max_nodes=MAX_NODES, title=None):
    """Write the stepper page for the graph of `root` to `path` (one .html file); return its Path."""
    scene = build_scene(root, parameters=parameters, collapse=collapse, focus=focus, depth=depth,
                        max_nodes=max_nodes)  # first: a graph too big is refused before any work
    steps = backward_steps(root, digits)
    final = gradients_after(steps, len(steps) - 1)
    svg = render(scene_to_dot(scene, rankdir=rankdir, digits=digits, grad_of=final.get,
                              edge_derivatives=edge_derivatives), "svg").decode("utf-8")
    data = _page_data(scene, steps, digits)
    title = title or f"backward through {scene.names[root]}"
    path = Path(path)
    path.write_text(_page(title, _inline(svg), data), encoding="utf-8")
    return path


def stepper_frames(root, folder, *, format="svg", digits=4, parameters=None, collapse=None,
                   focus=None, depth=2, rankdir="LR", edge_derivatives=True, max_nodes=MAX_NODES,
                   dpi=144):
    """One picture per step (step_000.svg, step_001.svg, ... or .png) for slides, all with
    the same layout, plus steps.txt with each step's text. Returns the list of picture paths."""
    if format not in ("svg", "png"):
        raise ValueError(f"viz: stepper_frames format={format!r}: expected 'svg' or 'png'")
    scene = build_scene(root, parameters=parameters, collapse=collapse, focus=focus, depth=depth,
                        max_nodes=max_nodes)  # first: a graph too big is refused before any work
    steps = backward_steps(root, digits)
    final = gradients_after(steps, len(steps) - 1)
    options = dict(rankdir=rankdir, digits=digits, edge_derivatives=edge_derivatives)
    sizes = grad_cell_sizes(render(scene_to_dot(scene, grad_of=final.get, **options), "svg"))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for step in steps:
        dot = scene_to_dot(scene, grad_of=gradients_after(steps, step.number).get,
                           highlight=step.node, cell_sizes=sizes, **options)
        path = folder / f"step_{step.number:03d}.{format}"
        path.write_bytes(render(dot, format, dpi=dpi if format == "png" else None))
        paths.append(path)
    (folder / "steps.txt").write_text("".join(f"step {s.number}: {visible(s.text)}\n" for s in steps), encoding="utf-8")
    return paths


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


def _page_data(scene, steps, digits):
    edge_of = {}
    for edge in scene.edges:
        for parent, consumer, _ in edge.pairs:
            edge_of.setdefault((parent, consumer), edge.id)
    known_at = {step.node: step.number for step in steps[1:]}
    cells = [[f"g{scene.index[value]}", compact(step.grad, digits), known_at[value]]
             for step in steps[1:] for value in [step.node] if _has_cell(scene, value)]
    return {
        "steps": [{
            "box": scene.box_of[s.node].id if s.node in scene.box_of else None,
            "cell": f"g{scene.index[s.node]}" if s.node is not None and _has_cell(scene, s.node) else None,
            "name": visible(scene.names[s.node]) if s.node is not None else "",
            "grad": compact(s.grad, digits),
            "exact": repr(s.grad) if s.grad is not None else "",
            "text": visible(s.text),
            "edges": sorted({edge_of[(s.node, t.consumer)] for t in s.terms if (s.node, t.consumer) in edge_of}),
        } for s in steps],
        "cells": cells,
    }


def _has_cell(scene, value):
    box = scene.box_of.get(value)
    return box is not None and any(row_value is value for _, row_value in box.rows)


def _inline(svg):
    """The <svg> element alone: an XML prolog and DOCTYPE are not allowed inside HTML."""
    return svg[svg.index("<svg"):]


def _page(title, svg, data):
    # One pass over the template, so that a label containing "%DATA%" (say) is never replaced.
    parts = {"TITLE": xml_text(title), "HIGHLIGHT": HIGHLIGHT, "SVG": svg, "DATA": script_json(data)}
    return re.sub(r"%(TITLE|HIGHLIGHT|SVG|DATA)%", lambda marker: parts[marker[1]], _TEMPLATE)


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%TITLE%</title>
<style>
  body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 1em; color: #222; }
  h1 { font-size: 1.2em; }
  #controls { display: flex; gap: .6em; align-items: center; margin: .5em 0; }
  #controls input[type=range] { flex: 1; max-width: 40em; }
  #explain { font-size: 1.05em; background: #f6f6f6; border-left: 4px solid %HIGHLIGHT%;
             padding: .5em .8em; min-height: 2.6em; white-space: pre-wrap; }
  #graph { overflow: auto; border: 1px solid #ddd; margin-top: .6em; }
  #graph svg { max-width: none; }
  g.node.current polygon { stroke: %HIGHLIGHT%; stroke-width: 3px; }
  g.node.current > polygon:first-of-type { fill: #fde0cc; }
  g.cell-current polygon { fill: #ffd27f; }
  g.edge.term path { stroke: %HIGHLIGHT%; stroke-width: 3px; }
  g.edge.term polygon { stroke: %HIGHLIGHT%; fill: %HIGHLIGHT%; }
  .muted { color: #666; font-size: .9em; }
</style>
</head>
<body>
<h1>%TITLE%</h1>
<div id="controls">
  <button id="prev" type="button">&#9664; Prev</button>
  <button id="next" type="button">Next &#9654;</button>
  <input id="slider" type="range" min="0" value="0" aria-label="step">
  <span id="counter"></span>
</div>
<div id="explain"></div>
<p class="muted">Current node: <b id="node-name"></b>, gradient <b id="grad-value"></b>
  <span id="grad-exact" title="exact value"></span>.
  Keys: &#8592; &#8594; step, Home/End jump. A gradient not computed yet shows ?.</p>
<div id="graph">%SVG%</div>
<script id="steps-data" type="application/json">%DATA%</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var steps = data.steps, last = steps.length - 1, current = 0;
  var slider = document.getElementById("slider");
  slider.max = String(last);

  // Grad cells: centre their text once, so that "?" and numbers sit in the middle of the cell.
  var cells = data.cells.map(function (c) {
    var group = document.getElementById("a_" + c[0]);
    var text = group ? group.querySelector("text") : null;
    if (text) {
      var box = group.querySelector("polygon").getBBox();
      text.setAttribute("text-anchor", "middle");
      text.setAttribute("x", String(box.x + box.width / 2));
    }
    return { group: group, text: text, grad: c[1], knownAt: c[2] };
  });

  function byId(id) { return id ? document.getElementById(id) : null; }
  function clear(cls) {
    Array.prototype.forEach.call(document.querySelectorAll("." + cls), function (el) {
      el.classList.remove(cls);
    });
  }

  function show(k) {
    current = Math.max(0, Math.min(last, k));
    var step = steps[current];
    cells.forEach(function (c) {
      if (c.text) c.text.textContent = c.knownAt <= current ? c.grad : "?";
    });
    clear("current"); clear("cell-current"); clear("term");
    var box = byId(step.box), cell = byId(step.cell ? "a_" + step.cell : null);
    if (box) { box.classList.add("current"); box.scrollIntoView({block: "nearest", inline: "nearest"}); }
    if (cell) cell.classList.add("cell-current");
    step.edges.forEach(function (id) { var e = byId(id); if (e) e.classList.add("term"); });
    document.getElementById("explain").textContent = "Step " + current + ": " + step.text;
    document.getElementById("node-name").textContent = step.name || "(none yet)";
    document.getElementById("grad-value").textContent = step.exact ? step.grad : "?";
    document.getElementById("grad-exact").textContent = step.exact ? "(" + step.exact + ")" : "";
    document.getElementById("counter").textContent = "step " + current + " / " + last;
    document.body.setAttribute("data-step", String(current));
    document.body.setAttribute("data-box", step.box || "");
    slider.value = String(current);
  }

  document.getElementById("prev").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider) return;  // the slider handles its own arrow keys
    var moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: last };
    if (event.key in moves) { event.preventDefault(); show(moves[event.key]); }
  });
  show(0);
})();
</script>
</body>
</html>
"""
