"""The scene as DOT text: HTML-like tables for values, small circles for ops. No dependency."""

import textwrap

from .checks import as_choice, as_digits, as_flag, is_value
from .escape import dot_html, dot_string, shortened
from .names import input_place, is_compound
from .scene import MAX_VALUES, build_scene, grad_reader
from .style import EDGE_NOTE, DATA_COLOUR, FONT, HIGHLIGHT, HIGHLIGHT_FILL, OP_COLOUR, ROLE_COLOURS, compact

RANKDIRS = ("LR", "TB", "RL", "BT")
EDGE_TOOLTIP = "the number on an edge is the local derivative ∂out/∂in of the op it enters"


def to_dot(root, *, rankdir="LR", digits=4, grads="auto", parameters=None, constants=None, collapse=None,
           focus=None, depth=2, edge_derivatives=False, highlight=None, max_nodes=None, max_values=MAX_VALUES):
    """DOT text for the graph of `root`: one box per value (label, role, data, grad), one
    small node per op, edges from inputs to ops to results.

    rankdir           "LR" (inputs on the left, default), "TB", "RL" or "BT"
    digits            significant digits of every number shown
    grads             "auto" (grads once backward has run on root, else "?"), True, False,
                      or a mapping {value: gradient}; see `viz.scene.grad_reader`
    parameters        the trainable leaves: model.parameters(), a model, or a list; see `viz.roles`
    constants         leaves that are constants (a target y); leaves that do not require grad are constants too
    collapse          None, "neuron" (z and a of each neuron in one box) or "layer"
    focus, depth      draw only the values within `depth` steps of the value `focus`
    edge_derivatives  write each edge's local derivative ∂out/∂in on it
    highlight         one value of the picture whose box is drawn with a thick outline, or None
    max_nodes         refuse (ValueError) a picture of more drawn nodes (None: no limit)
    max_values        refuse a graph of more values, before walking it
    """
    scene = build_scene(root, parameters=parameters, constants=constants, collapse=collapse, focus=focus,
                        depth=depth, max_nodes=max_nodes, max_values=max_values)
    return scene_to_dot(scene, rankdir=rankdir, digits=digits, grad_of=grad_reader(root, grads),
                        edge_derivatives=edge_derivatives, highlight=_drawn(scene, highlight))


def _drawn(scene, highlight):
    """The value to highlight, which must be drawn: a silently missing outline would hide the
    slip. One Value, not a list: the stepper's frames highlight one node per step."""
    if highlight is None:
        return None
    if not is_value(highlight):
        raise TypeError(f"viz: highlight= got {type(highlight).__name__} {highlight!r:.60}: expected one Value "
                        f"of the picture (or None)")
    if highlight not in scene.box_of:
        raise ValueError(f"viz: highlight={highlight!r:.60} is not drawn in this picture: not a node of this "
                         f"graph, or outside focus=/depth=")
    return highlight


