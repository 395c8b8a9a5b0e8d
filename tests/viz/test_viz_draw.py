"""viz pictures: DOT text, SVG/PNG/PDF rendering (in-process, no `dot` program), what a box
shows, roles, Jupyter display, collapse/focus on a 2-16-16-1 MLP, and the size refusal."""

import random
import re
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pygraphviz
import pytest
from hypothesis import given, settings, strategies as st

import autograd
import viz
import viz.render
import viz.scene
from autograd import Value
from autograd.engine import gradients
from viz.escape import visible
from viz.style import compact

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg):
    """Every text element of an SVG, with Graphviz's no-break spaces read as spaces."""
    return [(t.text or "").replace("\xa0", " ") for t in ET.fromstring(svg).iter(f"{SVG}text")]


def neuron_graph():
    """The notes' single tanh neuron and a squared-error cost C = (a - 1)^2 / 2."""
    x = [Value(2.0, label="x1"), Value(-1.0, label="x2")]
    w = [Value(-3.0, label="w1"), Value(1.0, label="w2")]
    b = Value(6.8813735870195432, label="b")
    z = autograd.dot(w, x, b)
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    cost = (a - 1) ** 2 * 0.5
    cost.label = "C"
    return cost, dict(x=x, w=w, b=b, z=z, a=a)


def mlp_2_16_16_1(seed=0):
    """A 2-16-16-1 tanh MLP (linear output) and its cost, labelled as the notes do:
    z(l)_j, a(l)_j, w(l)_j,k, b(l)_j, x_k; the first hidden layer is layer 2."""
    rng = random.Random(seed)
    xs = [Value(0.5, label="x_1"), Value(-1.5, label="x_2")]
    activations, parameters, sizes = xs, [], [16, 16, 1]
    for layer, size in enumerate(sizes, start=2):
        outputs = []
        for j in range(1, size + 1):
            ws = [Value(rng.uniform(-1, 1), label=f"w({layer})_{j},{k}") for k in range(1, len(activations) + 1)]
            b = Value(rng.uniform(-1, 1), label=f"b({layer})_{j}")
            parameters += ws + [b]
            z = autograd.dot(ws, activations, b)
            z.label = f"z({layer})_{j}"
            if layer == 2 + len(sizes) - 1:  # the output neuron is linear: a is z itself
                outputs.append(z)
                continue
            a = z.tanh()
            a.label = f"a({layer})_{j}"
            outputs.append(a)
        activations = outputs
    y = Value(0.25, label="y")
    cost = 0.5 * (activations[0] - y) ** 2
    cost.label = "C"
    return cost, parameters


def nn_mlp_2_16_16_1(seed=0):
    """The same network built by nn (viz must find its neurons from the graph alone), its
    inputs made x_k leaves by nn.inputs so that they are drawn."""
    import nn
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=seed)
    y = Value(0.25, label="y")
    cost = 0.5 * (model(nn.inputs([0.5, -1.5])) - y) ** 2
    cost.label = "C"
    return cost, model.parameters()


@pytest.fixture(params=["autograd.dot", "nn.MLP"])
def mlp(request):
    return mlp_2_16_16_1 if request.param == "autograd.dot" else nn_mlp_2_16_16_1


# --- DOT --------------------------------------------------------------------------------

def test_to_dot_is_dot_text_graphviz_parses_with_one_box_per_value_and_one_node_per_op():
    cost, _ = neuron_graph()
    dot = viz.to_dot(cost)
    order = autograd.topological_order(cost)
    graph = pygraphviz.AGraph(string=dot)
    ops = [v for v in order if v.op]
    assert len(graph.nodes()) == len(order) + len(ops)
    assert graph.graph_attr["rankdir"] == "LR"
    assert viz.to_dot(cost, rankdir="TB").count("rankdir=TB") == 1


def test_op_nodes_show_the_ops_symbol():
    cost, n = neuron_graph()
    texts = svg_texts(viz.draw(cost).svg())
    for symbol in ["w·a+b", "tanh", "-", "x^2", "×"]:
        assert symbol in texts
    assert autograd.OPS["*"].symbol == "×"


def test_bad_options_are_refused_with_their_name():
    cost, _ = neuron_graph()
    with pytest.raises(ValueError, match="rankdir"):
        viz.to_dot(cost, rankdir="up")
    with pytest.raises(ValueError, match="digits"):
        viz.to_dot(cost, digits=0)
    with pytest.raises(ValueError, match="collapse"):
        viz.to_dot(cost, collapse="everything")
    with pytest.raises(ValueError, match="grads"):
        viz.to_dot(cost, grads="maybe")
    with pytest.raises(TypeError, match="root Value"):
        viz.to_dot(3.0)
    with pytest.raises(ValueError, match="focus"):
        viz.to_dot(cost, focus=Value(1.0))
    with pytest.raises(TypeError, match="parameters"):
        viz.to_dot(cost, parameters=[1.0])


@settings(max_examples=60, deadline=None)
@given(label=st.text(min_size=1, max_size=40))
def test_any_label_keeps_the_dot_valid_and_shows_as_written(label):
    x = Value(1.0, label=label)
    y = x * 2.0
    y.label = label + '|{"}<>&'  # record-label and XML metacharacters, whatever hypothesis draws
    graph = pygraphviz.AGraph(string=viz.to_dot(y))
    assert len(graph.nodes()) == 4  # x, the constant, the op, y: no label split or merged a node
    texts = [t.strip() for t in svg_texts(viz.draw(y).svg())]
    for shown in (label, y.label):
        for line in visible(shown).split("\n"):
            line = line.replace("\xa0", " ").strip()  # Graphviz writes spaces as no-break spaces
            if line:
                assert line in texts


# --- rendering --------------------------------------------------------------------------

