// The pattern catalog: pick a source (local or configured), search as `design catalog search` does.
import { get } from "../api.js";
import { add, clear, fill, h } from "../dom.js";

export async function catalogView(main) {
  const { sources } = await get("/api/v1/catalog/sources");
  const picker = h("select", { id: "catalog-source", "aria-label": "Source" }, sources.map((s) => h("option", { value: s.name }, `${s.name} (${s.kind})`)));
  const search = h("input", { type: "search", id: "catalog-search", placeholder: "Search: words, tag:X, type:X, mesh:X", "aria-label": "Search the catalog" });
  const list = h("div", { id: "catalog-list" });
  main.append(h("section", { class: "page" }, h("h1", {}, "Catalog"), h("div", { class: "filters" }, picker, search), list));
  let timer = null;
  const load = async () => {
    try {
      const found = await get("/api/v1/catalog/entries", { source: picker.value, q: search.value });
      fill(list, 
        found.entries.length
          ? h("table", { class: "grid" }, h("thead", {}, h("tr", {}, ["Name", "Version", "Type", "Meshes", "Tags", "Description"].map((t) => h("th", {}, t)))), h("tbody", {}, found.entries.map((e) => h("tr", { class: "catalog-row" }, h("td", {}, e.name), h("td", {}, e.version), h("td", {}, e.type), h("td", {}, e.meshes.join(", ")), h("td", {}, e.tags.join(", ")), h("td", { class: "desc" }, e.description)))))
          : h("p", { class: "muted" }, "No pattern matches."),
        found.skipped.map((x) => h("div", { class: "note" }, `skipped: ${x}`)),
      );
    } catch (error) {
      fill(list, h("div", { class: "error" }, error.message, error.hint ? h("div", { class: "hint" }, error.hint) : null));
    }
  };
  picker.addEventListener("change", load);
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  });
  await load();
  return () => clearTimeout(timer);
}
