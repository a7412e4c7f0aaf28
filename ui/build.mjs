// Builds the front end of `design ui` into designer/ui/static/ (committed: `pip install .` needs no
// Node.js). Reproducible: the same sources and package-lock.json give the same bytes (no timestamps,
// no absolute paths, legal comments kept in app.js). Run with `npm ci && npm run build` here, or
// scripts/build-ui.sh from the project root; tests/ui/test_bundle.py checks the committed files.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.env.DESIGNER_UI_OUT || join(here, "..", "designer", "ui", "static");
mkdirSync(out, { recursive: true });

await build({
  absWorkingDir: here,
  entryPoints: ["src/main.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome110", "firefox110", "safari16"],
  legalComments: "inline",
  charset: "utf8",
  outfile: join(out, "app.js"),
  logLevel: "warning",
});
await build({
  absWorkingDir: here,
  entryPoints: ["src/app.css"],
  bundle: true,
  minify: true,
  outfile: join(out, "app.css"),
  logLevel: "warning",
});
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
