// The backward stepper's behaviour. One copy of this script runs per stepper; it touches only
// the elements inside its own root (found by its unique id), and keeps no global state, so
// several steppers in one notebook step independently.
(function () {
  "use strict";
  var root = document.getElementById("%ID%");
  if (!root || root.getAttribute("data-ready") === "1") return;  // a notebook may re-run outputs
  root.setAttribute("data-ready", "1");
  var prefix = "%ID%-";
  var data = JSON.parse(root.querySelector(".tg-data").textContent);
  var steps = data.steps, last = steps.length - 1, current = 0;
  var pane = root.querySelector(".tg-pane"), canvas = root.querySelector(".tg-canvas");
  var svg = canvas.querySelector("svg");
  var slider = root.querySelector(".tg-slider");
  var explain = root.querySelector(".tg-explain");
  // A page of its own (saved with .save) or one output among others (a notebook)? Asked again
  // once the document is parsed: while this script runs, what follows this stepper is not yet.
  function alone() { return root.parentElement === document.body && document.body.children.length === 1; }
  var standalone = false;
  function place() {
    standalone = alone();
    document.body.classList.toggle("tg-alone", standalone);
    root.classList.toggle("tg-alone", standalone);
  }
  place();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", place);
  slider.max = String(last);

  function part(id) { return id ? document.getElementById(prefix + id) : null; }
  function one(selector) { return root.querySelector(selector); }

  // Grad cells: centre their text once, so that "?" and numbers sit in the middle of the cell.
  // The middle is read from the polygon's own points, not getBBox(): a stepper made while
  // hidden (a collapsed output, a background tab) has no layout yet, and getBBox() gives 0.
  function middle(polygon) {
    var xs = Array.prototype.map.call(polygon.points, function (p) { return p.x; });
    return (Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2;
  }
  var cells = data.cells.map(function (c) {
    var group = part("a_" + c[0]);
    var text = group ? group.querySelector("text") : null;
    if (text) {
      text.setAttribute("text-anchor", "middle");
      text.setAttribute("x", String(middle(group.querySelector("polygon"))));
    }
    return { text: text, grad: c[1], knownAt: c[2] };
  });

  // --- the graph pane: pan (drag), zoom (wheel, pinch, buttons), fit ------------------------
  var view = { x: 0, y: 0, scale: 1 };
  var size = { width: svg.width.baseVal.value || svg.getBoundingClientRect().width,
               height: svg.height.baseVal.value || svg.getBoundingClientRect().height };
  var MIN_SCALE = 0.05, MAX_SCALE = 8;

  function apply() {
    canvas.style.transform = "translate(" + view.x + "px," + view.y + "px) scale(" + view.scale + ")";
  }
  function zoomAt(factor, px, py) {
    var scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, view.scale * factor));
    view.x = px - (px - view.x) * scale / view.scale;
    view.y = py - (py - view.y) * scale / view.scale;
    view.scale = scale;
    apply();
  }
  function fit() {
    var w = pane.clientWidth, h = pane.clientHeight;
    if (!w || !h || !size.width || !size.height) return;
    view.scale = Math.min(w / size.width, h / size.height) * 0.96;
    view.x = (w - size.width * view.scale) / 2;
    view.y = (h - size.height * view.scale) / 2;
    apply();
  }
  function centre() { return [pane.clientWidth / 2, pane.clientHeight / 2]; }

  // The current node comes into view by moving the graph inside its pane, never the page, so
  // the explanation stays where it is. A node too small to read is zoomed to a readable size.
  function bounds(elements) {
    var b = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    elements.forEach(function (el) {
      var r = el.getBoundingClientRect();
      b.left = Math.min(b.left, r.left); b.top = Math.min(b.top, r.top);
      b.right = Math.max(b.right, r.right); b.bottom = Math.max(b.bottom, r.bottom);
    });
    return b;
  }
  function bringIntoView(elements) {
    if (!elements.length || !pane.clientWidth || !pane.clientHeight) return;
    var p = pane.getBoundingClientRect(), b = bounds(elements), margin = 12;
    var width = b.right - b.left, height = b.bottom - b.top;
    var room = Math.min((p.width - 2 * margin) / width, (p.height - 2 * margin) / height);
    var readable = Math.min(90, p.width / 4), factor = 1;
    if (room < 1) factor = room;  // too big for the pane at this zoom: shrink until it fits
    else if (elements.length === 1 && width < readable && view.scale < 1)  // too small to read: zoom in,
      factor = Math.max(1, Math.min(readable / width, room, 1 / view.scale));  // at most to natural size
    if (factor !== 1) {
      zoomAt(factor, (b.left + b.right) / 2 - p.left, (b.top + b.bottom) / 2 - p.top);
      b = bounds(elements);
    }
    var inside = b.left >= p.left + margin && b.right <= p.right - margin &&
                 b.top >= p.top + margin && b.bottom <= p.bottom - margin;
    if (inside) return;
    view.x += p.left + p.width / 2 - (b.left + b.right) / 2;
    view.y += p.top + p.height / 2 - (b.top + b.bottom) / 2;
    apply();
  }

  one(".tg-zoom-in").addEventListener("click", function () { var c = centre(); zoomAt(1.25, c[0], c[1]); });
  one(".tg-zoom-out").addEventListener("click", function () { var c = centre(); zoomAt(0.8, c[0], c[1]); });
  one(".tg-fit").addEventListener("click", fit);
  pane.addEventListener("wheel", function (event) {
    event.preventDefault();
    var r = pane.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015)), event.clientX - r.left, event.clientY - r.top);
  }, { passive: false });

  var pointers = {}, pinch = null;
  pane.addEventListener("pointerdown", function (event) {
    if (event.target.closest("button")) return;
    pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
    try { pane.setPointerCapture(event.pointerId); } catch (e) { /* a pointer already gone */ }
    pane.classList.add("tg-dragging");
    pinch = null;
  });
  pane.addEventListener("pointermove", function (event) {
    var before = pointers[event.pointerId];
    if (!before) return;
    var ids = Object.keys(pointers);
    if (ids.length === 1) {
      view.x += event.clientX - before.x;
      view.y += event.clientY - before.y;
      apply();
    } else if (ids.length === 2) {
      var other = pointers[ids[0] == event.pointerId ? ids[1] : ids[0]];
      var distance = Math.hypot(event.clientX - other.x, event.clientY - other.y);
      if (pinch) {
        var r = pane.getBoundingClientRect();
        zoomAt(distance / pinch, (event.clientX + other.x) / 2 - r.left, (event.clientY + other.y) / 2 - r.top);
      }
      pinch = distance;
    }
    pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
  });
  function release(event) {
    delete pointers[event.pointerId];
    pinch = null;
    if (!Object.keys(pointers).length) pane.classList.remove("tg-dragging");
  }
  pane.addEventListener("pointerup", release);
  pane.addEventListener("pointercancel", release);

  // --- the steps ------------------------------------------------------------------------------
  function clear(cls) {
    Array.prototype.forEach.call(root.querySelectorAll("." + cls), function (el) { el.classList.remove(cls); });
  }
  function writeExplanation(step) {
    explain.textContent = "";
    step.text.split("\n").forEach(function (line, i) {
      var div = document.createElement("div");
      div.className = i === 0 ? (step.kind === "error" ? "tg-main tg-error" : "tg-main") : "tg-detail";
      div.textContent = (i === 0 ? "Step " + current + ": " : "") + line;
      explain.appendChild(div);
    });
    explain.scrollTop = 0;
  }

  function show(k) {
    current = Math.max(0, Math.min(last, k));
    var step = steps[current];
    cells.forEach(function (c) {
      if (c.text) c.text.textContent = c.knownAt <= current ? c.grad : "?";
    });
    clear("current"); clear("cell-current"); clear("term"); clear("source");
    step.sources.forEach(function (id) { var b = part(id); if (b) b.classList.add("source"); });
    var boxes = step.boxes.map(part).filter(Boolean);
    boxes.forEach(function (box) { box.classList.add("current"); });
    var cell = part(step.cell ? "a_" + step.cell : null);
    if (cell) cell.classList.add("cell-current");
    step.edges.forEach(function (id) { var e = part(id); if (e) e.classList.add("term"); });
    writeExplanation(step);
    one(".tg-node-name").textContent = step.name || "(none yet)";
    one(".tg-grad-value").textContent = step.exact || step.kind === "layer" ? step.grad : "?";
    one(".tg-grad-exact").textContent = step.exact ? "(" + step.exact + ")" : "";
    var reference = one(".tg-reference");
    reference.textContent = step.reference || "";
    reference.classList.toggle("tg-disagree", step.agrees === false);
    one(".tg-counter").textContent = "step " + current + " / " + last;
    one(".tg-prev").disabled = current === 0;
    one(".tg-next").disabled = current === last;
    // A button disabled under the focus (Next at the last step) drops it to the page's body,
    // and the keys with it: the stepper keeps the focus instead.
    if (document.activeElement && document.activeElement.disabled && root.contains(document.activeElement))
      root.focus({ preventScroll: true });
    root.setAttribute("data-step", String(current));
    root.setAttribute("data-box", step.boxes.join(" "));
    if (standalone) {
      document.body.setAttribute("data-step", String(current));
      document.body.setAttribute("data-box", step.boxes.join(" "));
    }
    slider.value = String(current);
    bringIntoView(boxes);
  }

  one(".tg-prev").addEventListener("click", function () { show(current - 1); });
  one(".tg-next").addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  // A page of its own answers keys anywhere; a stepper in a notebook only once it has the focus
  // (a click in it gives it), so that the notebook's own keys keep working.
  function key(event) {
    if (event.target === slider || event.altKey || event.ctrlKey || event.metaKey) return;
    var moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: last };
    if (event.key in moves) { event.preventDefault(); event.stopPropagation(); show(moves[event.key]); }
  }
  root.addEventListener("keydown", key);
  document.addEventListener("keydown", function (event) {
    if (standalone && !root.contains(event.target)) key(event);
  });
  root.addEventListener("pointerdown", function (event) {
    if (!event.target.closest("button, input, summary")) root.focus({ preventScroll: true });
  });
  if (root.clientWidth >= 1000) one(".tg-help").open = true;  // room to spare beside the graph
  show(0);
  fit();  // after the first explanation is written: it sets how much room the pane has
  if (window.ResizeObserver) {  // the pane changes size with the window or the notebook's column
    var seen = [pane.clientWidth, pane.clientHeight];
    new ResizeObserver(function () {
      if (pane.clientWidth === seen[0] && pane.clientHeight === seen[1]) return;
      seen = [pane.clientWidth, pane.clientHeight];
      if (current === 0) fit(); else bringIntoView(steps[current].boxes.map(part).filter(Boolean));
    }).observe(pane);
  }
})();
