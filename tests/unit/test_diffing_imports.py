"""Import boundaries: the kubernetes client and deepdiff stay inside their one home each, and
importing the diff command does not load the kubernetes client (only connecting to a cluster does)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT

_IMPORT = re.compile(r"^\s*(?:import|from)\s+(kubernetes|deepdiff)\b", re.MULTILINE)
HOMES = {
    "kubernetes": {
        "designer/cluster/credentials.py",
        "designer/cluster/discovery.py",
        "designer/cluster/kube.py",
        "designer/cluster/kubeconfig.py",
        "designer/cluster/retrying.py",
    },
    "deepdiff": {"designer/diffing/comparing.py"},
}


def test_third_party_libraries_live_in_their_home_modules() -> None:
    found: dict[str, set[str]] = {"kubernetes": set(), "deepdiff": set()}
    for path in (ROOT / "designer").rglob("*.py"):
        for match in _IMPORT.finditer(path.read_text(encoding="utf-8")):
            found[match.group(1)].add(path.relative_to(ROOT).as_posix())
    assert found == HOMES


def test_diff_command_imports_the_client_lazily() -> None:
    code = (
        "import sys, designer.cli.diff, designer.diffing.planner, designer.cluster.connecting;"
        "print('kubernetes' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "False"
