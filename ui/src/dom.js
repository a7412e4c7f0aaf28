// Tiny DOM helpers: every text goes in as a text node (never innerHTML), so nothing a design holds
// can become markup or script in the page.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

const SVG = "http://www.w3.org/2000/svg";

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const SEVERITIES = ["critical", "high", "medium", "low", "info"];

export function severityBadge(severity, count) {
  return h("span", { class: `badge sev-${severity}`, title: severity }, count === undefined ? severity : `${count} ${severity}`);
}

export function where(file, line) {
  if (!file) return "";
  return line ? `${file}:${line}` : file;
}

// Empty ``el`` and fill it with ``children`` (arrays flattened, as h() does; the DOM's own append
// would print an array as "[object …]").
export function fill(el, ...children) {
  return append(clear(el), children);
}

// Append ``children`` to ``el`` (arrays flattened).
export function add(el, ...children) {
  return append(el, children);
}
