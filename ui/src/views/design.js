// One design: its graph (drawn by graph.js) beside a panel with the clicked component (settings,
// rendered objects with file:line, findings) or the design's findings, filterable by severity,
// check and component.
import { designPath, get } from "../api.js";
import { add, clear, fill, h, SEVERITIES, severityBadge, where } from "../dom.js";
import { drawGraph, showBadges } from "../graph.js";
import { findingsList } from "./findings.js";

export async function designView(main, id) {
  // The graph is drawn as soon as it arrives; findings (thousands on a large design) follow as badges.
  const graph = await get(designPath(id, "graph"));
  const pending = get(designPath(id, "findings"));
  let findings = null;
  const d = graph.design;
  const colorBy = h("select", { id: "color-by", "aria-label": "Colour nodes by" }, h("option", { value: "kind" }, "colour by kind"), h("option", { value: "adapter" }, "colour by adapter"));
  const canvas = h("div", { id: "graph", role: "img", "aria-label": `dependency graph of ${d.name}` });
  const tooltip = h("div", { id: "edge-tooltip", class: "tooltip", hidden: true });
  const panel = h("aside", { id: "panel" });
  const totals = h("span", { class: "totals" });
  main.append(
    h(
      "section",
      { class: "design-page" },
      h(
        "header",
        { class: "design-head" },
        h("h1", {}, d.name),
        h("span", { class: "mono muted" }, where(d.file, d.line)),
        h("span", { class: "muted", id: "graph-counts" }, `${graph.nodes.length} components · ${graph.edges.length} dependencies · ${graph.waves.length} waves`),
        totals,
        colorBy,
        h("a", { class: "button", href: `#/plan/${encodeURIComponent(id)}` }, "Plan…"),
      ),
      graph.cycle.length
        ? h("div", { class: "error", id: "cycle-banner" }, "Dependency cycle: ", graph.cycle.map(([a, b]) => `${a} → ${b}`).join(", "))
        : null,
      graph.errors.map((e) => h("div", { class: "error" }, `${where(e.file, e.line)} ${e.message}`, e.hint ? h("div", { class: "hint" }, e.hint) : null)),
      h("div", { class: "split" }, h("div", { class: "graph-wrap" }, canvas, tooltip), panel),
    ),
  );
  let cy = null;
  const showComponent = async (name) => {
    if (cy) {
      cy.nodes().unselect();
      cy.getElementById(name).select();
    }
    fill(panel, h("p", { class: "muted" }, `Loading ${name}…`));
    const c = await get(designPath(id, `components/${encodeURIComponent(name)}`));
    fill(panel, componentPanel(c, showFindings));
  };
  const showFindings = () =>
    fill(panel, findings ? findingsPanel(findings, graph, id, showComponent) : h("p", { class: "muted" }, "Loading findings…"));
  const draw = () => {
    if (cy) cy.destroy();
    performance.mark("graph-start");
    cy = drawGraph(canvas, tooltip, graph, findings ? findings.by_component : {}, colorBy.value, showComponent);
    cy.one("render", () => {
      performance.mark("graph-ready");
      canvas.dataset.ready = "true";
    });
    window.designerGraph = cy; // for scripted checks (tests, benchmarks): what is drawn
  };
  colorBy.addEventListener("change", draw);
  draw();
  // Cytoscape maps mouse events through a cached position of its container, refreshed only when the
  // window resizes. The header can wrap when the findings' totals arrive, moving the graph down: clicks
  // then landed beside the nodes. Any change of the container's size (the wrap shrinks it) refreshes it.
  const watcher = new ResizeObserver(() => cy && !cy.destroyed() && cy.resize());
  watcher.observe(canvas);
  findings = await pending;
  if (!cy || cy.destroyed()) {
    watcher.disconnect();
    return () => {};
  }
  showBadges(cy, graph, findings.by_component);
  const by = findings.summary.by_severity;
  add(totals, SEVERITIES.filter((s) => by[s]).map((s) => severityBadge(s, by[s])));
  cy.resize(); // the totals may have wrapped the header and moved the graph (see the watcher above)
  if (!panel.firstChild || !panel.querySelector("#component-detail")) showFindings();
  canvas.dataset.badges = "true";
  return () => {
    watcher.disconnect();
    if (cy) cy.destroy();
    window.designerGraph = null;
  };
}

function componentPanel(c, back) {
  return h(
    "div",
    { class: "component", id: "component-detail" },
    h("a", { href: "#", class: "back", onclick: (e) => (e.preventDefault(), back()) }, "← all findings"),
    h("h2", {}, c.name),
    h("div", { class: "muted" }, `${c.kind} ${c.apiVersion}${c.namespace ? ` · namespace ${c.namespace}` : ""}`),
    h("div", { class: "mono muted" }, where(c.file, c.line)),
    h("h3", {}, `Findings (${c.findings.length})`),
    findingsList(c.findings, c.checks, null),
    c.dependencies.length || c.dependents.length
      ? [
          h("h3", {}, "Dependencies"),
          h("ul", { class: "deps" }, c.dependencies.map((x) => h("li", {}, `${x.name} — ${x.reason}`))),
          c.dependents.length ? h("div", { class: "muted" }, "Needed by: ", c.dependents.map((x) => x.name).join(", ")) : null,
        ]
      : null,
    h("h3", {}, "Settings"),
    h("pre", { class: "yaml" }, JSON.stringify(c.settings, null, 2)),
    Object.keys(c.traits).length ? [h("h3", {}, "Traits"), h("pre", { class: "yaml" }, JSON.stringify(c.traits, null, 2))] : null,
    h("h3", {}, `Rendered objects (${c.objects.length})`),
    c.objects.map((o) =>
      h(
        "details",
        { class: "object" },
        h("summary", {}, `${o.object.kind} ${o.object.namespace ? o.object.namespace + "/" : ""}${o.object.name}`, h("span", { class: "mono muted" }, ` ${where(o.file, o.line)}`)),
        h("pre", { class: "yaml" }, JSON.stringify(o.body, null, 2)),
      ),
    ),
  );
}

function findingsPanel(all, graph, id, showComponent) {
  const severity = h("select", { id: "filter-severity", "aria-label": "Severity" }, h("option", { value: "" }, "any severity"), SEVERITIES.map((s) => h("option", { value: s }, s)));
  const checkIds = [...new Set(all.findings.map((f) => f.id))].sort();
  const check = h("select", { id: "filter-check", "aria-label": "Check" }, h("option", { value: "" }, "any check"), checkIds.map((c) => h("option", { value: c }, c)));
  const component = h("select", { id: "filter-component", "aria-label": "Component" }, h("option", { value: "" }, "any component"), graph.nodes.map((n) => n.name).sort().map((n) => h("option", { value: n }, n)));
  const list = h("div", { id: "findings-list" });
  const render = async () => {
    const found = await get(designPath(id, "findings"), { severity: severity.value, check: check.value, component: component.value });
    fill(list, h("div", { class: "muted" }, `${found.findings.length} finding(s)`), findingsList(found.findings, found.checks, showComponent));
  };
  for (const select of [severity, check, component]) select.addEventListener("change", render);
  fill(list, h("div", { class: "muted" }, `${all.findings.length} finding(s)`), findingsList(all.findings, all.checks, showComponent));
  return h("div", { id: "findings-panel" }, h("h2", {}, "Findings"), h("div", { class: "filters" }, severity, check, component), all.notes.map((n) => h("div", { class: "note" }, n)), list);
}
