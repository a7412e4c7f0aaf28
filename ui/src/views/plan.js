// The plan of a design on a kube context (what `design diff` shows), and, when the server allows it,
// apply or delete with live progress from the engine's events until the summary.
import { ApiError, currentSession, designPath, get, stream } from "../api.js";
import { add, clear, fill, h } from "../dom.js";

export async function planView(main, id) {
  const [graph, contexts] = await Promise.all([get(designPath(id, "graph")), get("/api/v1/contexts")]);
  const picker = h("select", { id: "context", "aria-label": "Kube context" }, contexts.contexts.map((c) => h("option", { value: c, selected: c === contexts.current }, c)));
  const button = h("button", { id: "compute-plan", type: "button" }, "Show plan");
  const out = h("div", { id: "plan" });
  const live = h("div", { id: "progress" });
  main.append(
    h(
      "section",
      { class: "page" },
      h("h1", {}, `Plan: ${graph.design.name}`),
      h("p", {}, h("a", { href: `#/design/${encodeURIComponent(id)}` }, "← graph")),
      contexts.contexts.length ? h("div", { class: "filters" }, "Context ", picker, button) : h("div", { class: "error" }, "No kube context is configured.", h("div", { class: "hint" }, "start design ui with --context, or design sandbox up")),
      out,
      live,
    ),
  );
  const show = async () => {
    clear(live);
    fill(out, h("p", { class: "muted" }, "Computing the plan (server-side dry run)…"));
    try {
      renderPlan(out, live, id, picker.value, await get(designPath(id, "plan"), { context: picker.value }), show);
    } catch (error) {
      fill(out, h("div", { class: "error" }, error.message, error.hint ? h("div", { class: "hint" }, error.hint) : null));
    }
  };
  button.addEventListener("click", show);
  return () => {};
}

function renderPlan(out, live, id, context, plan, again) {
  const counts = plan.summary;
  const rows = plan.steps.map((step) =>
    h(
      "tr",
      { class: `step action-${step.action}`, dataset: { action: step.action } },
      h("td", {}, h("span", { class: `action ${step.action}` }, step.action)),
      h("td", {}, step.object.kind),
      h("td", {}, step.object.namespace || ""),
      h("td", {}, step.object.name),
      h("td", {}, step.component || ""),
      h("td", {}, step.managers.length ? `changed by ${step.managers.join(", ")}` : step.server_validated ? "" : "not validated by the server"),
    ),
  );
  const diffs = plan.steps
    .filter((s) => s.diff)
    .map((s) =>
      h(
        "details",
        { class: "diff" },
        h("summary", {}, `${s.action} ${s.object.kind} ${s.object.namespace ? s.object.namespace + "/" : ""}${s.object.name}`),
        s.reason ? h("div", { class: "muted" }, s.reason) : null,
        h("pre", { class: "yaml" }, s.diff.split("\n").map((line) => h("span", { class: line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : "" }, line + "\n"))),
        s.changes.filter((c) => c.manager && c.manager !== "designer").map((c) => h("div", { class: "drift" }, `~ ${c.path}: changed by ${c.manager}`)),
      ),
    );
  const session = currentSession();
  const changes = Object.entries(counts).filter(([a, n]) => a !== "noop" && n).length > 0;
  fill(out, 
    h("p", { id: "plan-summary" }, `Plan for ${plan.design} on ${plan.context}: `, Object.entries(counts).map(([a, n]) => `${n} to ${a}`).join(", ")),
    plan.notes.map((n) => h("div", { class: "note" }, n)),
    h("table", { class: "grid" }, h("thead", {}, h("tr", {}, ["Action", "Kind", "Namespace", "Name", "Component", "Note"].map((t) => h("th", {}, t)))), h("tbody", {}, rows)),
    diffs,
    session.allow_apply
      ? h(
          "div",
          { class: "actions" },
          changes ? h("button", { id: "apply", type: "button", onclick: () => confirmThen(live, `Apply these changes to ${context}?`, "confirm-apply", () => run(live, "apply", id, { context, plan: plan.digest }, again)) }, "Apply…") : h("span", { class: "muted" }, "Nothing to apply. "),
          h("button", { id: "delete", type: "button", class: "danger", onclick: () => confirmThen(live, `Delete ${plan.design} from ${context}? Only objects designer applied are deleted.`, "confirm-delete", () => run(live, "delete", id, { context }, again)) }, "Delete…"),
        )
      : h("p", { class: "muted" }, "Read-only: start design ui with --allow-apply to apply or delete from here."),
  );
}

function confirmThen(live, question, buttonId, action) {
  fill(live, 
    h(
      "div",
      { class: "confirm", role: "dialog" },
      h("p", {}, question),
      h("button", { id: buttonId, type: "button", class: "danger", onclick: action }, "Yes, go ahead"),
      h("button", { type: "button", onclick: () => clear(live) }, "Cancel"),
    ),
  );
}

async function run(live, what, id, payload, again) {
  const events = h("ol", { id: "events" });
  const summary = h("div", { id: "run-summary" });
  fill(live, h("h2", {}, what === "apply" ? "Applying" : "Deleting"), events, summary);
  try {
    await stream(designPath(id, what), payload, (name, data) => {
      if (name === "end") return;
      if (name === "summary") {
        add(summary, 
          h("div", { class: data.failed ? "error" : "ok" }, `Done on ${data.cluster}: ${data.applied} applied, ${data.unchanged} unchanged, ${data.failed} failed, ${data.skipped} skipped, ${data.pruned} pruned, ${data.deleted} deleted in ${data.elapsed}s`),
          (data.failures || []).map((f) => h("div", { class: "error-line" }, `${f.component}: ${f.message}`)),
        );
        return;
      }
      if (name === "waiting" || name === "retry") return;
      const obj = data.object ? `${data.object.kind} ${data.object.namespace ? data.object.namespace + "/" : ""}${data.object.name}` : data.component || "";
      events.append(h("li", { class: `event ev-${name}`, dataset: { event: name } }, h("span", { class: `action ${name}` }, name), ` ${obj}`, data.message ? h("span", { class: "muted" }, ` ${data.message}`) : null));
    });
  } catch (error) {
    add(live, h("div", { class: "error" }, error.message, error.hint ? h("div", { class: "hint" }, error.hint) : null));
    if (error instanceof ApiError && error.status === 409 && error.body.error.plan) {
      add(live, h("button", { type: "button", onclick: again }, "Show the new plan"));
    }
  }
}
