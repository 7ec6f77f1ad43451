"""Accessibility repairs for markup that Gradio's own components produce and the app cannot set.

The axe-core audit (WCAG 2.1 A + AA, tests/browser/test_accessibility.py) flags two things inside
Gradio 6's components; both are mended in the page by HEAD_SCRIPT, which watches the DOM (tabs
render lazily, figures re-render) and patches each element once:

* gr.Plot / gr.Image with no value show a `<div class="empty" aria-label="Empty value">`: an
  aria-label on a div with no role (axe "aria-prohibited-attr"). It gets role="img", which allows
  the label and is what the placeholder is: an empty picture.
* A non-interactive gr.Image wraps its picture in a `<button>` (it opens the full-screen view)
  whose only content is an image with an empty alt text (axe "button-name", critical). It is named
  after the component's label (already in the page's language), else its elem_id.
* A gr.File holding files shows an "upload more" icon button (aria-label "common.upload", an
  untranslated key) that wraps Gradio's own upload button: a button inside a button (axe
  "nested-interactive", serious) and two tab stops for one action. The outer one becomes a plain
  group out of the tab order; the inner upload button, which opens the file dialog, stays.

And one thing no component gives: a text equivalent of each Plotly figure. Every figure becomes a
figure (role="figure") named by its title and a summary of what it shows, read from the drawn data in
the page's language: for a heatmap the largest and next value of each row ("Row 3: 0.82 on 3 · a
red circle, next 0.11 on 5 · ..."), for bars the highest ones, for curves where each one ends. It
is rewritten after every redraw (Plotly's afterplot, update, restyle and react events), so it follows the
sliders, including those that redraw in the page (assets/live.js).
"""

from __future__ import annotations

