"""Pictures through pygraphviz, in-process: its wheels bundle Graphviz, so no `dot` program
and no system Graphviz are needed. Text is set in DejaVu Sans, from matplotlib's wheel."""

import os
import re
import sys
import tempfile
from contextlib import contextmanager

from .checks import as_choice, as_path, as_real, as_text
from .dot import to_dot
from .fonts import bundled_font
from .scene import MAX_VALUES

MAX_NODES = 500  # see the README: past this a picture is unreadable and layout gets slow
FORMATS = ("svg", "png", "pdf", "dot")


def draw(root, *, format="svg", rankdir="LR", digits=4, grads="auto", parameters=None, constants=None, collapse=None,
         focus=None, depth=2, edge_derivatives=False, highlight=None, max_nodes=MAX_NODES, max_values=MAX_VALUES):
    """A `Drawing` of the graph of `root` (options as in `viz.to_dot`).

    `format` is what `.render(filename)` and `.pipe()` write when not told otherwise, as
    graphviz's `Digraph(format=...)` (micrograd's `draw_dot(root, format="svg")`): "svg",
    "png", "pdf" or "dot". Jupyter shows SVG whatever it is, as graphviz does.

    Refuses with a ValueError, before any layout, a graph of more than `max_nodes` drawn
    nodes (value boxes plus op nodes); the message names collapse=, focus=/depth= and max_nodes=.
    A graph of more than `max_values` values is refused before it is walked at all.
    """
    format = _as_format(format, "viz.draw format")  # before the graph is walked
    return Drawing(to_dot(root, rankdir=rankdir, digits=digits, grads=grads, parameters=parameters,
                          constants=constants, collapse=collapse, focus=focus, depth=depth,
                          edge_derivatives=edge_derivatives, highlight=highlight, max_nodes=max_nodes,
                          max_values=max_values), format=format)


def _as_format(format, name):
    """One of FORMATS, in any case (as graphviz takes "PNG"); the error names the argument."""
    as_text(format, name)
    return as_choice(format.lower(), name, FORMATS, hint=" (the formats viz writes)")


class Drawing:
    """A graph picture: `.dot` text (`.source`), `.svg()`, `.png()`, `.pdf()`, `.save(path)`,
    and as graphviz's Digraph `.format`, `.render(filename)`, `.pipe()`; shows itself in
    Jupyter as SVG."""

    def __init__(self, dot, format="svg"):
        self.dot = dot
        self.format = format
        self._svg = None

    @property
    def format(self):
        """What `.render` and `.pipe` write by default: "svg", "png", "pdf" or "dot"."""
        return self._format

    @format.setter
    def format(self, format):
        self._format = _as_format(format, "viz: Drawing.format")

    @property
    def source(self):
        """The DOT text, under graphviz's name."""
        return self.dot

    def __repr__(self):
        return f"<viz.Drawing: {self.dot.count(chr(10))} lines of DOT; .svg(), .png(), .save(path)>"

    def svg(self):
        if self._svg is None:
            self._svg = render(self.dot, "svg").decode("utf-8")
        return self._svg

    def png(self, dpi=144):
        return render(self.dot, "png", dpi=dpi)

    def pdf(self):
        return render(self.dot, "pdf")

    def save(self, path):
        """Write the picture to `path`; the extension (.svg, .png, .pdf, .dot) picks the format."""
        path = as_path(path, "viz: Drawing.save path")
        kind = path.suffix.lower().lstrip(".")
        if kind not in FORMATS:
            raise ValueError(f"viz: cannot save {str(path)!r}: the extension must be one of "
                             f"{', '.join('.' + f for f in FORMATS)}")
        if kind == "dot":
            path.write_text(self.dot, encoding="utf-8")
        elif kind == "svg":
            path.write_text(self.svg(), encoding="utf-8")
        else:
            path.write_bytes(self.png() if kind == "png" else self.pdf())
        return path

    def render(self, filename, *, format=None):
        """Write the picture to filename + "." + format and return that path, as graphviz's
        `Digraph.render` does, so that micrograd's `draw_dot(y).render("gout")` runs as written
        (gout.svg). A thin alias of `.save`: format is one of its extensions, without the dot;
        None is the drawing's `.format` (`viz.draw(y, format="png").render("gout")`: gout.png).
        Unlike graphviz, no DOT source is written beside the picture (format="dot" writes it)."""
        as_path(filename, "viz: Drawing.render filename")
        if format is None:
            format = self.format
        as_text(format, "viz: Drawing.render format")
        return self.save(f"{os.fspath(filename)}.{format}")

    def pipe(self, format=None):
        """The picture as bytes, as graphviz's `Digraph.pipe`: in `format`, else `.format`."""
        format = self.format if format is None else _as_format(format, "viz: Drawing.pipe format")
        if format in ("svg", "dot"):
            return (self.svg() if format == "svg" else self.dot).encode("utf-8")
        return self.png() if format == "png" else self.pdf()

    def _repr_svg_(self):
        return self.svg()

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg(), "text/plain": repr(self)}


def render(dot, format, dpi=None):
    """Lay out and render DOT text with the Graphviz bundled in pygraphviz."""
    import pygraphviz  # imported here so that to_dot works without it

    graph = pygraphviz.AGraph(string=dot)
    args = f"-Gdpi={as_real(dpi, 'viz: dpi', positive=True):g}" if dpi is not None else ""
    with bundled_font(), _quiet_fontconfig():
        drawn = graph.draw(format=format, prog="dot", args=args)
    return _anchors_numbered_in_order(_without_titles(drawn)) if format == "svg" else drawn


def _without_titles(svg):
    """The SVG without Graphviz's <title> elements: they hold its internal names (v0, o3,
    v0->o2), which a browser would show as tooltips. Every tooltip is set in the DOT instead."""
    return re.sub(rb"<title>[^<]*</title>\n?", b"", svg)


def _anchors_numbered_in_order(svg):
    """The anchors of table cells with a tooltip (id="a_v0_44") numbered from 0 in each picture:
    Graphviz counts them across every picture the process draws, so the same graph drew other
    ids after other pictures (and the tour's committed page differed from a rerun)."""
    numbers = {}

    def renumbered(match):
        number = numbers.setdefault(match[2], str(len(numbers)).encode())
        return b'id="a_' + match[1] + b"_" + number + b'"'

    return re.sub(rb'id="a_([A-Za-z0-9]+)_(\d+)"', renumbered, svg)


@contextmanager
def _quiet_fontconfig():
    """The fontconfig bundled in pygraphviz is older than Debian's /etc/fonts and warns about
    its newer elements once per process; harmless, so drop that line and pass on the rest."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode("utf-8", "replace").splitlines(keepends=True):
                if not line.startswith("Fontconfig warning"):
                    sys.stderr.write(line)
