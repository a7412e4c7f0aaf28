"""`design validate`, `design graph` and `design render` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from designer.cli.main import run
from designer.errors import FieldError
from designer.loading import read_file
from tests import requirements

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ROOT / "patterns"
MESHERY = requirements.shared_files("testdata/meshery-patterns", "*.yaml")
NATIVE_PATTERNS = sorted(PATTERNS.glob("*.yaml"))


@pytest.mark.parametrize("path", NATIVE_PATTERNS + MESHERY, ids=lambda p: p.name)
def test_every_pattern_validates_or_fails_cleanly(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    requirements.shared_file(path)
    code = run(["validate", "--no-builtin-policies", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if code == 3:
        assert f"{path}:" in err  # the message names file:line
    else:
        assert code == 0, err
        assert out.startswith("ok  ")


@pytest.mark.parametrize("path", NATIVE_PATTERNS, ids=lambda p: p.name)
def test_library_patterns_pass_the_builtin_policies(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, out + err


@pytest.mark.parametrize("path", NATIVE_PATTERNS + MESHERY, ids=lambda p: p.name)
def test_every_pattern_graphs(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    requirements.shared_file(path)
    if any(isinstance(e, FieldError) for e in read_file(path).errors):
        # Objects the API server would refuse (a sample's autoscaling/v1 HPA with v2's metrics).
        assert run(["graph", str(path), "--format", "json"]) == 3
        assert f"error: {path}:" in capsys.readouterr().err
        return
    assert run(["graph", str(path), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out.split("\n}\n")[0] + "\n}")
    order = doc["order"]
    for edge in doc["edges"]:
        assert order.index(edge["from"]) < order.index(edge["to"])
        assert edge["reason"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = """\
apiVersion: designer/v1
kind: Design
metadata: {name: demo}
variables: {ns: demo}
components:
  - {name: demo-ns, kind: Namespace, apiVersion: v1, objectName: "${ns}"}
  - name: cfg
    kind: ConfigMap
    apiVersion: v1
    namespace: ${ns}
    settings: {data: {a: b}}
  - name: web
    kind: Deployment
    apiVersion: apps/v1
    namespace: ${ns}
    settings:
      spec:
        template:
          spec:
            containers: [{name: web, image: "nginx:1.27", envFrom: [{configMapRef: {name: cfg}}]}]
        selector: {matchLabels: {app: web}}
