// A latency-by-percentile line chart as SVG (log-scaled milliseconds), from the curves the API
// gives: the same points `design perf report` charts. series: [{label, values, dashed, color}].
import { h, s } from "./dom.js";

const WIDTH = 720;
const HEIGHT = 320;
const PAD = { left: 64, right: 16, top: 16, bottom: 40 };

export function percentileChart(points, series) {
  const values = series.flatMap((x) => x.values).filter((v) => v !== null && v > 0);
  const lo = Math.log10(Math.min(...values, 1) * 0.8);
  const hi = Math.log10(Math.max(...values, 1) * 1.25);
  const x = (i) => PAD.left + (i * (WIDTH - PAD.left - PAD.right)) / Math.max(1, points.length - 1);
  const y = (v) => PAD.top + ((hi - Math.log10(v)) * (HEIGHT - PAD.top - PAD.bottom)) / (hi - lo || 1);
  const grid = [];
  for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
    const v = 10 ** e;
    if (Math.log10(v) < lo || Math.log10(v) > hi) continue;
    grid.push(s("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v), class: "grid-line" }));
    grid.push(s("text", { x: PAD.left - 6, y: y(v) + 4, "text-anchor": "end", class: "axis" }, v >= 1 ? `${v} ms` : `${v * 1000} µs`));
  }
  const ticks = points.map((p, i) => s("text", { x: x(i), y: HEIGHT - PAD.bottom + 18, "text-anchor": "middle", class: "axis" }, p));
  const lines = series.map((serie) => {
    const path = serie.values.map((v, i) => (v === null ? null : `${x(i)},${y(v)}`)).filter(Boolean);
    return s(
      "g",
      { class: "series" },
      s("polyline", { points: path.join(" "), fill: "none", stroke: serie.color, "stroke-width": 2, "stroke-dasharray": serie.dashed ? "6 4" : null }),
      serie.values.map((v, i) => (v === null ? null : s("circle", { cx: x(i), cy: y(v), r: 3, fill: serie.color }, s("title", {}, `${serie.label} ${points[i]}: ${v.toFixed(3)} ms`)))),
    );
  });
  const svg = s(
    "svg",
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-label": "latency by percentile" },
    grid,
    s("line", { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: HEIGHT - PAD.bottom, class: "axis-line" }),
    ticks,
    lines,
  );
  const legend = h("div", { class: "legend" }, series.map((serie) => h("span", { class: "legend-item" }, h("span", { class: `swatch${serie.dashed ? " dashed" : ""}`, "data-color": serie.color }), serie.label)));
  for (const swatch of legend.querySelectorAll(".swatch")) swatch.style.borderColor = swatch.dataset.color;
  return h("figure", { class: "chart-box" }, svg, legend);
}