def test_no_graphviz_program_is_needed():
    # pygraphviz's wheel bundles Graphviz; rendering must not depend on a `dot` on PATH.
    assert shutil.which("dot") is None, "a system `dot` is installed: this test cannot prove independence"
    assert viz.draw(Value(1.0, label="x") * 2).png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_svg_shows_every_label_data_and_gradient_after_backward():
    cost, _ = neuron_graph()
    cost.backward()
    texts = svg_texts(viz.draw(cost).svg())
    for value in autograd.topological_order(cost):
        if value.label:
            assert value.label in texts
        assert compact(value.data) in texts
        if value.requires_grad:  # a number the engine made into a leaf is a constant: no gradient to show
            assert compact(value.grad) in texts
    assert "?" not in texts


def test_png_pdf_and_save_choose_the_format_from_the_extension(tmp_path):
    cost, _ = neuron_graph()
    drawing = viz.draw(cost)
    assert drawing.png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawing.pdf()[:5] == b"%PDF-"
    assert (drawing.save(tmp_path / "g.png")).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (drawing.save(tmp_path / "g.PDF")).read_bytes()[:5] == b"%PDF-"
    assert "<svg" in (drawing.save(tmp_path / "g.svg")).read_text(encoding="utf-8")
    assert (drawing.save(tmp_path / "g.dot")).read_text(encoding="utf-8") == drawing.dot
    with pytest.raises(ValueError, match="g.jpeg"):
        drawing.save(tmp_path / "g.jpeg")


