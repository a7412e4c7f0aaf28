"""The front end shipped in the package is the build of ui/: same bytes, from the pinned versions.

`pip install .` needs no Node.js because designer/ui/static/ is committed; these tests keep it honest.
The rebuild needs node and npm (the npm registry for `npm ci`): skipped without them outside CI.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from tests import requirements
from tests.conftest import ROOT

UI = ROOT / "ui"
STATIC = ROOT / "designer" / "ui" / "static"


def test_the_lock_file_pins_what_was_bundled() -> None:
    manifest = json.loads((UI / "package.json").read_text())
    lock = json.loads((UI / "package-lock.json").read_text())
    for name, wanted in {**manifest["dependencies"], **manifest["devDependencies"]}.items():
        assert wanted == lock["packages"][f"node_modules/{name}"]["version"], f"{name} is pinned exactly"
    bundled = (STATIC / "app.js").read_text()
    assert f'"{manifest["dependencies"]["cytoscape"]}"' in bundled, "the bundle holds the pinned cytoscape"
    page = (STATIC / "index.html").read_text()
    linked = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert linked and all(url.startswith(("/static/", "data:", "#")) for url in linked), (
        "nothing from elsewhere"
    )


def test_the_committed_bundle_is_the_build_of_the_sources(tmp_path: Path) -> None:
    node = requirements.executable("node", install="apt-get install nodejs npm")
    npm = requirements.executable("npm", install="apt-get install nodejs npm")
    work = tmp_path / "ui"
    shutil.copytree(UI, work, ignore=shutil.ignore_patterns("node_modules"))
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=work,
        check=True,
        capture_output=True,
        timeout=300,
    )
    out = tmp_path / "static"
    subprocess.run(
        [node, "build.mjs"],
        cwd=work,
        check=True,
        capture_output=True,
        timeout=120,
        env={"DESIGNER_UI_OUT": str(out), "PATH": str(Path(node).parent)},
    )
    built = sorted(p.name for p in out.iterdir())
    assert built == sorted(p.name for p in STATIC.iterdir())
    for name in built:
        assert (out / name).read_bytes() == (STATIC / name).read_bytes(), (
            f"{name} differs: run scripts/build-ui.sh"
        )