HEAD_SCRIPT = """<script>
(function () {
  function nameOf(button) {
    var block = button.closest(".block");
    var label = block && block.querySelector("[data-testid=block-label], label");
    var text = label ? (label.innerText || "").trim() : "";
    return text || (block && block.id ? block.id.replace(/-/g, " ") : "image");
  }
  var ZH = /^zh/i.test(navigator.language || "");
  var WORDS = ZH
    ? {row: function (r, v, c, v2, c2) {
         return "第 " + r + " 行：" + c + " 为 " + v + (c2 === null ? "" : "，其次 " + c2 + " 为 " + v2) + "。"; },
       more: function (n) { return "（共 " + n + " 行）"; },
       bars: function (name, items) { return (name ? name + "：" : "") + "最高 " + items.join("，") + "。"; },
       curve: function (name, n, x, y) {
         return (name ? name + "：" : "") + n + " 个点，终点 x = " + x + "，y = " + y + "。"; },
       figure: "图："}
    : {row: function (r, v, c, v2, c2) {
         return "Row " + r + ": " + v + " on " + c + (c2 === null ? "" : ", next " + v2 + " on " + c2) + "."; },
       more: function (n) { return " (" + n + " rows in all)"; },
       bars: function (name, items) { return (name ? name + ": " : "") + "highest " + items.join(", ") + "."; },
       curve: function (name, n, x, y) {
         return (name ? name + ": " : "") + n + " points, ending at x = " + x + ", y = " + y + "."; },
       figure: "Figure: "};
  function num(v) {
    if (typeof v !== "number" || !isFinite(v)) return String(v);
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : a === 0 ? "0" : v.toPrecision(2);
  }
  function list(a) { return a ? Array.prototype.slice.call(a) : []; }
  function label(a, i) { var l = list(a); return l.length > i ? String(l[i]) : String(i); }
  // a category's name: itself when it is text (the heatmap's "3 · a red circle"), else the axis' tick
  // text where the figure sets one (zero-shot bars sit at 0..k-1 with the class names as tick text)
  function named(gd, axis, value) {
    if (typeof value === "string" && !isFinite(Number(value))) return plain(value);
    var full = (gd._fullLayout || {})[axis.replace(/^([xy])/, "$1axis")] || {};
    var vals = list(full.tickvals), texts = list(full.ticktext);
    var i = vals.findIndex(function (v) { return String(v) === String(value); });
    return plain(i >= 0 && i < texts.length ? texts[i] : value);
  }
  // titles may hold learners' captions: parse them inert (no script runs, no image loads)
  function plain(s) {
    var text = s === null || s === undefined ? "" : String(s);
    return (new DOMParser().parseFromString(text, "text/html").body.textContent || "").trim();
  }
  function heatmap(gd, t) {
    var rows = list(t.z), out = [], xs = list(t.x), ys = list(t.y);
    function col(j) { return named(gd, t.xaxis || "x", j < xs.length ? xs[j] : j); }
    rows.slice(0, 8).forEach(function (row, r) {
      var v = list(row).map(Number), order = v.map(function (_, j) { return j; });
      order.sort(function (a, b) { return v[b] - v[a]; });
      if (!order.length) return;
      var second = order.length > 1 ? order[1] : null;
      out.push(WORDS.row(named(gd, t.yaxis || "y", r < ys.length ? ys[r] : r), num(v[order[0]]), col(order[0]),
                         second === null ? null : num(v[second]), second === null ? null : col(second)));
    });
    if (rows.length > 8) out.push(WORDS.more(rows.length));
    return out.join(" ");
  }
  function bars(gd, t, name) {
    var horizontal = t.orientation === "h", values = list(horizontal ? t.x : t.y).map(Number);
    var cats = list(horizontal ? t.y : t.x), axis = (horizontal ? t.yaxis : t.xaxis) || (horizontal ? "y" : "x");
    var order = values.map(function (_, i) { return i; }).filter(function (i) { return isFinite(values[i]); });
    order.sort(function (a, b) { return values[b] - values[a]; });
    if (!order.length) return "";
    return WORDS.bars(name, order.slice(0, 3).map(function (i) {
      return named(gd, axis, i < cats.length ? cats[i] : i) + " " + num(values[i]);
    }));
  }
  function curve(t, name) {
    var x = list(t.x), y = list(t.y).map(Number), n = y.length;
    while (n && !isFinite(y[n - 1])) n -= 1;
    return n ? WORDS.curve(name, n, num(x.length >= n ? x[n - 1] : n - 1), num(y[n - 1])) : "";
  }
  function describe(gd) {
    var layout = gd._fullLayout || gd.layout || {}, title = layout.title;
    title = plain(title && typeof title === "object" ? title.text : title);
    var parts = (gd._fullData || []).filter(function (t) { return t.visible === true; }).slice(0, 6).map(function (t) {
      var name = plain(((gd.data || [])[t.index] || {}).name);  // the figure's own name, not Plotly's "trace 0"
      if (t.type === "heatmap") return heatmap(gd, t);
      return t.type === "bar" ? bars(gd, t, name) : (t.y ? curve(t, name) : "");
    }).filter(Boolean);
    // panel headings first (lesson 4's name the slider's scale, τ and entropy): short, and they change
    var notes = ((layout.annotations || [])).map(function (a) { return plain(a.text); }).filter(Boolean).slice(0, 6);
    var text = (WORDS.figure + (title ? title + ". " : "") + (notes.length ? notes.join("; ") + ". " : "") +
                parts.join(" ")).slice(0, 900);
    gd.setAttribute("role", "figure");  // not "img": its toolbar buttons stay reachable
    if (gd.getAttribute("aria-label") !== text) gd.setAttribute("aria-label", text);
  }
  function mend(root) {
    root.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (!gd._fullData) return;
      if (gd.on && gd.__described !== gd._ev) {
        gd.__described = gd._ev;
        ["plotly_afterplot", "plotly_update", "plotly_restyle", "plotly_react"].forEach(function (name) {
          gd.on(name, function () { describe(gd); });  // a restyle or update may redraw without afterplot
        });
      }
      try { describe(gd); } catch (error) { console.warn("figure text:", error); }
    });
    root.querySelectorAll("div.empty[aria-label]:not([role])").forEach(function (e) {
      e.setAttribute("role", "img");
    });
    root.querySelectorAll(".image-container button:not([aria-label])").forEach(function (b) {
      if (!(b.innerText || "").trim()) b.setAttribute("aria-label", nameOf(b));
    });
    root.querySelectorAll("button.icon-button:not([role])").forEach(function (b) {
      if (!b.querySelector("button, input, a[href], [tabindex]")) return;
      b.setAttribute("role", "group");
      b.setAttribute("tabindex", "-1");
      var inner = b.querySelector("[aria-label]");
      b.setAttribute("aria-label", inner ? inner.getAttribute("aria-label") : "upload");
      b.removeAttribute("title");
    });
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    setTimeout(function () { pending = false; mend(document); }, 50);
  }
  function start() {
    mend(document);
    new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
</script>"""
