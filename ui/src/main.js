// The page: a header, and one view at a time chosen by the URL's hash:
//   #/            designs under the PATHs      #/design/<id>   graph, component, findings
//   #/plan/<id>   plan (and apply, delete)     #/perf          perf history and comparisons
//   #/catalog     the pattern catalog
import { ApiError, start } from "./api.js";
import { clear, h } from "./dom.js";
import { catalogView } from "./views/catalog.js";
import { designView } from "./views/design.js";
import { designsView } from "./views/designs.js";
import { perfView } from "./views/perf.js";
import { planView } from "./views/plan.js";

const main = document.getElementById("main");
let leaving = null; // the current view's cleanup

async function route() {
  if (leaving) leaving();
  leaving = null;
  clear(main);
  const [, view, id] = (location.hash || "#/").split("/");
  const key = decodeURIComponent(id || "");
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("active", link.dataset.view === (view === "design" || view === "plan" ? "" : view || ""));
  }
  try {
    if (view === "design") leaving = await designView(main, key);
    else if (view === "plan") leaving = await planView(main, key);
    else if (view === "perf") leaving = await perfView(main, key);
    else if (view === "catalog") leaving = await catalogView(main);
    else leaving = await designsView(main);
  } catch (error) {
    main.append(errorBox(error));
  }
}

export function errorBox(error) {
  return h(
    "div",
    { class: "error", role: "alert" },
    h("strong", {}, error.message || String(error)),
    error instanceof ApiError && error.hint ? h("div", { class: "hint" }, error.hint) : null,
  );
}

async function boot() {
  try {
    const session = await start();
    document.getElementById("version").textContent = `designer ${session.version}`;
    document.getElementById("apply-state").textContent = session.allow_apply ? "apply: on" : "read-only";
  } catch (error) {
    main.append(errorBox(error));
    return;
  }
  window.addEventListener("hashchange", route);
  await route();
}

boot();