def scene_to_dot(scene, *, rankdir="LR", digits=4, grad_of=lambda value: None,
                 edge_derivatives=False, highlight=None, cell_sizes=None, reference_of=None,
                 reference_name="PyTorch", caption="", caption_lines=None):
    """DOT for a scene. `cell_sizes` {grad cell id: (width, height)} pins the size of grad
    cells, so that frames showing "?" or a number all get the very same layout.
    `reference_of` value -> another engine's gradient (or None) adds a row beside grad;
    `caption` is a text drawn under the graph (a frame's step), in a box of `caption_lines`
    lines (default: as many as it needs), so that frames with captions of any length keep
    the very same layout."""
    rankdir = as_choice(rankdir, "viz: rankdir", RANKDIRS)
    digits, edge_derivatives = as_digits(digits), as_flag(edge_derivatives, "viz: edge_derivatives")
    lines = [
        "digraph tracegrad {",
        f"  graph [rankdir={rankdir}, ordering=in, nodesep=0.25, ranksep=0.35, fontname={dot_string(FONT)}, "
        'bgcolor="white"];',
        f'  node [fontname={dot_string(FONT)}, fontsize=12];',
        f'  edge [fontname={dot_string(FONT)}, fontsize=10, color="#555555", arrowsize=0.7];',
    ]
    caption = caption or (EDGE_NOTE if edge_derivatives else "")
    if caption:
        lines.append(f"  graph [labelloc=b, labeljust=l, fontsize=12, label=<{_caption(caption, caption_lines)}>];")
    table = dict(digits=digits, grad_of=grad_of, cell_sizes=cell_sizes, reference_of=reference_of,
                 reference_name=reference_name)
    for data in scene.data:
        lines.append(f"  {data.id} [id={data.id}, shape=plain, label=<{_data_table(data, digits)}>];")
    highlighted = scene.box_of.get(highlight)
    for box in scene.boxes:
        lines.append(f"  {box.id} [id={box.id}, shape=plain, "
                     f"label=<{_box_table(scene, box, box is highlighted, **table)}>];")
    for op in scene.ops:
        tooltip = _tooltip(f"{op.symbol}: the op that computes {shortened(scene.names[op.value])[0]}")
        lines.append(f"  {op.id} [id={op.id}, shape=circle, style=filled, fillcolor={dot_string(OP_COLOUR)}, "
                     f"margin=0.02, width=0.3, fontsize=11, label=<{dot_html(op.symbol)}>, tooltip={tooltip}];")
    for head, missing in scene.hidden:
        hidden = _tooltip(f"{missing} input{'s' if missing > 1 else ''} of this op outside focus=/depth=")
        lines.append(f'  h{head} [shape=plaintext, fontsize=10, fontcolor="#777777", '
                     f'label=<{missing} input{"s" if missing > 1 else ""} not drawn>, tooltip={hidden}];')
        lines.append(f'  h{head} -> {head} [style=dashed, tooltip={hidden}];')
    op_of = {op.id: op for op in scene.ops}
    for edge in scene.edges:
        label = ""
        if edge_derivatives and _one_value(edge):
            shown = _derivatives(edge.pairs, digits)
            label = f", label=<{dot_html(shown)}>"
        style = ", style=dashed" if edge.from_data else ""
        lines.append(f"  {edge.tail} -> {edge.head} [id={edge.id}{label}{style}, "
                     f"tooltip={_edge_tooltip(scene, edge, op_of, digits)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _one_value(edge):
    """True when the edge carries one value into one op, read once (label ∂z/∂x) or more
    (x · x: label "3 + 3", the terms its gradient sums); a folded box's edge carries several."""
    return bool(edge.pairs) and len({(id(parent), id(consumer)) for parent, consumer, _ in edge.pairs}) == 1


def _derivative(derivative, digits):
    return compact(derivative, digits) if derivative is not None else "not finite"


def _derivatives(pairs, digits):
    """An edge's label: ∂z/∂x, or the terms of a value read twice as the steps add them,
    a negative one bracketed: (-2) + (-2), not -2 + -2."""
    shown = [_derivative(derivative, digits) for _, _, derivative in pairs]
    if len(shown) == 1:
        return shown[0]
    return " + ".join(f"({term})" if term.startswith("-") else term for term in shown)


def _tooltip(text):
    """A node's or edge's tooltip, for the SVG: always words, never Graphviz's internal name."""
    return dot_string(text.replace("\n", " "))


def _edge_tooltip(scene, edge, op_of, digits):
    """What flows along the edge: ∂z/∂x = … for each value it carries, the op's result, or data."""
    if edge.from_data:
        return _tooltip("data x: no gradient flows back along this edge")
    if edge.tail in op_of:
        op = op_of[edge.tail]
        return _tooltip(f"the result of {op.symbol}: {shortened(scene.names[op.value])[0]}")
    if not edge.pairs:
        return _tooltip(EDGE_TOOLTIP)
    def named(value):  # ∂(w · x)/∂w, not ∂w · x/∂w; ∂o/∂(x1*w1), not ∂o/∂x1*w1
        name = shortened(scene.names[value])[0]
        return f"({name})" if is_compound(name) else name
    twice = _one_value(edge) and len(edge.pairs) > 1
    slots = [i for i, p in enumerate(edge.pairs[0][1].parents) if p is edge.pairs[0][0]] if twice else []
    terms = [f"∂{named(consumer)}/∂{named(parent)} = {_derivative(derivative, digits)}"
             + (f" ({input_place(consumer, slots[n])})" if twice else "")
             for n, (parent, consumer, derivative) in enumerate(edge.pairs[:4])]
    more = f"; and {len(edge.pairs) - 4} more" if len(edge.pairs) > 4 else ""
    return _tooltip(f"{'; '.join(terms)}{more} ({EDGE_TOOLTIP})")


def _box_table(scene, box, highlighted, *, digits, grad_of, cell_sizes, reference_of, reference_name):
    """The value's box. A highlighted box changes colours only, never sizes, so that
    highlighting cannot move anything in the layout. A constant has no grad row: it is not
    a leaf that backward gives a gradient to."""
    colour = ROLE_COLOURS[box.role]
    border = f' COLOR="{HIGHLIGHT}"' if highlighted else ""
    title_fill = f' BGCOLOR="{HIGHLIGHT_FILL}"' if highlighted else ""
    single = box.rows == [("", box.members[0])]
    span = 2 if single else (4 if reference_of else 3)
    title, full = shortened(box.title)
    tooltip = f' TOOLTIP="{_attribute(full)}"'  # the whole label: the box may show it shortened
    cells = [f'<TR><TD COLSPAN="{span}"{title_fill}{tooltip}><B>{dot_html(title)}</B><BR/>'
             f'<FONT POINT-SIZE="9" COLOR="#444444">{box.role}</FONT></TD></TR>']
    if single:
        value = box.members[0]
        cells.append(f'<TR><TD ALIGN="LEFT">data</TD><TD>{compact(value.data, digits)}</TD></TR>')
        if box.role != "constant":
            cells.append(f'<TR><TD ALIGN="LEFT">grad</TD>{_grad_cell(scene, value, digits, grad_of, cell_sizes)}</TR>')
        if reference_of and reference_of(value) is not None:
            cells.append(f'<TR><TD ALIGN="LEFT">{dot_html(reference_name)}</TD>'
                         f'{_reference_cell(scene, value, reference_of(value), digits)}</TR>')
    else:
        extra = f'<TD><I>{dot_html(reference_name)}</I></TD>' if reference_of else ""
        cells.append(f'<TR><TD></TD><TD><I>data</I></TD><TD><I>grad</I></TD>{extra}</TR>')
        for name, value in box.rows:
            other = ""
            if reference_of:
                other = _reference_cell(scene, value, reference_of(value), digits)
            cells.append(f'<TR><TD ALIGN="LEFT">{dot_html(shortened(name)[0])}</TD><TD>{compact(value.data, digits)}</TD>'
                         f'{_grad_cell(scene, value, digits, grad_of, cell_sizes)}{other}</TR>')
    if box.note:
        cells.append(f'<TR><TD COLSPAN="{span}"><FONT POINT-SIZE="9">{dot_html(box.note)}</FONT></TD></TR>')
    return (f'<TABLE BORDER="2"{border} CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
            f'BGCOLOR="{colour}">' + "".join(cells) + "</TABLE>")


def _reference_cell(scene, value, number, digits):
    """The other engine's gradient, with an ID (as a grad cell has) so that the stepper can
    hide it until its own gradient is known: the answer is not given away before the step."""
    if number is None:
        return "<TD></TD>"
    return f'<TD ID="r{scene.index[value]}" TOOLTIP="the reference gradient">{compact(number, digits)}</TD>'


def _attribute(text):
    """Text for an attribute of an HTML-like label (a TOOLTIP)."""
    return dot_html(text.replace("\n", " "))


CAPTION_WIDTH = 100  # characters per line of a frame's caption


def caption_lines(text):
    """A caption's lines, wrapped at CAPTION_WIDTH characters."""
    return [line for paragraph in text.split("\n") for line in (textwrap.wrap(paragraph, CAPTION_WIDTH) or [""])]


def _caption(text, lines=None):
    """A frame's step text under the picture, in a box of fixed size (`lines` lines high)."""
    wrapped = caption_lines(text)
    height = 15 * max(lines or 0, len(wrapped)) + 8
    body = "<BR ALIGN=\"LEFT\"/>".join(dot_html(line) for line in wrapped) + "<BR ALIGN=\"LEFT\"/>"
    return (f'<TABLE BORDER="0" CELLPADDING="2"><TR><TD FIXEDSIZE="TRUE" WIDTH="{7 * CAPTION_WIDTH}" '
            f'HEIGHT="{height}" ALIGN="LEFT" VALIGN="TOP" BALIGN="LEFT">{body}</TD></TR></TABLE>')


def _data_table(data, digits):
    """Data x: a number per row and no grad column, since data is not in the graph."""
    cells = [f'<TR><TD COLSPAN="2"><B>{dot_html(data.title)}</B><BR/>'
             f'<FONT POINT-SIZE="9" COLOR="#444444">data (constants, no gradient)</FONT></TD></TR>']
    cells += [f'<TR><TD ALIGN="LEFT">x_{k}</TD><TD>{compact(x_k, digits)}</TD></TR>'
              for k, x_k in enumerate(data.x, start=1)]
    return (f'<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
            f'BGCOLOR="{DATA_COLOUR}">' + "".join(cells) + "</TABLE>")


def _grad_cell(scene, value, digits, grad_of, cell_sizes):
    """The grad cell carries an ID (and so a tooltip, which makes Graphviz emit the ID into
    the SVG) so that the stepper can rewrite just this text at each step."""
    cell = f"g{scene.index[value]}"
    size = ""
    if cell_sizes and cell in cell_sizes:
        width, height = cell_sizes[cell]
        size = f' FIXEDSIZE="TRUE" WIDTH="{width}" HEIGHT="{height}"'
    return (f'<TD ID="{cell}"{size} TOOLTIP="gradient">'
            f'{compact(grad_of(value), digits)}</TD>')
