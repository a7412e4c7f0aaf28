// A list of findings: severity, check (its rationale and remediation one click away), message,
// component, file:line, and the reason of a waiver.
import { h, severityBadge, where } from "../dom.js";

const FIRST = 150; // items drawn at once; a large design has thousands (the rest on request)

export function findingsList(findings, checks, onComponent, limit = FIRST) {
  if (!findings.length) return h("p", { class: "muted findings-empty" }, "No findings.");
  const list = h("ul", { class: "findings" }, findings.slice(0, limit).map((f) => item(f, checks, onComponent)));
  if (findings.length <= limit) return list;
  const more = h("button", { type: "button", class: "more" }, `Show all ${findings.length}`);
  const box = h("div", {}, list, more);
  more.addEventListener("click", () => box.replaceWith(findingsList(findings, checks, onComponent, Infinity)));
  return box;
}

function item(f, checks, onComponent) {
      const check = checks[f.id] || {};
      return h(
        "li",
        { class: `finding${f.waived ? " waived" : ""}`, dataset: { severity: f.severity, check: f.id } },
        h(
          "div",
          { class: "finding-head" },
          severityBadge(f.severity),
          h("strong", {}, f.id),
          check.title ? h("span", { class: "muted" }, ` ${check.title}`) : null,
          f.waived ? h("span", { class: "badge waived-badge" }, "waived") : null,
        ),
        h("div", { class: "finding-message" }, f.message),
        h(
          "div",
          { class: "finding-where muted" },
          f.component
            ? onComponent
              ? h("a", { href: "#", onclick: (e) => (e.preventDefault(), onComponent(f.component)) }, f.component)
              : f.component
            : null,
          f.file ? ` · ${where(f.file, f.line)}` : "",
          f.path ? ` · ${f.path}` : "",
        ),
        f.waived && f.waiver ? h("div", { class: "waiver" }, `Waived (${f.waiver.source || "?"}): ${f.waiver.reason || ""}`) : null,
        check.rationale || check.remediation
          ? h(
              "details",
              { class: "check-help" },
              h("summary", {}, "Why, and how to fix"),
              check.rationale ? h("p", {}, h("b", {}, "Why: "), check.rationale) : null,
              check.remediation ? h("p", {}, h("b", {}, "Fix: "), check.remediation) : null,
            )
          : null,
      );
}
