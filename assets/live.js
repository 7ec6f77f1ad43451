// CLIP Lab's in-page sliders (issue 16): what only rescales model output (a temperature, a
// probability, a shift) is recomputed here, from data the server put in the figure once
// (layout.meta.live), and drawn with Plotly.update/react on the figure already on the page: no
// server round trip, so the figure follows the hand within a frame. The server keeps the same
// computation (lessons/*.py, clip_core/loss.py) for the API, the PNG export and shared links, and
// redraws from it when the slider is released. tests/browser/test_live_sliders.py checks that the
// numbers here equal clip_core's.
(() => {
  if (window.clipLive) return;

  // ----- Python's str.format, for the lessons' localised templates ---------------------------------
  const trimZeros = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  const exponent = (s) => {  // JS "1.5e-5" -> Python "1.5e-05"
    const [mantissa, exp] = s.split("e");
    return mantissa + "e" + (exp[0] === "-" ? "-" : "+") + exp.replace(/^[+-]/, "").padStart(2, "0");
  };
  function formatNumber(x, spec) {
    const m = /^([+ ])?(?:\.(\d+))?([fge%d])?$/.exec(spec || "");
    if (!m || typeof x !== "number") return String(x);
    const [, sign, digits, type] = m;
    const p = digits === undefined ? 6 : Number(digits);
    let s;
    if (!Number.isFinite(x)) s = Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
    else if (type === "f") s = x.toFixed(p);
    else if (type === "e") s = exponent(x.toExponential(p));
    else if (type === "%") s = (100 * x).toFixed(p) + "%";
    else if (type === "d") s = String(Math.round(x));
    else if (type === "g" || digits !== undefined) {
      const q = Math.max(p, 1);
      if (x === 0) s = "0";
      else {
        const exp = Number(x.toExponential(q - 1).split("e")[1]);
        s = exp >= -4 && exp < q ? trimZeros(x.toFixed(q - 1 - exp)) : exponent(x.toExponential(q - 1)).replace(
          /^([^e]*)/, (mantissa) => trimZeros(mantissa));
      }
    } else s = Number.isInteger(x) && !Number.isSafeInteger(x) ? x.toExponential() : String(x);
    if (sign === "+" && !s.startsWith("-")) s = "+" + s;
    if (sign === " " && !s.startsWith("-")) s = " " + s;
    return s;
  }
  function format(template, values) {
    return template.replace(/\{\{|\}\}|\{(\w+)(?::([^{}]*))?\}/g, (match, name, spec) => {
      if (match === "{{") return "{";
      if (match === "}}") return "}";
      return name in values ? formatNumber(values[name], spec) : match;
    });
  }

  // ----- the math, in float64, step for step as clip_core/loss.py and lessons/temperature.py -------
  function logSoftmax(v) {
    let max = -Infinity;
    for (const x of v) if (x > max) max = x;
    let sum = 0;
    for (const x of v) sum += Math.exp(x - max);
    const lse = max + Math.log(sum);
    return v.map((x) => x - lse);
  }
  const softmax = (v) => logSoftmax(v).map(Math.exp);
  const transpose = (a) => a[0].map((_, j) => a.map((row) => row[j]));
  const argmax = (v) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
  const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;

  /** loss_breakdown(cosine * scale): both softmaxes, per-row and per-column losses, the total. */
  function logitsStats(cosine, scale) {
    const n = cosine.length;
    const logits = cosine.map((row) => row.map((c) => c * scale));  // [n, n]
    const rowLog = logits.map(logSoftmax);  // [n, n] log softmax over j
    const colLog = transpose(transpose(logits).map(logSoftmax));  // [n, n] log softmax over i
    const perImage = rowLog.map((row, i) => -row[i]);
    const perText = perImage.map((_, j) => -colLog[j][j]);
    const lossImage = mean(perImage), lossText = mean(perText);
    let accRows = 0, accCols = 0;
    for (let i = 0; i < n; i++) {
      if (argmax(logits[i]) === i) accRows++;
      if (argmax(logits.map((row) => row[i])) === i) accCols++;
    }
    return {n, scale, cosine, logits, perImage, perText, lossImage, lossText, total: (lossImage + lossText) / 2,
            pImageToText: rowLog.map((row) => row.map(Math.exp)), pTextToImage: colLog.map((row) => row.map(Math.exp)),
            accRows, accCols};
  }

  /** row_statistics: one row of cosines at each scale: softmax, entropy, loss, gradient sizes. */
  function rowStats(cosines, correct, scales) {
    return scales.map((scale) => {
      const logits = cosines.map((c) => c * scale);
      const logP = logSoftmax(logits);
      const probs = logP.map(Math.exp);
      const residual = probs.map((p, j) => p - (j === correct ? 1 : 0));
      const gradLogits = Math.sqrt(residual.reduce((s, r) => s + r * r, 0));
      return {scale, probs, entropy: -probs.reduce((s, p, j) => s + p * logP[j], 0), loss: -logP[correct],
              gradLogits, gradCosines: scale * gradLogits,
              gradT: residual.reduce((s, r, j) => s + r * logits[j], 0)};
    });
  }

  /** clip_core.zeroshot.classify for one image: softmax(scale * cosines), averaged over templates if [T, C]. */
  function zeroShotProbs(cosines, scale) {
    const perTemplate = (Array.isArray(cosines[0]) ? cosines : [cosines]).map((row) => softmax(row.map((c) => c * scale)));
    return perTemplate[0].map((_, j) => mean(perTemplate.map((p) => p[j])));
  }

  // ----- the figure on the page --------------------------------------------------------------------
  const plotIn = (selector) => {
    const host = document.querySelector(selector);
    const gd = host && (host.classList.contains("js-plotly-plot") ? host : host.querySelector(".js-plotly-plot"));
    return gd && gd.layout && window.Plotly ? gd : null;
  };
  const hasLive = (gd) => !!(gd && gd.layout.meta && gd.layout.meta.live);
  const round4 = (x) => Math.fround(Math.round(x * 1e4) / 1e4);

  /** Lesson 3 and the photos tab: the logits heatmap at a new scale (the figure's view kept). */
  function drawLogits(gd, stats) {
    const live = gd.layout.meta.live, n = stats.n, ln = Math.log(n);
    const z = {cosine: stats.cosine, logits: stats.logits, p_image_to_text: stats.pImageToText,
               p_text_to_image: stats.pTextToImage}[live.view];
    const custom = stats.cosine.map((row, i) => row.map((c, j) => [round4(c), round4(stats.logits[i][j]),
      round4(stats.pImageToText[i][j]), round4(stats.pTextToImage[i][j])]));
    const heat = {z: [z, undefined, undefined], customdata: [custom, undefined, undefined],
                  x: [undefined, stats.perImage, undefined], y: [undefined, undefined, stats.perText]};
    if (live.view === "logits") {
      let bound = 1e-6;
      for (const row of stats.logits) for (const v of row) bound = Math.max(bound, Math.abs(v));
      Object.assign(heat, {zmin: [-bound, undefined, undefined], zmax: [bound, undefined, undefined]});
    }
    const lossMax = Math.max(ln, ...stats.perImage, ...stats.perText) * 1.1;
    const layout = {"xaxis2.range": [0, lossMax], "yaxis2.range": [0, lossMax]};
    if (live.title) layout["title.text"] = format(live.title, {total: stats.total, n, ln, scale: stats.scale});
    window.Plotly.update(gd, heat, layout, [0, 1, 2]);
  }

  /** lessons/logits.py `_code`: the paper's pseudocode with this batch's numbers. */
  function logitsCode(stats, modelLabel) {
    const n = stats.n, k = Math.min(n, 4), f = (v, spec) => formatNumber(v, spec);
    const rows = stats.logits.slice(0, k).map((row) => "#   [" + row.slice(0, k).map((v) => f(v, ".2f").padStart(7))
      .join(", ") + (n > k ? ", ..." : "") + "]").join("\n");
    const labels = "[" + [...Array(Math.min(n, 8)).keys()].join(", ") + "]";
    return `# ${n} image-caption pairs from ShapesWorld; model: ${modelLabel}
I_f = image_encoder(I)             # [${n}, d_i] image features
T_f = text_encoder(T)              # [${n}, d_t] text features, read at <eot>
I_e = l2_normalize(I_f @ W_i)      # [${n}, d_e] unit vectors
T_e = l2_normalize(T_f @ W_t)      # [${n}, d_e] unit vectors
logits = I_e @ T_e.T * exp(t)      # [${n}, ${n}], exp(t) = ${f(stats.scale, ".3f")}  (tau = ${f(1 / stats.scale, ".4f")})
# logits[:${k}, :${k}] =
${rows}
labels = np.arange(n)              # ${labels}${n > 8 ? " ..." : ""}: caption i belongs to image i
loss_i = cross_entropy_loss(logits, labels, axis=0)   # ${f(stats.lossText, ".4f")}  (each text picks an image)
loss_t = cross_entropy_loss(logits, labels, axis=1)   # ${f(stats.lossImage, ".4f")}  (each image picks a text)
loss = (loss_i + loss_t) / 2                           # ${f(stats.total, ".4f")}   chance: ln ${n} = ${f(Math.log(n), ".4f")}
# rows whose largest logit is on the diagonal: ${stats.accRows} of ${n}`;
  }

  const handlers = {
    /** Lesson 3: [log10 tau] -> [summary, code, learned]; plots: main, side (random init). */
    logits([logTau], gds, current) {
      const [main, side] = gds;
      if (!hasLive(main)) return current;
      const scale = 10 ** -Number(logTau);
      const stats = logitsStats(main.layout.meta.live.cosine, scale);
      drawLogits(main, stats);
      if (hasLive(side) && side.offsetParent !== null) drawLogits(side, logitsStats(side.layout.meta.live.cosine, scale));
      const live = main.layout.meta.live;
      const summary = format(live.summary, {total: stats.total, li: stats.lossImage, lt: stats.lossText, n: stats.n,
        ln: Math.log(stats.n), scale, tau: 1 / scale, acc_i: stats.accRows, acc_t: stats.accCols});
      return [summary, live.model_label ? logitsCode(stats, live.model_label) : current[1], false];
    },

    /** The photos tab: [log10 tau] -> [summary, learned]. */
    photos([logTau], [gd], current) {
      if (!hasLive(gd)) return current;
      const live = gd.layout.meta.live, scale = 10 ** -Number(logTau);
      const stats = logitsStats(live.cosine, scale);
      drawLogits(gd, stats);
      const summary = format(live.summary, {n: stats.n, scale, loss: stats.total, chance: Math.log(stats.n),
                                            right: stats.accRows});
      return [[summary, ...live.messages].join("\n\n"), false];
    },

    /** Lesson 4: [log10 exp(t), the bars as the server sent them] -> [table, readout]; plots: bars, curves. */
    temperature([logScale, sent], [bars, curves], current) {
      if (!hasLive(bars)) return current;
      const [table, readout] = drawTemperature(bars, curves, sent, bars.layout.meta.live.row, 10 ** Number(logScale),
                                               false);
      return [table, readout];
    },

    /** Lesson 4: [row i, log10 exp(t), the bars as sent] -> [table, readout, card]; plots: bars, curves. */
    temperature_row([row, logScale, sent], [bars, curves], current) {
      if (!hasLive(bars)) return current;
      const live = bars.layout.meta.live, i = Math.round(Number(row));
      if (!(i >= 0 && i < live.matrix.length)) return current;
      const [table, readout] = drawTemperature(bars, curves, sent, i, 10 ** Number(logScale), true);
      const card = format(live.card, {thumbnail: live.thumbnails[i], row: i, color: live.card_color,
                                      text: format(live.strings.card, {i}), caption: live.captions[i]});
      return [table, readout, card];
    },

    /** Lesson 8, part 1: [p] -> [chain]. */
    logit_p([p], [gd], current) {
      if (!hasLive(gd)) return current;
      p = Number(p);
      const s = gd.layout.meta.live.strings, odds = p / (1 - p), z = Math.log(odds), limit = 8;
      const hover = `p = ${formatNumber(p, ".3f")}<br>z = ${formatNumber(z, ".3f")}<extra></extra>`;
      window.Plotly.update(gd, {x: [[p, p, 0], [-limit, z, z], [p], [z]], y: [[-limit, z, z], [p, p, 0], [z], [p]],
                                hovertemplate: [undefined, undefined, hover, hover]}, {}, [2, 3, 4, 5]);
      const words = format(s[odds >= 1 ? "odds_for" : "odds_against"], {odds, inverse: 1 / odds});
      const back = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      return [format(s.chain, {p, q: 1 - p, odds, odds_words: words, z, minus_z: -z, back})];
    },

    /** Lesson 8, part 2: [shift c, multiply k] -> [readout]. */
    logit_softmax([c, k], [gd], current) {
      if (!hasLive(gd)) return current;
      [c, k] = [Number(c), Number(k)];
      const live = gd.layout.meta.live, s = live.strings;
      const logits = live.z.map((z) => k * z + c), probs = softmax(logits), reference = softmax(live.z.map((z) => k * z));
      const bound = Math.max(1, ...logits.map(Math.abs)) * 1.15;
      window.Plotly.update(gd, {
        y: [logits, probs, reference], text: [logits.map((v) => v.toFixed(2)), probs.map((v) => v.toFixed(3)), undefined],
        "marker.color": [logits, probs, undefined], "marker.cmin": [-bound, undefined, undefined],
        "marker.cmax": [bound, undefined, undefined]}, {"yaxis.range": [-bound, bound]}, [0, 1, 2]);
      const sigmoid = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
      const [a, b] = logits, two = softmax([a, b])[0];
      const readout = format(s.softmax_readout, {c, change: Math.max(...probs.map((p, j) => Math.abs(p - reference[j]))),
        k, top: Math.max(...probs), logit_sum: logits.reduce((x, y) => x + y, 0), p_sum: probs.reduce((x, y) => x + y, 0)});
      const twoClass = format(s.two_class, {a, b, softmax2: two, diff: a - b, sigmoid: sigmoid(a - b),
        gap: Math.abs(two - sigmoid(a - b)), log_ratio: Math.log(probs[0]) - Math.log(probs[1])});
      return [readout + "\n\n" + twoClass];
    },

    /**
     * Lesson 6 (lessons/zeroshot.py `classify_image`): [log10 tau] -> [read-out, learned τ ticked:
     * false]. `cosines` is [C] (embedding ensemble: one class embedding each) or [T, C]
     * (probability ensemble: the T templates' softmaxes are averaged, as clip_core's `classify`).
     * The top k are sorted again (averaged softmaxes can change order with the temperature).
     */
    class_bars([logTau], [gd], current) {
      if (!hasLive(gd)) return [current[0], false];
      const live = gd.layout.meta.live, s = live.strings, scale = 10 ** -Number(logTau);
      const probs = zeroShotProbs(live.cosines, scale), names = live.names;
      const order = [...probs.keys()].sort((a, b) => probs[b] - probs[a]), top = order.slice(0, live.k);
      const shown = top.map((j) => probs[j]), where = top.indexOf(live.truth);
      const [truthColor, otherColor] = live.colors;
      const bar = {...gd.data[0], x: shown, y: top.map((_, i) => i), customdata: top.map((j) => names[j]),
                   text: shown.map((p) => p.toFixed(3)),
                   marker: {...gd.data[0].marker, color: top.map((_, i) => (i === where ? truthColor : otherColor))}};
      // lessons/zeroshot/figures.py `zeroshot_bars_figure`: a legend entry for the true class only if it is shown
      const legend = [[s.truth, truthColor], [s.others, otherColor]].filter((_, i) => i > 0 || where >= 0)
        .map(([name, color]) => ({type: "bar", x: [null], y: [null], orientation: "h", marker: {color}, name}));
      gd.layout.yaxis = {...gd.layout.yaxis, ticktext: top.map((j) => names[j])};
      window.Plotly.react(gd, [bar, ...legend], gd.layout);
      const best = top[0];
      let head = format(s.top, {name: names[best], p: probs[best]});
      if (Number.isInteger(live.truth)) {  // the true class is in the list: " — ✓ right" or " — ✗ wrong: ..."
        head += " — " + (live.truth === best ? s.right
          : format(s.wrong, {truth: names[live.truth], rank: order.indexOf(live.truth) + 1, p: probs[live.truth]}));
      }
      const settings = format(s.settings, {...live.settings, scale, tau: 1 / scale, which: s.slider_word});
      return [[head, ...live.middle, settings, ...live.found].join("  \n"), false];
    },
  };

  /**
   * Lesson 4 at scale `scale` for row `row` (lessons/temperature.py `render`): the bars, the curves
   * (only the slider's markers, unless the row changed), and the table and read-out returned.
   */
  function drawTemperature(bars, curves, sent, row, scale, newRow) {
    const live = bars.layout.meta.live, s = live.strings, cosines = live.matrix[row], n = cosines.length;
    live.row = row;  // the scale slider's next move reads it
    // the panels: the fixed scales, less any within 2 % of the slider's, plus the slider's, in order
    const scales = live.fixed.filter((f) => Math.abs(f / scale - 1) > 0.02).concat([scale]).sort((a, b) => a - b);
    const here = scales.indexOf(scale);
    const panels = rowStats(cosines, row, scales);
    const now = panels[here];
    // the same panels as the page drew last (same row, same fixed scales, the slider's in the same
    // place): only the slider's panel changes, so restyle its two traces and retitle it
    const drawn = `${row}|${here}|${scales.filter((_, i) => i !== here).join(",")}`;
    if (live.drawn === drawn && !newRow) {
      const others = [...Array(n).keys()].filter((j) => j !== row);
      window.Plotly.update(bars, {y: [others.map((j) => now.probs[j]), [now.probs[row]]], meta: [scale, scale]},
                           {[`annotations[${here}].text`]: format(s.panel_yours, {scale, tau: 1 / scale,
                                                                                    entropy: now.entropy})},
                           [2 * here, 2 * here + 1]);
    } else {
      // the server's figure, not the page's: teacher mode enlarges the page's fonts, once per layout
      const pristine = sent && sent.plot ? JSON.parse(sent.plot) : {data: bars.data, layout: bars.layout};
      drawTemperatureBars(bars, pristine, panels, here, row, cosines, s);
      live.drawn = drawn;
    }
    const marks = (stats) => [stats.entropy, stats.loss, Math.max(stats.gradLogits, 1e-300),
                              Math.max(stats.gradCosines, 1e-300), Math.max(Math.abs(stats.gradT), 1e-300)];
    if (curves) {
      const ys = marks(now), update = {x: ys.map(() => [scale]), y: ys.map((y) => [y])};
      const layout = {"shapes[2].x0": scale, "shapes[2].x1": scale, "annotations[2].x": Math.log10(scale),
                      "annotations[2].text": `${s.current} ×${formatNumber(scale, ".3g")}`};
      let traces = [1, 3, 5, 7, 9];
      if (newRow) {  // lessons/temperature/figures.py `temperature_curves_figure`: the five curves of this row
        const curve = rowStats(cosines, row, live.curve_scales), lines = curve.map(marks);
        update.x = [...Array(5)].flatMap((_, k) => [undefined, update.x[k]]);
        update.y = [...Array(5)].flatMap((_, k) => [lines.map((v) => v[k]), update.y[k]]);
        traces = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        const ln = Math.log(n), top = Math.max(...curve.map((c) => c.loss));
        const gradMax = Math.max(1, ...curve.map((c) => Math.max(c.gradCosines, Math.abs(c.gradT), c.gradLogits)));
        Object.assign(layout, {"title.text": format(s.curves_title, {i: row}),
                               "yaxis.range": [0, Math.max(Math.min(top, 3 * ln), ln) * 1.1],
                               "yaxis2.range": [-4, Math.log10(gradMax * 2)]});
      }
      window.Plotly.update(curves, update, layout, traces);
    }
    const direction = s[now.gradT < -1e-3 ? "push_up" : now.gradT > 1e-3 ? "push_down" : "push_none"];
    const readout = format(s.readout, {scale, tau: 1 / scale, t: Math.log(scale), learned: live.learned_scale,
                                       learned_tau: 1 / live.learned_scale}) + "  \n" +
      format(s.stats, {p: now.probs[row], loss: now.loss, entropy: now.entropy, n, ln_n: Math.log(n),
                       grad_t: now.gradT, direction});
    return [temperatureTable(live, panels, here, row, cosines), readout];
  }

  /** lessons/temperature.py `temperature_bars_figure` at new panel scales (their count may change). */
  function drawTemperatureBars(gd, pristine, panels, here, correct, cosines, s) {
    const live = gd.layout.meta.live, k = panels.length, n = cosines.length;
    const gap = 0.025, width = (1 - gap * (k - 1)) / k;
    const domains = panels.map((_, i) => [i * (width + gap), i * (width + gap) + width]);
    const others = [...Array(n).keys()].filter((j) => j !== correct);
    const [otherStyle, correctStyle] = pristine.data;
    const data = [], layout = JSON.parse(JSON.stringify(pristine.layout));
    for (const key of Object.keys(layout)) if (/^[xy]axis\d*$/.test(key)) delete layout[key];
    const [xTemplate, yTemplate] = [pristine.layout.xaxis, pristine.layout.yaxis];
    layout.meta = gd.layout.meta;
    layout.title = {...layout.title, text: format(s.bars_title, {i: correct, n})};
    panels.forEach((panel, i) => {
      const axis = i === 0 ? "" : String(i + 1);
      const common = {meta: panel.scale, xaxis: "x" + axis, yaxis: "y" + axis, showlegend: i === 0};
      data.push({...otherStyle, ...common, x: others, y: others.map((j) => panel.probs[j]),
                 customdata: others.map((j) => live.captions[j])});
      data.push({...correctStyle, ...common, x: [correct], y: [panel.probs[correct]],
                 customdata: [live.captions[correct]]});
      layout["xaxis" + axis] = {...xTemplate, domain: domains[i], anchor: "y" + axis};
      layout["yaxis" + axis] = {...yTemplate, domain: [0, 0.8], anchor: "x" + axis, showticklabels: i === 0,
                                title: i === 0 ? {...yTemplate.title, text: format(s.bars_y, {i: correct})} : undefined};
    });
    const notes = pristine.layout.annotations, [title, axisLabel] = [notes[0], notes[notes.length - 1]];
    layout.annotations = panels.map((panel, i) => ({...title, x: (domains[i][0] + domains[i][1]) / 2,
      text: format(s[i === here ? "panel_yours" : "panel"], {scale: panel.scale, tau: 1 / panel.scale,
                                                            entropy: panel.entropy}),
      font: {...title.font, color: i === here ? "#0d47a1" : "#333333"}})).concat([axisLabel]);
    layout.shapes = [{...pristine.layout.shapes[0], x0: domains[here][0] - 0.008, x1: domains[here][1] + 0.008}];
    window.Plotly.react(gd, data, layout);
  }

  /** lessons/temperature.py `_table`: argmax never changes, confidence does. */
  function temperatureTable(live, panels, here, row, cosines) {
    const s = live.strings, f = formatNumber;
    const lines = [`| ${s.col_scale} | ${s.col_tau} | ${s.col_argmax} | ${s.col_p_top} | ${s.col_p_correct} | ` +
                   `${s.col_entropy} |\n|---:|---:|:---|---:|---:|---:|`];
    panels.forEach((panel, i) => {
      const j = argmax(panel.probs);
      let cells = [`×${f(panel.scale, ".3g")}`, f(1 / panel.scale, ".4f"), `${j} · ${live.captions[j]}`,
                   f(panel.probs[j], ".3f"), f(panel.probs[row], ".3f"), f(panel.entropy, ".3f")];
      if (i === here) {
        cells = cells.map((cell) => `**${cell}**`);
        cells[0] += s.slider_mark;
      }
      lines.push("| " + cells.join(" | ") + " |");
    });
    // the verdict: the argmax is the same at every positive scale (lessons/temperature.py `_verdict`)
    const top = argmax(cosines), best = cosines[top];
    const verdict = cosines.filter((c) => Math.abs(c - best) <= 1e-7).length > 1 ? s.tie
      : top === row ? format(s.same_correct, {j: top}) : format(s.same_wrong, {j: top, i: row});
    return `**${s.table_title}**\n\n` + lines.join("\n") + `\n\n${verdict}`;
  }

  /**
   * The entry point a slider's `js=` calls (see lessons/common/live.py): `values` are the event's inputs,
   * first the controls the handler reads, then the current values of its outputs, which it returns
   * unchanged if the figure is not on the page yet (the server's redraw on release then catches up).
   */
  function move(kind, plots, controls, values) {
    const current = values.slice(controls);
    try {
      const gds = plots.map(plotIn);
      return handlers[kind](values.slice(0, controls), gds, current);
    } catch (error) {
      console.warn("clipLive." + kind + ":", error);
      return current;
    }
  }

  window.clipLive = {move, format, formatNumber, logitsStats, rowStats, zeroShotProbs, softmax, handlers};
})();
