// The designs under the PATHs, searchable by name, file and description; files with errors below.
import { get } from "../api.js";
import { add, clear, fill, h, where } from "../dom.js";

export async function designsView(main) {
  const list = h("div", { id: "design-list" });
  const search = h("input", { type: "search", id: "design-search", placeholder: "Search designs…", "aria-label": "Search designs" });
  main.append(h("section", { class: "page" }, h("h1", {}, "Designs"), search, list));
  let timer = null;
  const load = async () => {
    const found = await get("/api/v1/designs", { q: search.value });
    clear(list);
    if (!found.designs.length) add(list, h("p", { class: "muted" }, "No design matches."));
    const rows = found.designs.map((d) =>
      h(
        "tr",
        { class: "design-row" },
        h("td", {}, h("a", { href: `#/design/${encodeURIComponent(d.id)}` }, d.name)),
        h("td", { class: "mono" }, where(d.file, d.line)),
        h("td", {}, d.format),
        h("td", { class: "num" }, d.components),
        h("td", { class: "num" }, d.edges),
        h("td", {}, d.errors ? h("span", { class: "badge sev-high" }, `${d.errors} error(s)`) : ""),
        h("td", { class: "desc" }, d.description),
      ),
    );
    if (rows.length) {
      add(list, 
        h(
          "table",
          { class: "grid" },
          h("thead", {}, h("tr", {}, ["Design", "File", "Format", "Components", "Edges", "", "Description"].map((t) => h("th", {}, t)))),
          h("tbody", {}, rows),
        ),
      );
    }
    if (found.files_with_errors.length) {
      add(list, 
        h("h2", {}, "Files with problems"),
        h(
          "ul",
          { class: "problems" },
          found.files_with_errors.map((f) =>
            h("li", {}, h("span", { class: "mono" }, f.file), f.errors.map((e) => h("div", { class: "error-line" }, `${where(e.file, e.line)} ${e.path ? e.path + ": " : ""}${e.message}`))),
          ),
        ),
      );
    }
  };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  });
  await load();
  return () => clearTimeout(timer);
}
