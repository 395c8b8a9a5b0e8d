// The replay page of a recorded nn.fit (viz.training). Everything it shows was computed in
// Python; this script only draws it. It finds its elements inside its own root element, so
// several pages can share one notebook.

var SVGNS = "http://www.w3.org/2000/svg";
var POSITIVE = [0, 114, 178], NEGATIVE = [230, 97, 0], NEUTRAL = [236, 236, 236];  // blue +, orange -
var CLASS_COLOURS = ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#7f7f7f",
                     "#8c564b", "#17becf", "#bcbd22", "#9467bd", "#2ca02c", "#d62728", "#1f77b4", "#ff7f0e"];
var SUB = "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089";

function svg(name, attrs, parent) {
  var node = document.createElementNS(SVGNS, name);
  Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
  if (parent) parent.appendChild(node);
  return node;
}

function html(name, className, parent, text) {
  var node = document.createElement(name);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function subscript(n) { return String(n).split("").map(function (d) { return SUB[+d]; }).join(""); }

function fmt(v) { return v === null || v === undefined ? "?" : String(v); }

function short(v) {
  if (v === null || v === undefined) return "?";
  if (v === 0) return "0";
  var a = Math.abs(v);
  return a >= 0.01 && a < 100 ? String(Number(v.toPrecision(2))) : v.toExponential(0);
}

// A weight's colour: blue for positive, orange for negative, the stronger the larger |v| / scale.
function rgb(v, scale) {
  var t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
  var end = t >= 0 ? POSITIVE : NEGATIVE, s = Math.pow(Math.abs(t), 0.6);
  return [0, 1, 2].map(function (i) { return Math.round(NEUTRAL[i] + (end[i] - NEUTRAL[i]) * s); });
}
function colour(v, scale) { var c = rgb(v, scale); return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")"; }
function width(v, scale) { return 0.4 + 5.2 * Math.pow(Math.min(1, Math.abs(v) / (scale || 1)), 0.7); }

// Each layer's colour scale: the recording's largest |w| of that layer, or for gradients the
// largest |∂C/∂w| of that layer in this snapshot.
function scales(gradients, fixed) {
  return gradients ? gradients.map(function (g) { return maxAbs([g]); }) : fixed;
}

function maxAbs(lists) {
  var m = 0;
  (lists || []).forEach(function (list) { list.forEach(function (v) { if (Math.abs(v) > m) m = Math.abs(v); }); });
  return m;
}

// The notes' names, as HTML: w(l)_j,k, b(l)_j, a(l)_j.
function name(symbol, layer, index) {
  return symbol + "<sup>(" + layer + ")</sup><sub>" + index + "</sub>";
}
function dname(inner) { return "&#8706;C/&#8706;" + inner; }

// What a neuron outputs, a = f(z), in the notes' symbols: σ is the logistic function only.
// spec is [name, k] (nn.Activation's name and constant); l and j name the layer and the neuron.
function activationOf(spec, l, j) {
  var f = spec[0], k = spec[1], z = name("z", l, j);
  if (f === "sigmoid") return "&#963;(" + z + ")";
  if (f === "tanh") return "tanh(" + z + ")";
  if (f === "relu") return "ReLU(" + z + ") = max(0, " + z + ")";
  if (f === "linear") return k === 1 ? z : k + "&#183;" + z;
  if (f === "step") return "1 if " + z + " &#8805; " + k + ", else 0";
  if (f === "softmax") return "softmax(z<sup>(" + l + ")</sup>)<sub>" + j + "</sub>";
  return f + "(" + z + ")";
}

function start(root) {
  var data = JSON.parse(root.querySelector(".tg-data").textContent);
  var snaps = data.snapshots, last = snaps.length - 1, current = 0, timer = null;
  var mode = "w", picked = null, hovered = null;
  var sizes = data.sizes, L = sizes.length;
  function $(selector) { return root.querySelector(selector); }
  var slider = $(".tg-slider"), play = $(".tg-play"), speed = $(".tg-speed");
  slider.max = String(last);

  var net = data.by === "neuron" ? neuronView() : layerView();
  var out = data.regions ? regionView() : data.classes ? confusionView() : noClassView();
  var curves = curveViews();
  if (data.thinned) $(".tg-note").textContent = "Note: " + data.thinned + ".";
  // Which loss the curves show: its name as the code wrote it, and one example's C; a batch's C is their mean
  $(".tg-loss-formula").textContent = data.loss + (data.lossFormula ? ": for one example, " + data.lossFormula : "") +
    "; a batch's C is the mean of its examples' C.";

  function snapshotGradients(s) { return mode === "g" && s.gw !== null; }

  function layerTitle(l) {
    if (l === 0) return ["layer 1", sizes[0] + " input" + (sizes[0] > 1 ? "s" : "") + " x"];
    return ["layer " + (l + 1), sizes[l] + " " + data.activations[l - 1] + (l === L - 1 ? ", output" : "")];
  }

  // --- the network, one circle per neuron and one line per weight ---------------------------
  function neuronView() {
    var maxN = Math.max.apply(null, sizes), gap = Math.max(22, Math.min(34, 420 / maxN));
    var W = Math.max(480, 150 * (L - 1) + 120), H = 70 + gap * (maxN - 1) + 30, r = 13;
    var x = sizes.map(function (_, l) { return 60 + l * (W - 120) / (L - 1); });
    var y = sizes.map(function (n) {
      var top = 64 + (gap * (maxN - 1) - gap * (n - 1)) / 2;
      return Array.from({length: n}, function (_, j) { return top + j * gap; });
    });
    var box = svg("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H}, $(".tg-net"));
    $(".tg-net-panel").style.maxWidth = W + 26 + "px";
    var edges = [], neurons = [];
    sizes.forEach(function (n, l) {
      var t = layerTitle(l);
      svg("text", {x: x[l], y: 16, "text-anchor": "middle", "class": "tg-head"}, box).textContent = t[0];
      svg("text", {x: x[l], y: 31, "text-anchor": "middle", "class": "tg-sub"}, box).textContent = t[1];
    });
    var edgeGroup = svg("g", {}, box), hitGroup = svg("g", {}, box), nodeGroup = svg("g", {}, box);
    for (var l = 1; l < L; l++) {
      for (var j = 0; j < sizes[l]; j++) {
        for (var k = 0; k < sizes[l - 1]; k++) {
          var ends = {x1: x[l - 1] + r, y1: y[l - 1][k], x2: x[l] - r, y2: y[l][j]};
          var line = svg("line", ends, edgeGroup);
          var hit = svg("line", Object.assign({"class": "tg-hit"}, ends), hitGroup);
          var edge = {kind: "w", l: l, j: j, k: k, at: j * sizes[l - 1] + k, line: line};
          edges.push(edge);
          listen(hit, edge);
        }
      }
    }
    sizes.forEach(function (n, l) {
      for (var j = 0; j < n; j++) {
        var circle = svg("circle", {cx: x[l], cy: y[l][j], r: r}, nodeGroup);
        var text = svg("text", {x: x[l], y: y[l][j] + 3, "text-anchor": "middle"}, nodeGroup);
        var neuron = {kind: l === 0 ? "x" : "b", l: l, j: j, circle: circle, text: text};
        if (l === 0) { circle.setAttribute("fill", "#f4f6f8"); text.textContent = "x" + subscript(j + 1); }
        neurons.push(neuron);
        listen(circle, neuron);
      }
    });
    $(".tg-legend").innerHTML = legendText();
    return {
      render: function (s) {
        var grads = snapshotGradients(s), ws = grads ? s.gw : s.w, bs = grads ? s.gb : s.b;
        var wScale = scales(grads ? s.gw : null, data.scale.w), bScale = scales(grads ? s.gb : null, data.scale.b);
        var none = mode === "g" && s.gw === null;
        edges.forEach(function (e) {
          var v = ws[e.l - 1][e.at];
          e.line.setAttribute("stroke", none ? "#d0d0d0" : colour(v, wScale[e.l - 1]));
          e.line.setAttribute("stroke-width", none ? 0.6 : width(v, wScale[e.l - 1]).toFixed(2));
          e.line.setAttribute("stroke-dasharray", none ? "3 3" : "");
          e.line.setAttribute("data-value", none ? "" : String(v));
        });
        neurons.forEach(function (n) {
          if (n.l === 0) return;
          var v = bs[n.l - 1][n.j];
          n.circle.setAttribute("fill", none ? "#ffffff" : colour(v, bScale[n.l - 1]));
          n.text.textContent = none ? "?" : short(v);
          n.text.setAttribute("fill", !none && Math.abs(v) / (bScale[n.l - 1] || 1) > 0.55 ? "#fff" : "#111");
        });
      },
      pick: function (item, on) {
        var node = item.line || item.circle;
        if (node) node.classList.toggle("tg-picked", on);
      },
    };
  }

  function legendText() {
    var byNeuron = data.by === "neuron", plus = colour(1, 1), minus = colour(-1, 1);
    var swatch = function (c) { return "<span class=\"tg-swatch\" style=\"background:" + c + "\"></span>"; };
    var thing = byNeuron ? "Each line is " : "Each cell of a matrix W is ";
    if (mode === "g") {
      return thing + "a weight's gradient <b>" + dname(name("w", "l", "j,k")) + "</b> on the batch about to be "
        + "used: " + swatch(plus) + "positive (the next update w &#8592; w &#8722; &#951;&#183;&#8706;C/&#8706;w "
        + "lowers w), " + swatch(minus) + "negative (it raises w); " + (byNeuron ? "thicker" : "stronger")
        + " means larger, relative to the largest of its layer in this snapshot. "
        + (byNeuron ? "Each circle shows " : "The strip beside each W shows ") + dname(name("b", "l", "j")) + ".";
    }
    return thing + "a weight <b>" + name("w", "l", "j,k") + "</b> from neuron k of layer l&#8722;1 into neuron j "
      + "of layer l: " + swatch(plus) + "positive, " + swatch(minus) + "negative, " + (byNeuron ? "thicker" : "stronger")
      + " means larger |w| (each layer on its own scale, the same for the whole run; largest |w| by layer: "
      + data.scale.w.map(function (v, l) { return "layer " + (l + 2) + " " + v; }).join(", ") + "). "
      + (byNeuron ? "Each circle is a neuron j of layer l, coloured and labelled with its bias "
                  : "The strip beside each W holds the biases ")
      + "<b>" + name("b", "l", "j") + "</b>; neuron j outputs " + outputs()
      + ", with " + name("z", "l", "j") + " = &#931;<sub>k</sub> " + name("w", "l", "j,k") + " "
      + name("a", "l&#8722;1", "k") + " + " + name("b", "l", "j") + ".";
  }

  // a(l)_j = f(z(l)_j) with each layer's own f: one formula for all layers when they share it,
  // else one per run of layers that do ("tanh in layers 2 to 3, z in layer 4").
  function outputs() {
    var specs = data.activationSpecs, runs = [];
    specs.forEach(function (spec, i) {
      var run = runs[runs.length - 1];
      if (run && run.spec[0] === spec[0] && run.spec[1] === spec[1]) run.to = i + 2;
      else runs.push({spec: spec, from: i + 2, to: i + 2});
    });
    var a = name("a", "l", "j") + " = ";
    if (runs.length === 1) return a + activationOf(runs[0].spec, "l", "j");
    return runs.map(function (run) {
      return a + activationOf(run.spec, "l", "j") + " in layer"
        + (run.from === run.to ? " " + run.from : "s " + run.from + " to " + run.to);
    }).join(", ");
  }

  // --- the network by layer: each W(l) a heatmap, each b(l) a strip --------------------------
  function layerView() {
    var row = html("div", "tg-layers", $(".tg-net")), mats = [];
    sizes.forEach(function (n, l) {
      if (l > 0) {
        html("span", "tg-arrow", row, "\u2192");
        var nin = sizes[l - 1], cell = Math.max(2, Math.min(12, Math.floor(300 / nin), Math.floor(220 / n)));
        var block = html("div", "tg-matrix", row);
        var caption = html("div", "", block);
        caption.innerHTML = "<b>W<sup>(" + (l + 1) + ")</sup></b>: " + n + " &#215; " + nin
          + " <span class=\"tg-sub\">(row j, column k: " + name("w", l + 1, "j,k") + ")</span>";
        var pair = html("div", "", block);
        var canvas = html("canvas", "", pair), strip = html("canvas", "", pair);
        canvas.width = nin; canvas.height = n; canvas.style.width = nin * cell + "px"; canvas.style.height = n * cell + "px";
        strip.width = 1; strip.height = n; strip.style.width = Math.max(8, cell) + "px"; strip.style.height = n * cell + "px";
        strip.style.marginLeft = "6px";
        strip.title = "b(" + (l + 1) + ")_j";
        var stat = html("div", "tg-stat", block);
        var mat = {l: l, nin: nin, n: n, cell: cell, canvas: canvas, strip: strip, stat: stat};
        mats.push(mat);
        pointAt(canvas, mat, false);
        pointAt(strip, mat, true);
        html("span", "tg-arrow", row, "\u2192");
      }
      var t = layerTitle(l), boxed = html("div", "tg-layer-box", row);
      html("b", "", boxed, t[0]);
      html("span", "", boxed, t[1]);
    });
    $(".tg-net-title").textContent = "The network, by layer (too many weights to draw one line each)";
    $(".tg-legend").innerHTML = legendText();
    var tiles = imageTiles();

    // Inputs that are a square image (8x8 digits): each neuron j of layer 2 as the picture of
    // its weights w(2)_j,k, k laid out as the input's pixels - what the neuron looks for.
    function imageTiles() {
      var side = Math.round(Math.sqrt(sizes[0]));
      if (side * side !== sizes[0] || side < 4 || L < 3 || sizes[1] > 64) return [];
      var block = html("div", "tg-tiles", $(".tg-net"));
      html("div", "tg-sub", block).innerHTML = "Row j of W<sup>(2)</sup> as the " + side + "&#215;" + side
        + " input image: the weights " + name("w", 2, "j,k") + " into neuron j of layer 2, pixel k by pixel k "
        + "(blue: that pixel raises " + name("z", 2, "j") + ", orange: it lowers it).";
      return Array.from({length: sizes[1]}, function (_, j) {
        var canvas = html("canvas", "", block);
        canvas.width = side; canvas.height = side;
        canvas.title = "neuron " + (j + 1) + " of layer 2";
        var item = {kind: "row", l: 1, j: j, side: side};
        canvas.addEventListener("mouseenter", function () { hovered = item; info(); });
        canvas.addEventListener("mouseleave", function () { hovered = null; info(); });
        canvas.addEventListener("click", function () { picked = picked === item ? null : item; info(); });
        return {canvas: canvas, j: j, side: side};
      });
    }

    function pointAt(canvas, mat, bias) {
      function item(event) {
        var rect = canvas.getBoundingClientRect();
        var j = Math.min(mat.n - 1, Math.floor((event.clientY - rect.top) / rect.height * mat.n));
        var k = bias ? 0 : Math.min(mat.nin - 1, Math.floor((event.clientX - rect.left) / rect.width * mat.nin));
        return bias ? {kind: "b", l: mat.l, j: j} : {kind: "w", l: mat.l, j: j, k: k, at: j * mat.nin + k};
      }
      canvas.addEventListener("mousemove", function (event) { hovered = item(event); info(); });
      canvas.addEventListener("mouseleave", function () { hovered = null; info(); });
      canvas.addEventListener("click", function (event) { picked = item(event); info(); });
    }

    function paint(canvas, values, w, h, scale) {
      var context = canvas.getContext("2d"), image = context.createImageData(w, h);
      for (var i = 0; i < w * h; i++) {
        var c = values ? rgb(values[i], scale) : [224, 224, 224];
        image.data[4 * i] = c[0]; image.data[4 * i + 1] = c[1]; image.data[4 * i + 2] = c[2]; image.data[4 * i + 3] = 255;
      }
      context.putImageData(image, 0, 0);
    }

    function rms(values) {
      var s = 0;
      values.forEach(function (v) { s += v * v; });
      return Math.sqrt(s / values.length);
    }

    return {
      render: function (s) {
        var grads = snapshotGradients(s), none = mode === "g" && s.gw === null;
        var ws = grads ? s.gw : s.w, bs = grads ? s.gb : s.b;
        var wScale = scales(grads ? s.gw : null, data.scale.w), bScale = scales(grads ? s.gb : null, data.scale.b);
        mats.forEach(function (m) {
          paint(m.canvas, none ? null : ws[m.l - 1], m.nin, m.n, wScale[m.l - 1]);
          paint(m.strip, none ? null : bs[m.l - 1], 1, m.n, bScale[m.l - 1]);
          m.canvas.setAttribute("data-value", none ? "" : String(ws[m.l - 1][0]));
          if (m.l === 1) tiles.forEach(function (t) {
            var from = t.j * m.nin;
            paint(t.canvas, none ? null : ws[0].slice(from, from + m.nin), t.side, t.side, wScale[0]);
          });
          m.stat.innerHTML = none ? "no gradient after the last update"
            : (grads ? "rms " + dname("w") + " " : "rms w ") + Number(rms(ws[m.l - 1]).toPrecision(3))
              + " &#183; max |" + (grads ? dname("w") : "w") + "| " + Number(maxAbs([ws[m.l - 1]]).toPrecision(3));
        });
      },
      pick: function () {},
    };
  }

  // --- what the pointer is on, with its value at the current snapshot -----------------------
  function listen(node, item) {
    node.addEventListener("mouseenter", function () { hovered = item; net.pick(item, true); info(); });
    node.addEventListener("mouseleave", function () {
      hovered = null;
      if (item !== picked) net.pick(item, false);
      info();
    });
    node.addEventListener("click", function () {
      if (picked) net.pick(picked, false);
      picked = picked === item ? null : item;
      if (picked) net.pick(picked, true);
      info();
    });
  }

  function info() {
    var item = hovered || picked, s = snaps[current], panel = $(".tg-info");
    if (!item) {
      panel.innerHTML = "Point at a weight or a neuron to read its value; click it to follow it while the "
        + "snapshots play.";
      return;
    }
    var l = item.l + 1, grad = s.gw === null ? "? (no batch follows the last snapshot)" : null;
    if (item.kind === "row") {
      panel.innerHTML = "<b>Neuron " + (item.j + 1) + " of layer 2</b>: its " + sizes[0] + " weights "
        + name("w", 2, (item.j + 1) + ",k") + " drawn as the " + item.side + "&#215;" + item.side + " image; its bias "
        + name("b", 2, item.j + 1) + " = " + fmt(s.b[0][item.j]) + ". It fires (" + name("a", 2, item.j + 1)
        + " large) for inputs bright where the tile is blue and dark where it is orange.";
    } else if (item.kind === "x") {
      panel.innerHTML = "<b>x" + "<sub>" + (item.j + 1) + "</sub></b> = " + name("a", 1, item.j + 1)
        + ": input " + (item.j + 1) + " of the network (layer 1), the data itself.";
    } else if (item.kind === "w") {
      var label = name("w", l, (item.j + 1) + "," + (item.k + 1));
      panel.innerHTML = "<b>" + label + " = " + fmt(s.w[item.l - 1][item.at]) + "</b>, the weight from "
        + (item.l === 1 ? "input x<sub>" + (item.k + 1) + "</sub>" : "neuron " + (item.k + 1) + " of layer " + item.l)
        + " into neuron " + (item.j + 1) + " of layer " + l + ".<br>" + dname(label) + " = "
        + (grad || fmt(s.gw[item.l - 1][item.at])) + " on the next batch.";
    } else {
      var b = name("b", l, item.j + 1);
      panel.innerHTML = "<b>" + b + " = " + fmt(s.b[item.l - 1][item.j]) + "</b>, the bias of neuron "
        + (item.j + 1) + " of layer " + l + " (" + data.activations[item.l - 1] + "): " + name("a", l, item.j + 1)
        + " = " + activationOf(data.activationSpecs[item.l - 1], l, item.j + 1) + ".<br>" + dname(b) + " = "
        + (grad || fmt(s.gb[item.l - 1][item.j])) + " on the next batch.";
    }
  }

  // --- decision regions with the data points (2 inputs) ------------------------------------
  function regionView() {
    var R = data.regions, size = 300, pad = 26;
    $(".tg-out-title").textContent = "What the network decides, over the input plane";
    var canvas = html("canvas", "tg-regions", $(".tg-out"));
    canvas.width = size + pad; canvas.height = size + pad;
    var small = document.createElement("canvas");
    small.width = R.grid; small.height = R.grid;
    var colours = data.classes.map(function (_, c) {
      var hex = CLASS_COLOURS[c % CLASS_COLOURS.length];
      return [1, 3, 5].map(function (i) { return parseInt(hex.substr(i, 2), 16); });
    });
    function px(v) { return pad + (v - R.box[0]) / (R.box[1] - R.box[0]) * size; }
    function py(v) { return (R.box[3] - v) / (R.box[3] - R.box[2]) * size; }
    var legend = data.classes.map(function (c, i) {
      return "<span class=\"tg-dot\" style=\"background:" + CLASS_COLOURS[i % CLASS_COLOURS.length] + "\"></span>class " + c;
    }).join(" &nbsp; ");
    $(".tg-out-legend").innerHTML = legend + "<br>Background: the class the network predicts at each point "
      + "(deeper colour: surer). Dots: the data (" + R.points.length + (R.points.length < data.examples ? " of " + data.examples : "")
      + "), <b>ringed in black</b> where the prediction is wrong.";
    return {
      render: function (s) {
        var context = small.getContext("2d"), image = context.createImageData(R.grid, R.grid);
        for (var i = 0; i < R.grid * R.grid; i++) {
          var code = R.codes.indexOf(s.region.charAt(i)), c = colours[Math.floor(code / R.levels)];
          var strength = 0.16 + 0.5 * (code % R.levels) / (R.levels - 1);
          for (var ch = 0; ch < 3; ch++) image.data[4 * i + ch] = Math.round(255 + (c[ch] - 255) * strength);
          image.data[4 * i + 3] = 255;
        }
        context.putImageData(image, 0, 0);
        var g = canvas.getContext("2d");
        g.clearRect(0, 0, canvas.width, canvas.height);
        g.imageSmoothingEnabled = true;
        g.drawImage(small, pad, 0, size, size);
        g.strokeStyle = "#bbb"; g.strokeRect(pad + 0.5, 0.5, size - 1, size - 1);
        var wrong = {};
        s.wrong.forEach(function (i) { wrong[i] = true; });
        R.points.forEach(function (p, i) {
          g.beginPath();
          g.arc(px(p[0]), py(p[1]), wrong[i] ? 4.2 : 3.4, 0, 2 * Math.PI);
          g.fillStyle = CLASS_COLOURS[p[2] % CLASS_COLOURS.length];
          g.fill();
          g.lineWidth = wrong[i] ? 2 : 1;
          g.strokeStyle = wrong[i] ? "#000" : "#fff";
          g.stroke();
        });
        g.fillStyle = "#444"; g.font = "11px DejaVu Sans, sans-serif"; g.textAlign = "center";
        g.fillText("x\u2081", pad + size / 2, size + 18);
        g.fillText(short(R.box[0]), pad + 10, size + 18); g.fillText(short(R.box[1]), pad + size - 10, size + 18);
        g.save(); g.translate(10, size / 2); g.rotate(-Math.PI / 2); g.fillText("x\u2082", 0, 0);
        g.fillText(short(R.box[3]), size / 2 - 12, 0); g.fillText(short(R.box[2]), -size / 2 + 12, 0); g.restore();
        canvas.setAttribute("data-wrong", String(s.wrong.length));
      },
    };
  }

  // --- confusion matrix and accuracy per class (other data) --------------------------------
  function confusionView() {
    var k = data.classes.length, cells = [], accs = [];
    $(".tg-out-title").textContent = "Confusion matrix at this snapshot (" + data.examples + " examples)";
    var table = html("table", "tg-confusion", $(".tg-out"));
    var head = html("tr", "", table);
    html("th", "", head).innerHTML = "true&#8595;<br>predicted&#8594;";
    data.classes.forEach(function (c) { html("th", "", head, c); });
    html("th", "", head, "right");
    data.classes.forEach(function (c, i) {
      var tr = html("tr", "", table);
      html("th", "", tr, c);
      cells.push(data.classes.map(function () { return html("td", "", tr); }));
      accs.push(html("td", "tg-acc-cell", tr));
    });
    $(".tg-out-legend").innerHTML = "Row: the true class; column: the class the network predicts (largest output). "
      + "The diagonal counts the right answers; <b>right</b> is the accuracy on each class.";
    return {
      render: function (s) {
        for (var i = 0; i < k; i++) {
          var total = 0;
          if (s.confusion) s.confusion[i].forEach(function (v) { total += v; });
          for (var j = 0; j < k; j++) {
            var v = s.confusion ? s.confusion[i][j] : null, share = total ? v / total : 0;
            var cell = cells[i][j];
            cell.textContent = v ? String(v) : "";
            cell.style.background = !v ? "#fff" : i === j ? "rgba(0,158,115," + (0.15 + 0.75 * share) + ")"
              : "rgba(213,94,0," + (0.15 + 0.75 * Math.min(1, 4 * share)) + ")";
          }
          var a = s.perClass[i];
          accs[i].textContent = a === null ? "" : Math.round(100 * a) + "%";
        }
      },
    };
  }

  function noClassView() {
    $(".tg-out-title").textContent = "No classes";
    $(".tg-out").textContent = "These targets are not class labels, so there are no decision regions or "
      + "confusion matrix; the loss curve shows the fit.";
    return {render: function () {}};
  }

  // --- loss and accuracy curves, with a marker at the snapshot -----------------------------
  function curveViews() {
    var C = data.curves, epochs = (C.loss || []).length;
    var loss = chart($(".tg-loss"), [
      {values: C.loss, label: "training (mean over the epoch)", colour: "#0072b2"},
      {values: C.valLoss, label: "validation (after the epoch)", colour: "#d55e00", dash: "5 3"},
    ], null, snaps.map(function (s) { return s.loss === null ? null : [s.epoch, s.loss]; }));
    var acc = C.accuracy ? chart($(".tg-acc"), [
      {values: C.accuracy, label: "training (as the epoch ran)", colour: "#0072b2"},
      {values: C.valAccuracy, label: "validation (after the epoch)", colour: "#d55e00", dash: "5 3"},
    ], [0, 1], null) : null;
    if (!acc) $(".tg-acc").parentNode.style.display = "none";

    function chart(box, series, range, dots) {
      var shown = series.filter(function (s) { return s.values; });
      var entries = shown.length + (dots && dots.some(Boolean) ? 1 : 0) + 1;
      var W = +box.getAttribute("width"), left = 44, right = 10, top = 14 + 12 * entries, bottom = 26;
      var H = top + 130 + bottom;
      box.setAttribute("height", H);
      var all = [];
      shown.forEach(function (s) { s.values.forEach(function (v) { if (v !== null) all.push(v); }); });
      if (!all.length) (dots || []).forEach(function (d) { if (d) all.push(d[1]); });
      var lo = range ? range[0] : Math.min(0, Math.min.apply(null, all)), hi = range ? range[1] : Math.max.apply(null, all);
      if (!(hi > lo)) hi = lo + 1;
      var X = function (e) { return left + e / Math.max(1, epochs) * (W - left - right); };
      var Y = function (v) { return top + (hi - v) / (hi - lo) * (H - top - bottom); };
      [lo, (lo + hi) / 2, hi].forEach(function (v) {
        svg("line", {x1: left, y1: Y(v), x2: W - right, y2: Y(v), stroke: "#eee"}, box);
        svg("text", {x: left - 4, y: Y(v) + 3, "text-anchor": "end"}, box).textContent = range ? Math.round(v * 100) + "%" : short(v);
      });
      svg("line", {x1: left, y1: Y(lo), x2: W - right, y2: Y(lo), stroke: "#999"}, box);
      svg("line", {x1: left, y1: top, x2: left, y2: Y(lo), stroke: "#999"}, box);
      var step = Math.max(1, Math.ceil(epochs / 8));
      for (var e = 0; e <= epochs; e += step) {
        svg("text", {x: X(e), y: H - bottom + 13, "text-anchor": "middle"}, box).textContent = String(e);
      }
      svg("text", {x: W - right, y: H - 2, "text-anchor": "end"}, box).textContent = "epoch";
      (dots || []).forEach(function (d) {
        // a batch's C above the curves (often the first) sits on the top edge, drawn hollow
        if (d) svg("circle", {cx: X(d[0]), cy: Y(Math.min(hi, d[1])), r: 1.7, fill: d[1] > hi ? "none" : "#9aa6b0",
                              stroke: "#9aa6b0"}, box);
      });
      var row = 0;
      function legend(draw, text) {
        var y = 10 + 12 * row++;
        draw(left + 6, y);
        svg("text", {x: left + 30, y: y + 3}, box).textContent = text;
      }
      shown.forEach(function (s) {
        var points = s.values.map(function (v, e) { return v === null ? null : X(e + 1) + "," + Y(v); }).filter(Boolean);
        svg("polyline", {points: points.join(" "), fill: "none", stroke: s.colour, "stroke-width": 2,
                         "stroke-dasharray": s.dash || ""}, box);
        legend(function (x, y) {
          svg("line", {x1: x, y1: y, x2: x + 18, y2: y, stroke: s.colour, "stroke-width": 2, "stroke-dasharray": s.dash || ""}, box);
        }, s.label);
      });
      if (dots && dots.some(Boolean)) {
        legend(function (x, y) { svg("circle", {cx: x + 9, cy: y, r: 2, fill: "#9aa6b0"}, box); },
               "C of the batch about to be used, at each snapshot");
      }
      legend(function (x, y) {
        svg("line", {x1: x + 9, y1: y - 5, x2: x + 9, y2: y + 5, stroke: "#222", "stroke-width": 1.5, "stroke-dasharray": "2 2"}, box);
      }, "this snapshot");
      var marker = svg("line", {y1: top, y2: Y(lo), stroke: "#222", "stroke-width": 1.5, "stroke-dasharray": "3 2"}, box);
      return function (s) {
        marker.setAttribute("x1", X(s.epoch)); marker.setAttribute("x2", X(s.epoch));
      };
    }
    return function (s) { loss(s); if (acc) acc(s); };
  }

  // --- one snapshot ------------------------------------------------------------------------
  function status(s) {
    var where = current === last && s.gw === null
      ? "the trained network, after " + s.update + " update" + (s.update === 1 ? "" : "s") + " (" + s.epoch + " epochs)"
      : "epoch " + s.epoch + ", after " + s.update + " update" + (s.update === 1 ? "" : "s");
    var parts = ["<b>Snapshot " + (current + 1) + " of " + snaps.length + "</b> (" + data.every + "): " + where];
    if (s.loss !== null) parts.push("C of the next batch = " + s.loss);
    // the snapshot's own weights, not the accuracy curve's (measured while the epoch's updates ran)
    if (s.accuracy !== undefined) {
      parts.push("<b>" + Math.round(1000 * s.accuracy) / 10 + "%</b> of the " + data.examples
        + " examples shown are classified right by this snapshot's weights");
    }
    if (mode === "g" && s.gw === null) parts.push("no gradient here: no batch follows the last update");
    return parts.join(" &#183; ");
  }

  function show(i) {
    current = Math.max(0, Math.min(last, i));
    var s = snaps[current];
    net.render(s);
    out.render(s);
    curves(s);
    info();
    $(".tg-status").innerHTML = status(s);
    slider.value = String(current);
    root.setAttribute("data-snapshot", String(current));
    root.setAttribute("data-mode", mode);
  }

  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.innerHTML = "&#9654; Play";
    root.setAttribute("data-playing", "0");
  }

  function toggle() {
    if (timer !== null) return stop();
    if (current === last) show(0);
    timer = setInterval(function () {
      if (current >= last) return stop();
      show(current + 1);
    }, +speed.value);
    play.innerHTML = "&#10073;&#10073; Pause";
    root.setAttribute("data-playing", "1");
  }

  play.addEventListener("click", toggle);
  $(".tg-prev").addEventListener("click", function () { stop(); show(current - 1); });
  $(".tg-next").addEventListener("click", function () { stop(); show(current + 1); });
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  speed.addEventListener("change", function () { if (timer !== null) { stop(); toggle(); } });
  Array.prototype.forEach.call(root.querySelectorAll(".tg-show input"), function (radio) {
    radio.addEventListener("change", function () {
      mode = radio.value;
      $(".tg-legend").innerHTML = legendText();
      show(current);
    });
  });
  function key(event) {
    // The slider and the speed menu use the arrows themselves; a radio button would flip to the
    // other view with them, which is not what a learner stepping through snapshots wants.
    // Alt+← and the like are the browser's (back).
    var target = event.target;
    if (target === slider || target.tagName === "SELECT" || target.tagName === "TEXTAREA" ||
        (target.tagName === "INPUT" && target.type !== "radio" && target.type !== "checkbox") ||
        event.altKey || event.ctrlKey || event.metaKey) return;
    var moves = {ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: last};
    if (event.key in moves) { event.preventDefault(); stop(); show(moves[event.key]); }
    else if (event.key === " ") { event.preventDefault(); toggle(); }
  }
  // A page of its own (saved with .save) answers keys anywhere, as a saved stepper does; a page
  // in a notebook only once it has the focus, so that the notebook's keys and the other pages'
  // keep working. Asked at each key, not here: while this script runs, the pages after this
  // one in the document are not parsed yet.
  function alone() { return root.parentElement === document.body && document.body.children.length === 1; }
  root.addEventListener("keydown", key);
  document.addEventListener("keydown", function (event) {
    if (alone() && !root.contains(event.target)) key(event);
  });
  show(0);
  root.setAttribute("data-ready", "1");
}
