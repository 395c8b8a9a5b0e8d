"""viz draws every elementary op of the table (by the table's drawing info) and steps through
its backward pass; a recorded backward pass (create_graph=True) draws like any graph."""

import xml.etree.ElementTree as ET

import autograd
import viz
from autograd import Value
from autograd.ops import symbol

SVG = "{http://www.w3.org/2000/svg}"
UNARY = ["sin", "cos", "tan", "atan", "sinh", "cosh", "asinh", "log1p", "expm1"]
INSIDE_ONE = ["asin", "acos", "atanh"]  # need |x| < 1
ABOVE_ONE = ["acosh", "log2", "log10"]


def every_elementary_op():
    x = Value(0.3, label="x")
    y = Value(1.7, label="y")
    nodes = [getattr(x, name)() for name in UNARY + INSIDE_ONE] + [getattr(y, name)() for name in ABOVE_ONE]
    nodes += [x.maximum(y), x.minimum(y)]
    out = autograd.sum(nodes)
    out.label = "f"
    return out, nodes


def svg_texts(svg):
    return [(t.text or "").replace("\xa0", " ") for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_every_elementary_op_is_drawn_with_the_tables_symbol():
    out, nodes = every_elementary_op()
    out.backward()
    texts = svg_texts(viz.draw(out).svg())
    for node in nodes:
        assert symbol(node) in texts, f"{node.op}: its symbol {symbol(node)!r} is not in the picture"
    assert {"max", "min", "log₂", "log₁₀", "ln(1+x)", "eˣ−1"} <= set(texts)


def test_a_picture_of_every_elementary_op_renders_as_png():
    out, _ = every_elementary_op()
    png = viz.draw(out).png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_the_backward_steps_cover_every_elementary_op_with_the_engines_numbers():
    out, nodes = every_elementary_op()
    steps = viz.backward_steps(out)
    grads = autograd.gradients(out)
    seen = {step.node for step in steps}
    for node in nodes:
        assert node in seen, f"no backward step at the {node.op} node"
    for step in steps:
        if step.node is not None:  # step 0 is the forward pass
            assert step.grad == grads[step.node]


def test_a_recorded_backward_pass_draws_like_any_graph():
    x = Value(0.5, label="x")
    (dfdx,) = autograd.grad(x.sin() * x, [x], create_graph=True)
    dfdx.label = "∂f/∂x"
    texts = svg_texts(viz.draw(dfdx).svg())
    assert "cos" in texts and "∂f/∂x" in texts
