"""Teacher mode: a page for a projector. The `teacher` class on <html> (the stylesheet enlarges the
page's type and hides advanced controls) and every figure's small text enlarged to match; from
?teacher= in the link, else the server's default (`python app.py --teacher`)."""

from __future__ import annotations

# Teacher mode: the `teacher` class on <html> (CSS enlarges the page's type), and the Plotly figures'
# small text enlarged to match: the base font and every size a figure names for ticks, legend,
# annotations, trace text and colour bars times PLOT_SCALE; titles (of the figure, and axis titles
# given a size because their room is short) kept as they are; margins and height grown so the larger
# text still fits. Each figure the server sends is a new layout object; a WeakSet remembers the ones
# already enlarged, so each is enlarged once. Only teacher pages poll (4 times a second, a cheap query).
TEACHER_JS = """() => {
  const q = new URLSearchParams(window.location.search).get("teacher");
  const on = q === null ? %s : ["1", "true", "yes", "on"].includes(q.toLowerCase());
  document.documentElement.classList.toggle("teacher", on);
  if (!on || window.clipLabTeacherPlots) return;
  const SCALE = %s, done = new WeakSet();
  const times = (size) => Math.round(size * SCALE * 10) / 10;
  const enlarge = (gd) => {
    const layout = gd.layout, data = gd.data, full = gd._fullLayout;
    if (!layout || !data || !full || !full.font || done.has(layout) || !window.Plotly) return;
    done.add(layout);
    const out = {"font.size": times(full.font.size), "title.font.size": full.title.font.size};
    const bigger = (font, path) => { if (font && font.size) out[path + "font.size"] = times(font.size); };
    bigger(layout.legend && layout.legend.font, "legend.");
    for (const key of Object.keys(layout).filter((k) => /^[xy]axis\\d*$/.test(k))) {
      bigger(layout[key] && layout[key].tickfont, key + ".tick");
    }
    (layout.annotations || []).forEach((a, i) => bigger(a.font, `annotations[${i}].`));
    for (const side of ["t", "b", "l", "r"]) out["margin." + side] = Math.round(full.margin[side] * SCALE);
    if (layout.height) out.height = Math.round(layout.height * SCALE);
    const traces = {};
    data.forEach((trace, i) => {
      const bar = trace.colorbar || (trace.marker && trace.marker.colorbar) || {};
      const path = trace.colorbar ? "colorbar.tickfont." : "marker.colorbar.tickfont.";
      for (const [key, font] of [["textfont.size", trace.textfont], [path + "size", bar.tickfont]]) {
        if (!font || !font.size) continue;
        (traces[key] = traces[key] || data.map(() => undefined))[i] =
          Array.isArray(font.size) ? font.size.map(times) : times(font.size);
      }
    });
    window.Plotly.update(gd, traces, out);
  };
  window.clipLabTeacherPlots = setInterval(() => document.querySelectorAll(".js-plotly-plot").forEach(enlarge), 250);
}"""
PLOT_SCALE = 1.2  # the page's type grows by 25 %; the figures' smaller text by 20 % (more no longer fits them)


def teacher_js(default: bool) -> str:
    """Page-load script: the `teacher` class on <html> from ?teacher=, else the server's default."""
    return TEACHER_JS % ("true" if default else "false", PLOT_SCALE)