"""


def test_validate_reports_every_broken_file_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    bad = write(tmp_path, "bad.yaml", GOOD.replace("kind: ConfigMap", "kind: ConfigMap\n    replicas: 2"))
    empty = write(tmp_path, "empty.yaml", "")
    code = run(["validate", "--no-builtin-policies", str(good), str(bad), str(empty)])
    out, err = capsys.readouterr()
    assert code == 3
    assert f"ok  {good}: design 'demo'" in out
    assert f"error: {bad}:9:5: components[1].replicas: unknown key 'replicas'" in err
    assert f"error: {empty}: file is empty" in err
    assert err.rstrip().endswith("1 design valid, 2 errors in 3 files")
    run(["validate", "--no-builtin-policies", str(good)])
    assert capsys.readouterr().err.rstrip().endswith("1 design valid, 0 errors in 1 file")


def test_validate_summary_comes_after_the_findings_on_a_shared_terminal(tmp_path: Path) -> None:
    # stdout and stderr into one stream, as a terminal shows them: the summary is the last line.
    design = write(tmp_path, "web.yaml", GOOD)
    deploy = write(
        tmp_path,
        "deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: web, image: nginx}]}\n",
    )
    result = subprocess.run(
        [str(Path(sys.executable).with_name("design")), "validate", str(design), str(deploy)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
        timeout=120,
    )
    lines = result.stdout.rstrip().splitlines()
    assert result.returncode == 1, result.stdout
    assert any("DSN-" in line for line in lines[:-1]), result.stdout
    assert lines[-1] == "2 designs valid, 0 errors in 2 files", result.stdout


def test_integers_beyond_64_bits_are_validated_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # YAML reads this as one int; the JSON written for regorus and the report must carry it.
    huge = write(
        tmp_path,
        "huge.yaml",
        GOOD.replace("      spec:\n", "      spec:\n        replicas: 99999999999999999999\n", 1),
    )
    code = run(["validate", str(huge), "-o", "json", "--fail-on", "never"])
    out, err = capsys.readouterr()
    assert code == 3, err  # replicas is an int32: the one error, and the objects are still judged
    doc = json.loads(out)
    assert doc["summary"]["errors"] == 1 and doc["summary"]["objects"] == 3
    assert (
        doc["errors"][0]["message"]
        == "expected an integer that fits int32, got the number 99999999999999999999"
    )


def test_validate_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    assert run(["validate", "--no-builtin-policies", str(good), "--output", "json", "--set", "ns=prod"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == 1
    summary = doc["summary"]
    assert (summary["designs"], summary["components"], summary["objects"]) == (1, 3, 3)
    assert (summary["findings"], summary["errors"]) == (0, 0)
    assert doc["findings"] == []


def test_render_prints_objects_in_apply_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    assert run(["render", str(good), "--set", "ns=prod"]) == 0
    docs = list(yaml.safe_load_all(capsys.readouterr().out))
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("Namespace", "prod"),
        ("ConfigMap", "cfg"),
        ("Deployment", "web"),
    ]
    assert docs[2]["metadata"]["namespace"] == "prod"


@pytest.mark.parametrize("fmt", ["text", "dot", "mermaid"])
def test_graph_formats_name_edges_and_reasons(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.yaml", GOOD)
    assert run(["graph", str(good), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "Deployment web uses ConfigMap cfg (envFrom of container web)" in out
    assert "Deployment web lives in namespace demo" in out


def test_cycle_exits_3_with_the_chain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    looped = write(tmp_path, "loop.yaml", GOOD.replace("settings: {data: {a: b}}", "dependsOn: [web]"))
    assert run(["graph", str(looped)]) == 3
    err = capsys.readouterr().err
    assert "dependency cycle:" in err and "cfg → web" in err and "web → cfg  (dependsOn)" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate"]) == 2
    assert run(["graph", "x.yaml", "--format", "png"]) == 2
    assert run(["validate", "x.yaml", "--set", "novalue"]) == 2


def test_missing_file_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", "does-not-exist.yaml"]) == 3
    assert "error: does-not-exist.yaml: no such file or folder" in capsys.readouterr().err


def test_installed_console_script_runs() -> None:
    exe = Path(sys.executable).with_name("design")
    result = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "validate" in result.stdout and "graph" in result.stdout and "render" in result.stdout


def test_a_design_with_a_performance_profile_validates_and_orders_it_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = """\
  - name: load
    kind: PerformanceProfile
    apiVersion: designer/v1
    settings:
      targets: [{component: web, port: 80, path: /}]
      rate: 100
      duration: 5s
"""
    design = write(tmp_path, "measured.yaml", GOOD + profile)
    assert run(["validate", "--no-builtin-policies", str(design)]) == 0
    capsys.readouterr()
    assert run(["graph", str(design), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["order"][-1] == "load"
    assert {
        "from": "web",
        "to": "load",
        "reason": "performance profile load measures it",
        "explicit": False,
    } in doc["edges"]
    assert run(["render", str(design)]) == 0
    kinds = [d["kind"] for d in yaml.safe_load_all(capsys.readouterr().out)]
    assert "PerformanceProfile" not in kinds  # a profile is load to send, not an object to apply


@pytest.mark.parametrize(
    ("typed", "meant"), [("valdate", "validate"), ("polcy", "policy"), ("rendr", "render")]
)
def test_a_mistyped_command_suggests_the_close_one(
    typed: str, meant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run([typed]) == 2
    err = capsys.readouterr().err
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in err, err
