"""`design validate` on a repository as teams keep it, and every mistake of a design in one run.

Issue 14: files written for other tools never stop the run (each exception explained with file:line,
every checkable object checked); a design with several independent mistakes gets all of them, in
text and in JSON. Issue 13: a cycle names its file and line; a missing file has no made-up ``:1:1``.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from designer.cli.main import run


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """An IstioOperator without a name, a Kustomization, a Helm chart, and a duplicate object."""
    write(
        tmp_path,
        "istio/operator.yaml",
        """\
        apiVersion: install.istio.io/v1alpha1
        kind: IstioOperator
        spec:
          profile: minimal
          components:
            ingressGateways: [{name: istio-ingressgateway, enabled: true}]
        """,
    )
    write(
        tmp_path,
        "app/kustomization.yaml",
        """\
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespace: shop
        resources: [web.yaml]
        """,
    )
    write(
        tmp_path,
        "app/web.yaml",
        """\
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: 8080}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: web, image: "nginx:latest", ports: [{containerPort: 8080}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {selector: {app: web}, ports: [{port: 81}]}
        """,
    )
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n")
    write(tmp_path, "chart/values.yaml", "replicaCount: 2\nimage: {repository: nginx}\n")
    write(tmp_path, "chart/templates/web.yaml", "metadata:\n  name: {{ .Release.Name }}\n")
    return tmp_path


def validate_json(*args: str) -> tuple[int, dict[str, object]]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["validate", "-o", "json", *args])
    return code, json.loads(out.getvalue())


def test_a_repository_is_checked_file_by_file(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["validate", str(repository)])
    out, err = capsys.readouterr()
    assert code == 3  # something could not be checked
    # Every checkable object got its findings: the Deployment's image tag, at its line.
    assert f"{repository}/app/web.yaml:16: high DSN-030 Deployment/shop/web" in out
    # The tools' inputs were checked as what they are.
    assert f"ok  {repository}/app/kustomization.yaml:1:1: Kustomization (kustomize's input)" in out
    assert f"ok  {repository}/istio/operator.yaml:1:1: IstioOperator (istioctl's input)" in out
    # Each exception, explained at its file and line.
    assert f"error: {repository}/app/web.yaml:18:1: document[2]: Service 'web' is defined twice" in err
    assert (
        f"error: {repository}/chart/values.yaml:1:1: not a design or a Kubernetes object: a Helm chart's values file"
        in err
    )
    assert (
        f"error: {repository}/chart/Chart.yaml:1:1: not a design or a Kubernetes object: a Helm chart's Chart.yaml"
        in err
    )
    assert (
        f"error: {repository}/chart/templates/web.yaml: not a design or a Kubernetes object: a Helm chart template"
        in err
    )
    assert err.count("hint: run `helm template`") == 3
    assert "1 design valid, 4 errors in 6 files" in err


def test_unchecked_objects_can_be_findings_that_fail_on_judges(repository: Path) -> None:
    code, report = validate_json(str(repository), "--unchecked-objects", "finding", "--fail-on", "critical")
    assert code == 0  # no critical finding, and nothing is an error any more
    assert report["errors"] == []
    inputs = sorted(
        (f["id"], f["severity"], Path(str(f["file"])).name, f["line"])
        for f in report["findings"]
        if str(f["id"]).startswith("INPUT-")
    )  # type: ignore[index, union-attr]
    assert inputs == [
        ("INPUT-001", "info", "Chart.yaml", 1),
        ("INPUT-001", "info", "values.yaml", 1),
        ("INPUT-001", "info", "web.yaml", None),  # the chart template: the whole file
        ("INPUT-002", "medium", "web.yaml", 18),  # the duplicate Service
    ]
    assert validate_json(str(repository), "--unchecked-objects", "finding", "--fail-on", "medium")[0] == 1


def test_tool_inputs_get_their_own_schema_errors(tmp_path: Path) -> None:
    write(
        tmp_path,
        "kustomization.yaml",
        """\
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namespce: shop
        resources: [missing.yaml, "https://github.com/org/repo//base?ref=v1"]
        """,
    )
    write(
        tmp_path,
        "operator.yaml",
        "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec: {profil: demo}\n",
    )
    code, report = validate_json(str(tmp_path))
    assert code == 3
    errors = {(Path(str(e["file"])).name, e["line"], e["message"], e["hint"]) for e in report["errors"]}  # type: ignore[union-attr, index]
    assert errors == {
        ("kustomization.yaml", 3, "unknown key 'namespce'", "did you mean 'namespace'?"),
        (
            "kustomization.yaml",
            4,
            "'missing.yaml' does not exist beside the kustomization",
            "entries are paths relative to the kustomization's folder (or remote URLs)",
        ),
        ("operator.yaml", 3, "unknown key 'profil'", "did you mean 'profile'?"),
    }
    assert {t["kind"]: t["errors"] for t in report["tool_inputs"]} == {"Kustomization": 2, "IstioOperator": 1}  # type: ignore[index, union-attr]


FIVE_MISTAKES = """\
apiVersion: designer/v1
kind: Design
metadata:
  name: shop
  versoin: 1.0.0
variables:
  ns: shop
components:
  - name: web
    kind: Deployment
    apiVersion: apps/v1
    namespace: ${nss}
    dependsOn: [confg]
  - name: config
    kind: ConfigMap
    apiVersion: v1
    labels: [app]
  - name: config
    kind: Secret
    apiVersion: v1
"""


def test_every_independent_mistake_of_a_design_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = write(tmp_path, "shop.yaml", FIVE_MISTAKES)
    assert run(["validate", str(design)]) == 3
    err = capsys.readouterr().err
    wanted = [
        "shop.yaml:5:3: metadata.versoin: unknown key 'versoin'\n  hint: did you mean 'version'?",
        "shop.yaml:12:5: components[0].namespace: ${nss} is not declared\n  hint: did you mean 'ns'?",
        "shop.yaml:13:17: components[0].dependsOn[0]: dependsOn names 'confg', which is not a component",
        "shop.yaml:17:5: components[1].labels: expected mapping, got list",
        "shop.yaml:18:5: components[2].name: duplicate component name 'config'",
    ]
    for text in wanted:
        assert text in err
    assert err.count("error: ") == 5 and "0 designs valid, 5 errors in 1 file" in err
    # In file order, as a compiler lists them.
    assert [err.index(text) for text in wanted] == sorted(err.index(text) for text in wanted)

    code, report = validate_json(str(design))
    assert code == 3
    errors = report["errors"]
    assert isinstance(errors, list) and len(errors) == 5
    assert [(e["line"], e["path"]) for e in errors] == [
        (5, "metadata.versoin"),
        (12, "components[0].namespace"),
        (13, "components[0].dependsOn[0]"),
        (17, "components[1].labels"),
        (18, "components[2].name"),
    ]
    assert all(e["hint"] for e in errors if e["path"] != "components[1].labels")


def test_render_reports_them_all_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = write(tmp_path, "shop.yaml", FIVE_MISTAKES)
    assert run(["render", str(design)]) == 3
    assert capsys.readouterr().err.count("error: ") == 5


def test_a_cycle_names_its_file_and_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = write(
        tmp_path,
        "cycle.yaml",
        """\
        apiVersion: designer/v1
        kind: Design
        metadata: {name: c}
        components:
          - {name: a, kind: ConfigMap, apiVersion: v1, dependsOn: [b]}
          - {name: b, kind: ConfigMap, apiVersion: v1, dependsOn: [a]}
        """,
    )
    assert run(["graph", str(design)]) == 3
    err = capsys.readouterr().err
    assert f"error: {design}:" in err and "dependency cycle" in err
    assert f"a → b  (dependsOn)  at {design}:6:" in err and f"b → a  (dependsOn)  at {design}:5:" in err
    code, report = validate_json(str(design))
    (error,) = report["errors"]  # type: ignore[misc]
    assert code == 3 and error["file"] == str(design) and error["line"] in (5, 6)


def test_a_missing_file_has_no_made_up_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.yaml"
    assert run(["render", str(missing)]) == 3
    assert f"error: {missing}: no such file or folder" in capsys.readouterr().err
    code, report = validate_json(str(missing))
    (error,) = report["errors"]  # type: ignore[misc]
    assert code == 3 and error["file"] == str(missing) and error["line"] is None and error["column"] is None
