"""`design validate` reports every field error of a file (file:line, key path, hint) and still judges
its objects with the policies; ``--field-validation ignore`` leaves the fields unchecked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.cli.main import run

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replica: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: "8080"}]
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "web.yaml"
    path.write_text(MANIFEST)
    return path


def test_field_errors_come_with_the_findings(manifest: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["validate", "--no-cache", "-o", "json", str(manifest)])
    out, err = capsys.readouterr()
    assert code == 3, out + err
    doc = json.loads(out)
    assert doc["findings"], "the design's objects are still judged by the built-in checks"
    assert [(e["line"], e["column"], e["path"], e["hint"]) for e in doc["errors"]] == [
        (5, 3, "document[0].spec.replica", "did you mean 'replicas'?"),
        (
            13,
            20,
            "document[0].spec.template.spec.containers[0].ports[0].containerPort",
            "write 8080 without quotes",
        ),
    ]
    assert all(e["file"] == str(manifest) for e in doc["errors"])
    code = run(["validate", "--no-cache", str(manifest)])
    out, err = capsys.readouterr()
    assert code == 3
    assert f"error: {manifest}:5:3: document[0].spec.replica: unknown field 'replica'" in err
    assert "Traceback" not in out + err


def test_field_validation_ignore(manifest: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(
        ["validate", "--no-cache", "--no-builtin-policies", "--field-validation", "ignore", str(manifest)]
    )
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "1 design valid, 0 errors in 1 file" in err


def test_render_refuses_a_design_whose_objects_the_server_would_refuse(
    manifest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["render", str(manifest)])
    err = capsys.readouterr().err
    assert code == 3
    assert "unknown field 'replica'" in err and "expected an integer" in err
