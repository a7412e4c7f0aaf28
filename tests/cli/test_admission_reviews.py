"""AdmissionReview documents in a design are review requests for the policies, never manifests.

`design validate` gives them to the policies (Gatekeeper templates get the request; the built-in
checks see a CREATE or UPDATE review's object, not a DELETE review's, which is being removed).
`render`, `diff`, `apply`, `delete` and `export` leave them out with a note naming the file and line:
sending a reviewed object to the cluster as if it were a manifest would create (or, for a DELETE
review, keep alive) what the request was only asking about. The cluster commands run against the API
emulator through the real CLI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from designer.cli.main import run
from tests.applying.livetools import Live, live_sandbox

POD = """\
      apiVersion: v1
      kind: Pod
      metadata: {name: %(name)s, namespace: shop}
      spec:
        containers:
          - name: app
            image: registry.example.com/app:1.0
            securityContext: {privileged: true}
"""

DESIGN = (
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept, namespace: shop}\ndata: {a: b}\n---\n"
    "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  operation: UPDATE\n"
    "  userInfo: {username: alice}\n  object:\n" + POD % {"name": "updated"} + "---\n"
    "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  operation: DELETE\n"
    "  userInfo: {username: alice}\n  oldObject:\n" + POD % {"name": "deleted"}
)
# Lines of the reviewed objects (where their components point): request.object and request.oldObject.
UPDATE_LINE, DELETE_LINE = 16, 31


@pytest.fixture
def design(tmp_path: Path) -> Path:
    path = tmp_path / "design.yaml"
    path.write_text(DESIGN)
    return path


def _notes(err: str, design: Path, action: str) -> list[str]:
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert notes == [
        f"note: {design}:{UPDATE_LINE}:7: AdmissionReview (UPDATE of Pod shop/updated) is a review request "
        f"for the policies (design validate), not an object: not {action}",
        f"note: {design}:{DELETE_LINE}:7: AdmissionReview (DELETE of Pod shop/deleted) is a review request "
        f"for the policies (design validate), not an object: not {action}",
    ], err
    return notes


def test_render_and_export_leave_reviews_out(design: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["render", str(design)]) == 0
    out, err = capsys.readouterr()
    assert [(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(out)] == [
        ("Namespace", "shop"),
        ("ConfigMap", "kept"),
    ]
    _notes(err, design, "rendered")
    assert run(["export", str(design), "--to", "kubernetes"]) == 0
    out, err = capsys.readouterr()
    assert [d["kind"] for d in yaml.safe_load_all(out)] == ["Namespace", "ConfigMap"]
    _notes(err, design, "exported")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_sandbox(tmp_path / "sb") as running:
        yield running


def test_diff_apply_and_delete_never_touch_a_reviewed_object(
    live: Live, design: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = live.design(capsys, "diff", str(design), "-o", "json")
    assert code == 0, err
    assert sorted(step["object"]["name"] for step in json.loads(out)["steps"]) == ["kept", "shop"]
    _notes(err, design, "diffed")
    code, out, err = live.design(capsys, "apply", str(design), "--yes")
    assert code == 0, err
    _notes(err, design, "applied")
    assert live.get("v1", "ConfigMap", "kept", "shop") is not None
    assert live.get("v1", "Pod", "updated", "shop") is None
    assert live.get("v1", "Pod", "deleted", "shop") is None
    code, out, err = live.design(capsys, "delete", str(design), "--yes")
    assert code == 0, err
    _notes(err, design, "deleted")
    assert live.get("v1", "ConfigMap", "kept", "shop") is None


def test_builtin_checks_judge_an_update_review_but_not_a_delete(
    design: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The object of a DELETE review is being removed: the checks of manifests do not judge it."""
    run(["validate", str(design), "-o", "json", "--no-cache"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    privileged = {f["object"]["name"] for f in findings if f["id"] == "DSN-001"}
    assert privileged == {"updated"}
    assert not any(f.get("object") and f["object"]["name"] == "deleted" for f in findings)
