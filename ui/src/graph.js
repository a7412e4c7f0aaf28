// The dependency graph of one design, drawn with cytoscape.js: waves as columns (layout.js), nodes
// coloured by kind or adapter with a badge of their unwaived findings, each edge's reason on hover,
// a cycle in red. onSelect(name) is called when a node is clicked.
import cytoscape from "cytoscape";
import { colorOf, SEVERITY_COLORS } from "./colors.js";
import { SEVERITIES } from "./dom.js";
import { wavePositions } from "./layout.js";

const SHORT = { critical: "C", high: "H", medium: "M", low: "L", info: "I" };

export function drawGraph(container, tooltip, graph, counts, colorBy, onSelect) {
  const positions = wavePositions(graph.nodes, graph.edges);
  const inCycle = new Set(graph.cycle.flat());
  const elements = [];
  for (const node of graph.nodes) {
    elements.push({
      group: "nodes",
      data: {
        id: node.name,
        color: colorOf(colorBy === "adapter" ? node.adapter : node.kind),
        ...badgeData(node, counts[node.name], inCycle.has(node.name)),
      },
      position: positions.get(node.name),
    });
  }
  graph.edges.forEach((edge, i) => {
    elements.push({
      group: "edges",
      data: { id: `e${i}`, source: edge.from, target: edge.to, reason: edge.reason, explicit: edge.explicit },
      classes: [edge.cycle ? "cycle" : "", edge.explicit ? "" : "inferred"].join(" ").trim(),
    });
  });
  const large = graph.nodes.length > 300;
  const cy = cytoscape({
    container,
    elements,
    layout: { name: "preset", fit: true, padding: 30 },
    minZoom: 0.05,
    maxZoom: 3,
    wheelSensitivity: 0.3,
    textureOnViewport: large,
    hideEdgesOnViewport: large,
    pixelRatio: large ? 1 : "auto",
    style: [
      {
        selector: "node",
        style: {
          shape: "round-rectangle",
          width: 200,
          height: 52,
          "background-color": "data(color)",
          "border-color": "data(border)",
          "border-width": "data(borderWidth)",
          label: "data(label)",
          "text-wrap": "wrap",
          "text-max-width": 190,
          "text-valign": "center",
          "text-halign": "center",
          "font-size": 16,
          color: "#102027",
          "font-weight": 600,
          "min-zoomed-font-size": 6,
        },
      },
      { selector: "node:selected", style: { "overlay-color": "#ffd600", "overlay-opacity": 0.35 } },
      {
        selector: "edge",
        style: {
          width: 1.5,
          "curve-style": large ? "haystack" : "bezier",
          "line-color": "#78909c",
          "target-arrow-color": "#78909c",
          "target-arrow-shape": large ? "none" : "triangle",
          "arrow-scale": 0.9,
        },
      },
      { selector: "edge.inferred", style: { "line-style": "dashed" } },
      { selector: "edge.hover", style: { width: 3, "line-color": "#1565c0", "target-arrow-color": "#1565c0" } },
      {
        selector: "edge.cycle",
        style: { width: 4, "line-color": "#d50000", "target-arrow-color": "#d50000", "line-style": "solid", "z-index": 10 },
      },
    ],
  });
  cy.on("tap", "node", (event) => onSelect(event.target.id()));
  cy.on("mouseover", "edge", (event) => {
    const edge = event.target;
    edge.addClass("hover");
    tooltip.textContent = `${edge.data("source")} → ${edge.data("target")}: ${edge.data("reason")}${edge.data("explicit") ? "" : " (inferred)"}`;
    tooltip.hidden = false;
    moveTooltip(tooltip, event.renderedPosition);
  });
  cy.on("mousemove", "edge", (event) => moveTooltip(tooltip, event.renderedPosition));
  cy.on("mouseout", "edge", (event) => {
    event.target.removeClass("hover");
    tooltip.hidden = true;
  });
  return cy;
}

// The label and border of a node: its name, kind and counts of unwaived findings by severity.
function badgeData(node, found = {}, cyclic = false) {
  const worst = SEVERITIES.find((s) => found[s]);
  const badge = SEVERITIES.filter((s) => found[s]).map((s) => `${found[s]}${SHORT[s]}`).join(" ");
  return {
    label: `${node.name}\n${node.kind}${badge ? `\n⚠ ${badge}` : ""}`,
    border: cyclic ? "#d50000" : worst ? SEVERITY_COLORS[worst] : "#37474f",
    borderWidth: cyclic || worst ? 4 : 1,
  };
}

// Put the findings' badges on a graph drawn before they were known.
export function showBadges(cy, graph, counts) {
  const inCycle = new Set(graph.cycle.flat());
  cy.batch(() => {
    for (const node of graph.nodes) cy.getElementById(node.name).data(badgeData(node, counts[node.name], inCycle.has(node.name)));
  });
}

function moveTooltip(tooltip, at) {
  tooltip.style.left = `${at.x + 12}px`;
  tooltip.style.top = `${at.y + 12}px`;
}