def test_render_writes_filename_dot_format_as_graphvizs_digraph_does(tmp_path, monkeypatch):
    """micrograd's draw_dot returns a graphviz Digraph that users .render("gout"): gout.svg."""
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    drawing = viz.draw(y)
    monkeypatch.chdir(tmp_path)
    written = drawing.render("gout")
    assert str(written) == "gout.svg" and (tmp_path / "gout.svg").read_text(encoding="utf-8") == drawing.svg()
    assert drawing.render(tmp_path / "g", format="png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawing.render("g", format="dot").read_text(encoding="utf-8") == drawing.dot
    with pytest.raises(ValueError, match=r"cannot save 'g\.jpeg': the extension must be one of"):
        drawing.render("g", format="jpeg")  # the very error of .save("g.jpeg")
    with pytest.raises(TypeError, match=r"format=3: expected a str"):
        drawing.render("g", format=3)
    with pytest.raises(TypeError, match=r"filename=None: expected a path"):
        drawing.render(None)


def test_a_micrograd_value_is_named_as_another_engines_value():
    """A notebook that still imports micrograd's Value draws it with viz: "expected the root
    Value of a graph, got Value Value(...)" read as if viz refused its own Values."""
    class MicrogradValue:  # what viz can see of micrograd's Value: data, grad, _prev, _op
        data, grad, _prev, _op = 2.0, 0, set(), ""
    MicrogradValue.__module__, MicrogradValue.__qualname__ = "micrograd.engine", "Value"
    for show in (viz.draw, viz.stepper, viz.to_dot):
        with pytest.raises(TypeError, match=r"expected the root Value of a graph, got a micrograd\.engine\.Value "
                                            r"\(another engine's Value; tracegrad's is `from autograd import Value`\)"):
            show(MicrogradValue())


def test_draw_takes_graphvizs_format_for_render_and_pipe(tmp_path, monkeypatch):
    """micrograd's draw_dot(root, format="svg") is graphviz's Digraph(format=...): the format
    .render(filename) and .pipe() write when not told otherwise; Jupyter still shows SVG."""
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    monkeypatch.chdir(tmp_path)
    assert viz.draw(y, format="svg").render("gout").read_text(encoding="utf-8") == viz.draw(y).svg()
    drawing = viz.draw(y, format="png")
    assert drawing.format == "png" and drawing.source == drawing.dot
    assert str(drawing.render("gout")) == "gout.png" and (tmp_path / "gout.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawing.pipe()[:8] == b"\x89PNG\r\n\x1a\n"
    assert drawing.pipe(format="dot") == drawing.dot.encode("utf-8")
    assert drawing.render("g", format="pdf").read_bytes()[:5] == b"%PDF-"  # render's own format wins
    assert "image/svg+xml" in drawing._repr_mimebundle_()
    assert viz.draw(y, format="PDF").pipe()[:5] == b"%PDF-"  # graphviz takes any case too
    drawing.format = "dot"
    assert drawing.render("g").read_text(encoding="utf-8") == drawing.dot
    with pytest.raises(ValueError, match=r"viz\.draw format='jpeg': expected 'svg', 'png', 'pdf' or 'dot'"):
        viz.draw(y, format="jpeg")
    with pytest.raises(TypeError, match=r"viz\.draw format=None: expected a str"):
        viz.draw(y, format=None)
    with pytest.raises(ValueError, match=r"Drawing\.format='gif'"):
        drawing.format = "gif"
    with pytest.raises(ValueError, match=r"Drawing\.pipe format='ps'"):
        drawing.pipe(format="ps")


def box_titles(dot):
    return re.findall(r"<B>([^<]*)</B>", dot)


def test_unlabelled_leaves_holding_the_same_number_are_told_apart():
    """micrograd never labels a Value: two inputs holding 2 must not both be called 2, while
    the 2 the engine made into a leaf (a constant) keeps its number as its name."""
    a, b = Value(2.0), Value(2.0)
    c = a * b + 2
    assert box_titles(viz.to_dot(c)) == ["v1", "v2", "v1 · v2", "2", "out"]


def test_every_value_of_a_picture_gets_a_name_of_its_own():
    w1, w2 = Value(1.0, label="w"), Value(3.0, label="w")  # two labels alike
    taken = Value(5.0, label="v1")  # a label v1: the unlabelled leaf is v2 then
    mine = Value(2.0)
    twice = [w1 * mine, w1 * mine]  # the same product computed twice
    out = (twice[0] + twice[1] + taken * w2) * 2 + 2  # two constants 2
    titles = box_titles(viz.to_dot(out))
    assert len(titles) == len(set(titles)) == len(autograd.topological_order(out))
    assert {"w₁", "w₂", "v1", "v2", "(w₁ · v2)₁", "(w₁ · v2)₂", "2₁", "2₂"} <= set(titles)


def test_each_output_of_a_softmax_is_named_by_its_index():
    """softmax(xs) is K nodes, one per output: the first one met was called softmax(l0, l1, l2),
    as if it were the whole vector, and the others "softmax_1 node 2"; each is softmax_i(...),
    i as its op node is drawn and as the list autograd.softmax returns is indexed."""
    logits = [Value(v, label=f"l{i}") for i, v in enumerate([1.0, -0.5, 2.0])]
    p = autograd.softmax(logits)
    cost = -p[2].log()
    assert "softmax_2(l0, l1, l2)" in box_titles(viz.to_dot(cost))
    everything = (p[2] - 1) ** 2 + p[0] * p[0] + p[1] * 0.5
    titles = box_titles(viz.to_dot(everything))
    assert {"softmax_0(l0, l1, l2)", "softmax_1(l0, l1, l2)", "softmax_2(l0, l1, l2)"} <= set(titles)
    assert "softmax(l0, l1, l2)" not in titles
    steps = viz.backward_steps(cost)
    assert steps[3].text.startswith("∂out/∂softmax_2(l0, l1, l2) = ")


def test_a_label_that_is_not_a_str_is_refused_naming_the_value():
    a = Value(3.0)
    a.label = 5  # the constructor refuses it; an assignment is not checked
    for call in (lambda: viz.draw(a * 2), lambda: viz.to_dot(a * 2), lambda: viz.backward_steps(a * 2)):
        with pytest.raises(TypeError, match=r"^viz: Value label: expected str, got int: the label 5 of the "
                                            r"value \(leaf, data 3\.0\)"):
            call()
    b = Value(1.0, label="b") * 4
    b.label = ["z"]
    with pytest.raises(TypeError, match=r"expected str, got list: the label \['z'\] of the value \(op \*, data 4\.0\)"):
        viz.draw(b + 1)


def test_jupyter_display_methods_give_the_svg():
    drawing = viz.draw(neuron_graph()[0])
    assert drawing._repr_svg_() == drawing.svg()
    bundle = drawing._repr_mimebundle_()
    assert bundle["image/svg+xml"] == drawing.svg() and "Drawing" in bundle["text/plain"]


# --- what a box says -------------------------------------------------------------------

def test_a_gradient_not_computed_yet_is_a_question_mark_never_zero():
    cost, n = neuron_graph()
    texts = svg_texts(viz.draw(cost).svg())  # no backward yet: every .grad is the engine's 0.0
    boxes = sum(1 for v in autograd.topological_order(cost) if v.requires_grad)  # constants have no grad
    assert texts.count("?") == boxes
    assert "0" not in texts and "0.0" not in texts
    cost.backward()
    autograd.zero_grad(cost)
    assert svg_texts(viz.draw(cost).svg()).count("?") == boxes
    assert svg_texts(viz.draw(cost, grads=True).svg()).count("0") == boxes  # asked for .grad: shown


def test_grads_can_be_given_as_a_mapping_touching_no_grad():
    cost, n = neuron_graph()
    grads = gradients(cost)
    texts = svg_texts(viz.draw(cost, grads=grads).svg())
    assert compact(grads[n["w"][0]]) in texts and "?" not in texts
    assert n["w"][0].grad == 0.0
    partial = {cost: 1.0}
    constants = sum(1 for v in grads if not v.requires_grad)
    assert svg_texts(viz.draw(cost, grads=partial).svg()).count("?") == len(grads) - 1 - constants


def test_part_of_a_graph_drawn_after_backward_shows_what_grad_holds_or_its_own_gradients():
    cost, n = neuron_graph()
    cost.backward()
    z = n["z"]
    shown = viz.scene.grad_reader(z, "auto")
    assert shown(z) == z.grad != 1.0 and shown(n["w"][0]) == n["w"][0].grad  # ∂C/∂x, as .grad holds
    own = gradients(z)
    texts = svg_texts(viz.draw(z, grads=own).svg())
    assert own[z] == 1.0 and compact(own[n["w"][0]]) in texts and compact(n["w"][0].grad) not in texts


def test_numbers_are_compact_with_configurable_significant_digits():
    x = Value(3.14159265, label="x")
    y = x * 1234567.0
    assert "3.142" in viz.to_dot(y) and "3.14159265" not in viz.to_dot(y)
    assert "3.14159" in viz.to_dot(y, digits=6)
    assert "3.879e+06" in viz.to_dot(y)
    assert compact(-0.0) == "0" and compact(None) == "?"


def test_roles_are_coloured_and_written_in_words():
    cost, n = neuron_graph()
    texts = svg_texts(viz.draw(cost).svg())
    assert texts.count("parameter") == 0  # never guessed from a label's first letter
    assert texts.count("input") == 5
    assert texts.count("output") == 1
    assert texts.count("constant") == 2  # the 1 of (a - 1) and the 1/2: numbers the engine made leaves
    explicit = svg_texts(viz.draw(cost, parameters=[n["b"]]).svg())
    assert explicit.count("parameter") == 1 and explicit.count("input") == 4

    class Model:  # anything with .parameters(), as an nn.Module has
        def parameters(self):
            return [*n["w"], n["b"]]

    from_model = svg_texts(viz.draw(cost, parameters=Model(), constants=[n["x"][1]]).svg())
    assert from_model.count("parameter") == 3 and from_model.count("input") == 1
    assert from_model.count("constant") == 3
    with pytest.raises(TypeError, match="parameters="):
        viz.draw(cost, parameters=[1.0])
    dot = viz.to_dot(cost, parameters=[n["b"]])
    for colour in viz.style.ROLE_COLOURS.values():
        assert colour in dot


def test_a_picture_with_edge_numbers_says_what_they_are():
    cost, _ = neuron_graph()
    assert "∂out/∂in" in " ".join(svg_texts(viz.draw(cost, edge_derivatives=True).svg()))
    assert "∂out/∂in" not in " ".join(svg_texts(viz.draw(cost).svg()))


def test_edges_can_show_their_local_derivative():
    cost, n = neuron_graph()
    plain = pygraphviz.AGraph(string=viz.to_dot(cost))
    labelled = pygraphviz.AGraph(string=viz.to_dot(cost, edge_derivatives=True))
    assert not any(e.attr.get("label") for e in plain.edges())
    tanh_edge = [e for e in labelled.edges() if e[1] == f"o{autograd.topological_order(cost).index(n['a'])}"]
    (edge,) = tanh_edge
    assert edge.attr["label"] == compact(1 - n["a"].data ** 2)
    # one label per input edge: every input of every op
    order = autograd.topological_order(cost)
    assert sum(1 for e in labelled.edges() if e.attr.get("label")) == sum(len(v.parents) for v in order)



def test_an_edge_into_an_op_that_reads_its_value_twice_is_labelled_with_both_terms():
    """x · x: one edge from x to ×, carrying ∂y/∂x twice; its label is the sum 3 + 3 of ∂y/∂x = 6."""
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    picture = pygraphviz.AGraph(string=viz.to_dot(y, edge_derivatives=True))  # kept: edges read it
    (edge,) = [e for e in picture.edges() if e[1] == "o1"]
    assert (edge[0], edge[1]) == ("v0", "o1") and edge.attr["label"] == "3 + 3"
    assert edge.attr["tooltip"].startswith("∂y/∂x = 3 (1st input of ×); ∂y/∂x = 3 (2nd input of ×) ")


def test_an_edge_into_an_op_that_reads_a_negative_value_twice_brackets_its_terms():
    """xy · xy at x · y = -6: the edge is labelled (-6) + (-6), as the step adds the terms, not
    -6 + -6; a single negative derivative stays -3."""
    x, y = Value(2.0, label="x"), Value(-3.0, label="y")
    xy = x * y
    C = xy * xy
    C.label = "C"
    picture = pygraphviz.AGraph(string=viz.to_dot(C, edge_derivatives=True))
    labels = {(e[0], e[1]): e.attr["label"] for e in picture.edges() if e.attr["label"]}
    assert sorted(labels.values()) == ["(-6) + (-6)", "-3", "2"]
    step = viz.backward_steps(C)[2].text
    assert step.endswith("= (-6) + (-6) = -12")


def test_an_edge_tooltip_brackets_a_label_with_an_operator():
    """∂(x2*w2)/∂w2, as the step text writes it, not ∂x2*w2/∂w2."""
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    o = x2w2.tanh()
    picture = pygraphviz.AGraph(string=viz.to_dot(o))
    tooltips = [e.attr["tooltip"] for e in picture.edges()]
    assert any(t.startswith("∂(x2*w2)/∂w2 = 0 ") for t in tooltips)
    assert any(t.startswith("∂out/∂(x2*w2) = ") for t in tooltips)


# --- large graphs: collapse, focus, refusal -------------------------------------------

def count_nodes(drawing):
    return len(pygraphviz.AGraph(string=drawing.dot).nodes())


def test_the_full_mlp_is_drawn_with_every_value(mlp):
    cost, parameters = mlp()
    scene = viz.scene.build_scene(cost)
    assert len(scene.boxes) == len(autograd.topological_order(cost))
    assert 400 < scene.node_count <= viz.MAX_NODES


def test_collapse_neuron_folds_z_a_weights_and_bias_into_one_box_per_neuron(mlp):
    cost, parameters = mlp()
    cost.backward()
    drawing = viz.draw(cost, collapse="neuron")
    texts = svg_texts(drawing.svg())
    neuron_titles = [t for t in texts if t.startswith("neuron ")]
    assert len(neuron_titles) == 33 and "neuron (2)_1" in neuron_titles and "neuron (4)_1" in neuron_titles
    order = autograd.topological_order(cost)
    for value in order:
        if value.label.startswith(("z(", "a(")):
            assert value.label in texts
            assert compact(value.grad) in texts
        if value.label.startswith(("w(", "b(")):
            assert value.label not in texts  # folded
    assert "x_1" in texts and "y" in texts
    assert count_nodes(drawing) < 60
    # the structure is found without nn: the boxes follow from dot + tanh alone
    scene = viz.scene.build_scene(cost, collapse="neuron")
    first = scene.box_of[next(v for v in order if v.label == "z(2)_1")]
    assert {v.label for v in first.members} == {"z(2)_1", "a(2)_1", "w(2)_1,1", "w(2)_1,2", "b(2)_1"}


def test_collapse_layer_folds_each_layer_into_one_box(mlp):
    cost, parameters = mlp()
    cost.backward()
    drawing = viz.draw(cost, collapse="layer")
    texts = svg_texts(drawing.svg())
    assert "layer 1: 2 inputs" in texts
    assert "layer 2: 16 neurons (tanh)" in texts
    assert "layer 3: 16 neurons (tanh)" in texts
    assert "layer 4: 1 neuron (linear)" in texts
    for value in autograd.topological_order(cost):
        if value.label.startswith(("z(", "a(", "x_")):
            assert value.label in texts and compact(value.grad) in texts
    graph = pygraphviz.AGraph(string=drawing.dot)
    assert len(graph.nodes()) < 15
    assert len(graph.edges()) < 15  # one edge between two layers, not 256


def data_fed_network(examples=([0.5, -1.5],)):
    """nn's 2-16-16-1 network fed plain numbers: x stays out of the graph (dot_data nodes).
    Several examples give one summed cost, so that the graph reads several data vectors."""
    import nn
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    cost = autograd.sum([0.5 * (model(x) - Value(0.25, label="y")) ** 2 for x in examples])
    cost.label = "C"
    cost.backward()
    return cost, model


def data_boxes(drawing):
    """{title: [(row name, number shown)]} of each data box, and the edges leaving data boxes."""
    graph = pygraphviz.AGraph(string=drawing.dot)
    boxes = {}
    for node in graph.nodes():
        if node.startswith("x"):
            html = node.attr["label"]
            title = html.split("<B>")[1].split("</B>")[0]
            boxes[title] = [(name, shown) for name, shown in
                            re.findall(r'<TD ALIGN="LEFT">(x_\d+)</TD><TD>([^<]*)</TD>', html)]
            assert "gradient" in html and 'ID="g' not in html  # says it has no gradient, and has no grad cell
    data_edges = [(tail, head, edge.attr["style"]) for tail, head in graph.edges()
                  for edge in [graph.get_edge(tail, head)] if tail.startswith("x")]
    return boxes, data_edges


def test_a_network_fed_data_draws_x_as_one_data_box_feeding_the_first_layer():
    """model(x) with numbers keeps x as the first layer's constants (dot_data nodes). The
    picture still shows x, so that ∂C/∂w = δ·x can be read off it, in a box with no gradient
    and dashed edges (no gradient flows back to data)."""
    cost, _ = data_fed_network()
    drawing = viz.draw(cost)
    boxes, edges = data_boxes(drawing)
    assert boxes == {"x": [("x_1", "0.5"), ("x_2", "-1.5")]}
    first_layer = [v for v in autograd.topological_order(cost) if v.op == "dot_data"]
    assert len(first_layer) == 16
    scene = viz.scene.build_scene(cost)
    assert sorted(head for _, head, _ in edges) == sorted(f"o{scene.index[z]}" for z in first_layer)
    assert {style for _, _, style in edges} == {"dashed"}
    assert count_nodes(drawing) == scene.node_count == len(scene.boxes) + len(scene.ops) + 1
    assert "x_1" in svg_texts(drawing.svg()) and "w·x+b" in svg_texts(drawing.svg())


def test_a_network_fed_data_collapses_with_its_data_as_layer_1():
    cost, _ = data_fed_network()
    neuron_drawing = viz.draw(cost, collapse="neuron")
    neurons = [t for t in svg_texts(neuron_drawing.svg()) if t.startswith("neuron ")]
    assert len(neurons) == 33 and "neuron (2)_16" in neurons
    boxes, edges = data_boxes(neuron_drawing)
    assert list(boxes) == ["x"] and len(edges) == 16  # one edge to each neuron of layer 2
    layer_drawing = viz.draw(cost, collapse="layer")
    texts = svg_texts(layer_drawing.svg())
    assert "layer 2: 16 neurons (tanh)" in texts and "layer 4: 1 neuron (linear)" in texts
    boxes, edges = data_boxes(layer_drawing)
    assert boxes == {"layer 1: 2 inputs": [("x_1", "0.5"), ("x_2", "-1.5")]}
    scene = viz.scene.build_scene(cost, collapse="layer")
    layer_2 = scene.box_of[next(v for v in scene.order if v.label == "z(2)_1")]
    assert edges == [("x1", layer_2.id, "dashed")]  # one edge from layer 1 to layer 2


def test_each_data_vector_read_gets_its_own_box():
    cost, _ = data_fed_network(examples=([0.5, -1.5], [2.0, 0.25]))
    boxes, edges = data_boxes(viz.draw(cost, collapse="layer"))
    assert boxes == {"layer 1: 2 inputs (1 of 2)": [("x_1", "0.5"), ("x_2", "-1.5")],
                     "layer 1: 2 inputs (2 of 2)": [("x_1", "2"), ("x_2", "0.25")]}
    assert len(edges) == 2


def test_focus_draws_data_only_next_to_the_nodes_that_read_it():
    cost, _ = data_fed_network()
    order = autograd.topological_order(cost)
    z_2 = next(v for v in order if v.label == "z(2)_3")
    boxes, edges = data_boxes(viz.draw(cost, focus=z_2, depth=1))
    assert list(boxes) == ["x"] and len(edges) == 1
    z_3 = next(v for v in order if v.label == "z(3)_3")
    assert data_boxes(viz.draw(cost, focus=z_3, depth=1)) == ({}, [])


def test_focus_draws_the_neighbourhood_of_one_node(mlp):
    cost, parameters = mlp()
    order = autograd.topological_order(cost)
    a = next(v for v in order if v.label == "a(3)_5")
    drawing = viz.draw(cost, focus=a, depth=1)
    texts = svg_texts(drawing.svg())
    assert "a(3)_5" in texts and "z(3)_5" in texts and "z(4)_1" in texts
    assert "a(2)_1" not in texts and "C" not in texts
    assert any(t.endswith("inputs not drawn") for t in texts)
    assert count_nodes(viz.draw(cost, focus=a, depth=0)) == 3  # its box, its op, "1 input not drawn"


def wide_graph(n):
    xs = [Value(float(i), label=f"x{i}") for i in range(n)]
    return autograd.sum(x * x for x in xs)


def test_a_graph_too_big_to_read_is_refused_naming_the_remedies():
    root = wide_graph(300)  # 300 leaves, 300 products, a sum: 601 boxes + 301 op nodes
    with pytest.raises(ValueError) as refused:
        viz.draw(root)
    message = str(refused.value)
    for remedy in ["collapse='neuron'", "collapse='layer'", "focus=", "depth=", "max_nodes="]:
        assert remedy in message
    assert "902 nodes" in message
    assert viz.draw(root, max_nodes=1000).dot.startswith("digraph")  # the limit can be raised


@pytest.mark.parametrize("collapse", ["neuron", "layer"])
def test_a_collapse_that_finds_no_neurons_is_not_recommended_again(collapse):
    root = wide_graph(300)  # a sum of squares: no op with a group of weights, so no neuron to fold
    with pytest.raises(ValueError) as refused:
        viz.draw(root, collapse=collapse)
    message = str(refused.value)
    assert f"collapse={collapse!r} found no neurons or layers in this graph" in message
    assert "focus=<a Value>, depth=2" in message and "max_nodes=" in message
    assert "collapse='neuron' (one box" not in message and "collapse='layer' (one box" not in message


def test_refusal_happens_before_any_layout_or_per_node_work(monkeypatch):
    # "Quickly" without a timer: the refusal must come from counting alone.
    def forbidden(*args, **kwargs):
        raise AssertionError("the refusal did per-node work or reached Graphviz")
    root = wide_graph(20_000)
    monkeypatch.setattr(viz.render, "render", forbidden)
    monkeypatch.setattr(autograd, "local_derivatives", forbidden)
    monkeypatch.setattr(viz.scene, "op_symbol", forbidden)
    with pytest.raises(ValueError, match="max_nodes=500"):
        viz.draw(root)
    with pytest.raises(ValueError, match="max_nodes"):
        viz.stepper(root, "never-written.html")


def test_collapse_makes_a_too_big_network_drawable(mlp):
    cost, parameters = mlp()
    with pytest.raises(ValueError, match="collapse"):
        viz.draw(cost, max_nodes=200)
    assert count_nodes(viz.draw(cost, collapse="neuron", max_nodes=200)) < 60


def chain(n):
    x = Value(0.5, label="x")
    for _ in range(n):
        x = x * 1.0
    return x


def test_a_huge_graph_is_refused_before_it_is_walked_naming_the_limit_and_the_way_around(monkeypatch):
    root = chain(1_500)  # 3,001 values: the ones of x * 1.0 are leaves too

    def forbidden(*args, **kwargs):
        raise AssertionError("the refusal walked the whole graph first")
    monkeypatch.setattr(autograd, "topological_order", forbidden)
    for make in (lambda: viz.draw(root, focus=root, depth=2, max_values=1_000),
                 lambda: viz.to_dot(root, max_values=1_000),
                 lambda: viz.stepper(root, max_values=1_000)):
        with pytest.raises(ValueError) as refused:
            make()
        assert "max_values=1000" in str(refused.value) and "smaller graph" in str(refused.value)
    assert viz.scene.MAX_VALUES == viz.MAX_VALUES == 200_000  # the default, documented in the README
    monkeypatch.undo()
    assert viz.to_dot(chain(50), max_values=1_000).startswith("digraph")


def test_a_label_past_graphvizs_limit_is_shortened_with_its_whole_text_in_the_tooltip():
    x = Value(2.0, label="x" * 20_000)  # Graphviz refuses a string of more than 16,384 characters
    y = x * 3.0
    y.label = "y"
    svg = viz.draw(y).svg()
    texts = svg_texts(svg)
    assert "x" * 59 + "…" in texts and "x" * 61 not in " ".join(texts)
    tooltips = [a.get("{http://www.w3.org/1999/xlink}title") or "" for a in ET.fromstring(svg).iter(f"{SVG}a")]
    assert any(t.startswith("x" * 1_000) for t in tooltips)


@pytest.mark.parametrize("character", ["\ufdd0", "\ufffe", "\uffff", "\U0001fffe", "\u0378", "\x07"])
def test_text_graphviz_cannot_draw_is_replaced_visibly_in_every_format(character):
    x = Value(2.0, label=f"a{character}b")
    y = x * 3.0
    drawing = viz.draw(y)
    escaped = visible(character)
    assert escaped.startswith("\\") and f"a{escaped}b" in svg_texts(drawing.svg())
    pdf = drawing.pdf()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")  # not cut short


def small_graph():
    """c = tanh(a · b), after backward: a graph small enough for any option."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b).tanh()
    c.label = "c"
    c.backward()
    return a, c


# (options given the leaf a, the error, what its message says): each names the argument and the culprit
BAD_PICTURE_OPTIONS = {
    "digits=True": (lambda a: {"digits": True}, TypeError, r"digits=True: expected an int from 1 to 17"),
    "digits=2.0": (lambda a: {"digits": 2.0}, TypeError, r"digits=2\.0: expected an int from 1 to 17"),
    "digits=18": (lambda a: {"digits": 18}, ValueError, r"digits=18: expected an int from 1 to 17"),
    "max_nodes='5'": (lambda a: {"max_nodes": "5"}, TypeError, r"max_nodes='5': expected an int >= 1"),
    "max_nodes=-1": (lambda a: {"max_nodes": -1}, ValueError, r"max_nodes=-1: expected an int >= 1"),
    "max_nodes=True": (lambda a: {"max_nodes": True}, TypeError, r"max_nodes=True"),
    "max_values='1'": (lambda a: {"max_values": "1"}, TypeError, r"max_values='1': expected an int >= 1"),
    "max_values=0": (lambda a: {"max_values": 0}, ValueError, r"max_values=0: expected an int >= 1"),
    "depth='2'": (lambda a: {"focus": a, "depth": "2"}, TypeError, r"depth='2': expected an int >= 0"),
    "depth=True": (lambda a: {"focus": a, "depth": True}, TypeError, r"depth=True"),
    "depth=-1": (lambda a: {"depth": -1}, ValueError, r"depth=-1: expected an int >= 0"),
    "edge_derivatives='no'": (lambda a: {"edge_derivatives": "no"}, TypeError, r"edge_derivatives='no'"),
    "grads={a: 'x'}": (lambda a: {"grads": {a: "x"}}, TypeError, r"grads\[a\]: expected a real number.*'x'"),
    "grads={a: True}": (lambda a: {"grads": {a: True}}, TypeError, r"grads\[a\]: .*bool"),
    "grads={a: 10**400}": (lambda a: {"grads": {a: 10 ** 400}}, ValueError, r"grads\[a\]: .*too large"),
    "grads={a: nan}": (lambda a: {"grads": {a: float("nan")}}, ValueError, r"grads\[a\]: .*finite.*nan"),
    "grads={'a': 1}": (lambda a: {"grads": {"a": 1.0}}, TypeError, r"grads= keys must be Values.*'a'"),
    "highlight=[a]": (lambda a: {"highlight": [a]}, TypeError, r"highlight=.*list.*one Value"),
    "highlight=3": (lambda a: {"highlight": 3}, TypeError, r"highlight=.*int 3"),
    "highlight=other": (lambda a: {"highlight": Value(1.0, label="elsewhere")}, ValueError,
                        r"highlight=.*elsewhere.*not drawn"),
}


@pytest.mark.parametrize("make", [viz.to_dot, viz.draw], ids=["to_dot", "draw"])
@pytest.mark.parametrize("case", BAD_PICTURE_OPTIONS)
def test_a_bad_picture_option_is_refused_naming_the_argument_and_the_culprit(make, case):
    options, error, message = BAD_PICTURE_OPTIONS[case]
    a, c = small_graph()
    with pytest.raises(error, match=message):
        make(c, **options(a))


def test_highlight_takes_one_value_of_the_picture():
    a, c = small_graph()
    assert viz.to_dot(c, highlight=a) != viz.to_dot(c)
    assert viz.to_dot(c, highlight=None) == viz.to_dot(c)


@pytest.mark.parametrize("call, error, message", [
    (lambda d, tmp: d.save(3), TypeError, r"path=3: expected a path"),
    (lambda d, tmp: d.save(None), TypeError, r"path=None: expected a path"),
    (lambda d, tmp: d.png(dpi="x"), TypeError, r"dpi: expected a real number.*'x'"),
    (lambda d, tmp: d.png(dpi=0), ValueError, r"dpi=0: expected a number > 0"),
    (lambda d, tmp: d.png(dpi=True), TypeError, r"dpi: expected a number, got bool True"),
], ids=["save(3)", "save(None)", "dpi='x'", "dpi=0", "dpi=True"])
def test_a_drawing_refuses_a_bad_path_or_dpi_by_name(call, error, message, tmp_path):
    _, c = small_graph()
    with pytest.raises(error, match=message):
        call(viz.draw(c), tmp_path)


def test_the_svg_has_no_graphviz_titles_and_each_edge_says_its_derivative():
    """Graphviz's <title>s hold its internal names (v0, o3, v0->o2): a browser shows them on hover."""
    x, w = Value(2.0, label="x"), Value(-0.5, label="w")
    c = (w * x).tanh() ** 2
    c.label = "C"
    c.backward()
    svg = viz.draw(c, edge_derivatives=True).svg()
    assert "<title>" not in svg
    tips = re.findall(r'xlink:title="([^"]*)"', svg)
    assert "∂(w · x)/∂x = &#45;0.5 (the number on an edge is the local derivative ∂out/∂in of the op it enters)" in tips
    assert "×: the op that computes w · x" in tips and "the result of tanh: tanh(w · x)" in tips


def test_the_same_graph_draws_the_same_svg_whatever_was_drawn_before():
    # Graphviz numbers the anchors of tooltip cells (id="a_v0_44") across every picture of the
    # process: the tour's committed stepper page differed from a rerun after other pictures.
    x, w = autograd.Value(0.5, label="x"), autograd.Value(-1.5, label="w")
    loss = (x * w).tanh()
    loss.backward()
    first = viz.draw(loss).svg()
    for k in range(3):
        viz.draw((x * w + k).sigmoid()).svg()
    again = viz.draw(loss).svg()
    assert re.search(r'id="a_\w+_\d+"', first) and again == first


def l2_regularised_network():
    """nn.l2's penalty λ Σ w² is dot(params, params) · λ: a sum of products, not a neuron."""
    import nn
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=1)
    cost = nn.mse(model([0.5, -0.2]), 1.0, half=True) + nn.l2(model.parameters(), 0.1)
    cost.label = "C"
    cost.backward()
    return cost, model


@pytest.mark.parametrize("collapse, groups", [
    ("layer", ["layer 1: 2 inputs", "layer 2: 2 neurons (sigmoid)", "layer 3: 1 neuron (sigmoid)"]),
    ("neuron", ["neuron (2)_1", "neuron (2)_2", "neuron (3)_1"]),
])
def test_an_l2_penalty_is_drawn_as_ordinary_nodes_not_as_a_layer_or_neuron(collapse, groups):
    cost, model = l2_regularised_network()
    texts = svg_texts(viz.draw(cost, parameters=model, collapse=collapse).svg())
    assert [t for t in texts if t.startswith(("layer ", "neuron "))] == groups
    assert "L2" in texts and compact(0.1) in texts  # the penalty and its λ, as nodes of their own
    for p in model.parameters():  # each weight feeds its neuron and the penalty: drawn, not folded
        assert p.label in texts


# A choice of the wrong type is a TypeError naming the argument and the type; a str that is not
# one of the choices a ValueError naming them (README, "Bad input: a clear error").
WRONG_KIND_OF_CHOICE = {
    "rankdir=None": ({"rankdir": None}, TypeError, r"viz: rankdir=None: expected 'LR', 'TB', 'RL' or 'BT', got NoneType"),
    "rankdir=3": ({"rankdir": 3}, TypeError, r"rankdir=3: expected 'LR'.*got int"),
    "rankdir=True": ({"rankdir": True}, TypeError, r"rankdir=True: .*got bool"),
    "rankdir=2.0": ({"rankdir": 2.0}, TypeError, r"rankdir=2\.0: .*got float"),
    "rankdir=array": ({"rankdir": np.array(["LR", "TB"])}, TypeError, r"rankdir=array.*got ndarray"),
    "rankdir='up'": ({"rankdir": "up"}, ValueError, r"rankdir='up': expected 'LR', 'TB', 'RL' or 'BT'$"),
    "rankdir='lr'": ({"rankdir": "lr"}, ValueError, r"rankdir='lr': expected 'LR'"),
    "collapse=True": ({"collapse": True}, TypeError, r"viz: collapse=True: expected None, 'neuron' or 'layer', got bool"),
    "collapse=1": ({"collapse": 1}, TypeError, r"collapse=1: .*got int"),
    "collapse=array": ({"collapse": np.array([1, 2])}, TypeError, r"collapse=array.*got ndarray"),
    "collapse='neurons'": ({"collapse": "neurons"}, ValueError, r"collapse='neurons': expected None, 'neuron' or 'layer'$"),
    "grads=None": ({"grads": None}, TypeError, r"viz: grads=None: expected 'auto', True, False or a mapping.*got NoneType"),
    "grads=1": ({"grads": 1}, TypeError, r"grads=1: .*got int"),
    "grads=[]": ({"grads": []}, TypeError, r"grads=\[\]: .*got list"),
    "grads=array": ({"grads": np.array([1.0, 2.0])}, TypeError, r"grads=array.*got ndarray"),
    "grads='yes'": ({"grads": "yes"}, ValueError, r"grads='yes': expected 'auto', True, False or a mapping"),
}


@pytest.mark.parametrize("make", [viz.to_dot, viz.draw], ids=["to_dot", "draw"])
@pytest.mark.parametrize("case", WRONG_KIND_OF_CHOICE)
def test_a_choice_of_the_wrong_type_is_a_type_error_and_a_wrong_str_a_value_error(make, case):
    options, error, message = WRONG_KIND_OF_CHOICE[case]
    _, c = small_graph()
    with pytest.raises(error, match=message):
        make(c, **options)


def test_every_choice_of_the_right_type_is_taken():
    _, c = small_graph()
    for rankdir in ["LR", "TB", "RL", "BT", np.str_("TB")]:
        assert f"rankdir={rankdir}," in viz.to_dot(c, rankdir=rankdir)
    for collapse in [None, "neuron", "layer"]:
        viz.to_dot(c, collapse=collapse)
    assert viz.to_dot(c, grads=np.True_) == viz.to_dot(c, grads=True)  # a flag as autograd.checks.as_flag takes it
    assert viz.to_dot(c, grads=np.False_) == viz.to_dot(c, grads=False)


def test_grads_auto_reads_a_grad_set_to_a_numpy_number():
    """root.grad != 0 is a numpy bool then: grads='auto' was refused, naming grads=np.True_."""
    _, c = small_graph()
    c.grad = np.float64(1.0)
    assert viz.to_dot(c) == viz.to_dot(c, grads=True)


def test_a_frozen_leaf_passed_as_a_parameter_is_drawn_as_a_constant_with_no_gradient():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    w.requires_grad = False  # frozen, as torch's requires_grad_(False): backward leaves it alone
    C = (w * x).tanh()
    C.label = "C"
    C.backward()
    dot = viz.to_dot(C, parameters=[w])
    box = next(line for line in dot.splitlines() if "<B>w</B>" in line)
    assert "constant" in box and "grad" not in box
    assert viz.compare_gradients(C, {x: x.grad}, parameters=[w]).agrees


def test_constants_that_differ_past_the_pictures_digits_read_apart_without_an_index():
    x = Value(2.0, label="x")
    C = x * 0.12345 + x * 0.12349  # shown as 0.1235 in both data cells: the names tell them apart
    C.label = "C"
    C.backward()
    titles = re.findall(r"<B>(.*?)</B>", viz.to_dot(C))
    assert "0.12345" in titles and "0.12349" in titles and "x · 0.12345" in titles
    assert not any("₁" in title for title in titles)


def test_a_grad_set_by_hand_to_no_number_is_named_by_the_values_label():
    x = Value(2.0, label="x")
    y = x * 3
    y.backward()
    x.grad = np.array([3.0, 4.0])  # a whole gradient array pasted into one .grad
    with pytest.raises(TypeError, match=r"viz: the \.grad of x holds ndarray array\(\[3\., 4\.\]\): expected a number"):
        viz.to_dot(y)
    x.grad = np.array(3.5)  # one number in a 0-d array is one number
    assert 'TOOLTIP="gradient">3.5<' in viz.to_dot(y)


@pytest.mark.parametrize("collapse, titles", [
    ("neuron", ["neuron (2)_1₁", "neuron (2)_1₂", "neuron (2)_2₁", "neuron (2)_2₂", "neuron (3)_1₁",
                "neuron (3)_1₂"]),
    ("layer", ["layer 2 (1 of 2): 2 neurons (tanh)", "layer 2 (2 of 2): 2 neurons (tanh)",
               "layer 3 (1 of 2): 1 neuron (linear)", "layer 3 (2 of 2): 1 neuron (linear)"]),
])
def test_a_batchs_folded_boxes_read_apart_one_per_example(collapse, titles):
    import nn
    model = nn.MLP(2, [2, 1], seed=0)
    C = nn.MSELoss()([model([0.5, -1.0]), model([1.0, 2.0])], [[0.0], [1.0]])
    C.backward()
    drawn = re.findall(r"<B>(.*?)</B>", viz.to_dot(C, collapse=collapse, parameters=model))
    folded = [title for title in drawn if title.startswith(collapse) and not title.startswith("layer 1")]
    assert sorted(folded) == titles


def test_an_ops_constant_is_drawn_in_its_op_node_to_the_digits_of_its_name():
    x = Value(1.5, label="x")
    y = (x ** 2.00002).tanh()  # its op node must not read x^2, the square
    y.backward()
    dot = viz.to_dot(y)
    assert re.findall(r"shape=circle.*?label=<([^>]*)>", dot) == ["x^2.00002", "tanh"]
    assert "x^2.00002" in re.findall(r"<B>(.*?)</B>", dot)[1]
