// The page: a header, and one view at a time chosen by the URL's hash:
//   #/            designs under the PATHs      #/design/<id>   graph, component, findings
//   #/plan/<id>   plan (and apply, delete)     #/perf          perf history and comparisons
//   #/catalog     the pattern catalog
import { ApiError, start } from "./api.js";
import { h } from "./dom.js";
import { catalogView } from "./views/catalog.js";
import { designView } from "./views/design.js";
import { designsView } from "./views/designs.js";
import { perfView } from "./views/perf.js";
import { planView } from "./views/plan.js";

const main = document.getElementById("main");
let leaving = null; // the current view's cleanup
let shown = 0; // which route() call owns the page: a view still loading when the hash changes again is dropped

async function route() {
  const mine = ++shown;
  if (leaving) leaving();
  leaving = null;
  // Each view draws into a box of its own (laid out as if its children were main's). A view that
  // finishes loading after another route() took over draws into a box no longer on the page: without
  // that, two quick hash changes showed two views, one under the other (every perf row twice).
  const box = h("div", { class: "view" });
  main.replaceChildren(box);
  const [, view, id] = (location.hash || "#/").split("/");
  const key = decodeURIComponent(id || "");
  for (const link of document.querySelectorAll("nav a")) {
    link.classList.toggle("active", link.dataset.view === (view === "design" || view === "plan" ? "" : view || ""));
  }
  let cleanup = null;
  try {
    if (view === "design") cleanup = await designView(box, key);
    else if (view === "plan") cleanup = await planView(box, key);
    else if (view === "perf") cleanup = await perfView(box, key);
    else if (view === "catalog") cleanup = await catalogView(box);
    else cleanup = await designsView(box);
  } catch (error) {
    box.append(errorBox(error));
  }
  if (mine === shown) leaving = cleanup;
  else if (typeof cleanup === "function") cleanup();
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
