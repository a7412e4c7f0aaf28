// Perf results: the history (newest first), one result's latency percentile chart with its SLO
// verdicts, and two results compared side by side with the verdict of `design perf compare`.
import { get } from "../api.js";
import { percentileChart } from "../chart.js";
import { add, clear, fill, h } from "../dom.js";

const COLORS = ["#1f77b4", "#d62728"];

export async function perfView(main) {
  const { results } = await get("/api/v1/perf/results", { limit: 100 });
  const detail = h("div", { id: "perf-detail" });
  const compareButton = h("button", { id: "compare", type: "button", disabled: true }, "Compare the two selected");
  const chosen = [];
  const rows = results.map((r) => {
    const box = h("input", { type: "checkbox", "aria-label": `select ${r.id}` });
    box.addEventListener("change", () => {
      if (box.checked) chosen.push(r.id);
      else chosen.splice(chosen.indexOf(r.id), 1);
      compareButton.disabled = chosen.length !== 2;
    });
    const lat = r.latency_ms || {};
    return h(
      "tr",
      { class: "perf-row" },
      h("td", {}, box),
      h("td", {}, h("a", { href: "#", onclick: (e) => (e.preventDefault(), showOne(detail, r.id)) }, r.id)),
      h("td", {}, r.profile || ""),
      h("td", {}, [r.design, r.version, r.mesh].filter(Boolean).join(" ")),
      h("td", {}, r.start_time),
      h("td", { class: "num" }, r.achieved_rate === null ? "" : `${Math.round(r.achieved_rate)}/s`),
      h("td", { class: "num" }, fmt(lat.p50)),
      h("td", { class: "num" }, fmt(lat.p99)),
      h("td", {}, r.saturated ? h("span", { class: "badge sev-high" }, "saturated") : r.slo_passed === false ? h("span", { class: "badge sev-high" }, "SLO failed") : r.slo_passed ? h("span", { class: "badge ok-badge" }, "SLOs met") : ""),
    );
  });
  compareButton.addEventListener("click", () => showCompare(detail, chosen[1], chosen[0]));
  main.append(
    h(
      "section",
      { class: "page" },
      h("h1", {}, "Performance results"),
      results.length
        ? [h("table", { class: "grid", id: "perf-history" }, h("thead", {}, h("tr", {}, ["", "Result", "Profile", "Design", "Started", "Rate", "p50 ms", "p99 ms", ""].map((t) => h("th", {}, t)))), h("tbody", {}, rows)), compareButton]
        : h("p", { class: "muted" }, "No stored result: run design perf run first."),
      detail,
    ),
  );
  if (results.length) await showOne(detail, results[0].id);
  return () => {};
}

function fmt(v) {
  return v === undefined || v === null ? "" : v.toFixed(2);
}

async function showOne(detail, id) {
  const r = await get(`/api/v1/perf/results/${encodeURIComponent(id)}`);
  const series = [{ label: `${r.id} corrected`, values: r.curves.corrected, color: COLORS[0] }];
  if (r.curves.raw) series.push({ label: `${r.id} raw`, values: r.curves.raw, color: COLORS[0], dashed: true });
  fill(detail, 
    h("h2", {}, `Result ${r.id}`),
    h("p", { class: "muted" }, `${r.engine} · ${r.mode} loop · target ${(r.target.urls || []).join(", ")} · ${r.requests} requests, ${r.errors} errors`),
    percentileChart(r.curve_points, series),
    r.slos.length ? h("ul", { class: "slos" }, r.slos.map((v) => h("li", { class: v.passed ? "ok" : "fail" }, `${v.passed ? "✓" : "✗"} ${v.expr} (observed ${v.observed})`))) : null,
    r.saturation_reasons.map((x) => h("div", { class: "error" }, x)),
    r.warnings.map((x) => h("div", { class: "note" }, x)),
  );
}

async function showCompare(detail, baseline, candidate) {
  const { comparison, baseline: a, candidate: b } = await get("/api/v1/perf/compare", { baseline, candidate });
  const series = [
    { label: `baseline ${a.id}`, values: a.curves.corrected, color: COLORS[0] },
    { label: `candidate ${b.id}`, values: b.curves.corrected, color: COLORS[1] },
  ];
  const rows = Object.entries(comparison.percentiles_ms || {}).map(([p, row]) =>
    h("tr", {}, h("td", {}, p.replace("_", ".")), h("td", { class: "num" }, fmt(row.baseline)), h("td", { class: "num" }, fmt(row.candidate)), h("td", { class: "num" }, `${(row.change * 100).toFixed(1)}%`)),
  );
  fill(detail, 
    h("h2", {}, "Comparison"),
    h("p", { id: "verdict", class: `verdict ${comparison.verdict.replace(/ /g, "-")}` }, comparison.verdict),
    h("div", { class: "side-by-side" }, percentileChart(a.curve_points, series), h("table", { class: "grid" }, h("thead", {}, h("tr", {}, ["", "baseline ms", "candidate ms", "change"].map((t) => h("th", {}, t)))), h("tbody", {}, rows))),
    comparison.reasons.map((x) => h("div", { class: "note" }, x)),
    comparison.warnings.map((x) => h("div", { class: "note" }, `warning: ${x}`)),
  );
}
