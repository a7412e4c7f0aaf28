"""A new user's first hour against a cluster (issue 13): each mistake gets a message that names what is
wrong and what to do, through the real CLI, with no traceback and the documented exit code.

- a mistyped --context names the context (and the close one), not "no kubeconfig found" alone;
- an ownership conflict says --force-conflicts takes the fields (in test_sandbox_apply.py, with the
  conflict test);
- a mesh pattern on a cluster without the mesh names every missing kind and what to install first;
- apply does not call a PerformanceProfile "ready": it applies nothing and says how profiles run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from designer.cli.main import run
from tests.applying.livetools import Live, events, live_sandbox
from tests.conftest import PATTERNS


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_sandbox(tmp_path / "sb") as running:
        yield running


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err


def test_a_mistyped_context_names_it_and_the_close_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user without ~/.kube/config types the sandbox context wrong."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    code = run(["diff", str(PATTERNS / "httpbin.yaml"), "--context", "designer-sandbx"])
    _, err = capsys.readouterr()
    _no_traceback(err)
    assert code == 3
    assert "error: unknown context 'designer-sandbx'" in err
    assert "hint: did you mean --context designer-sandbox?" in err


@pytest.mark.parametrize(
    ("pattern", "mesh", "kinds"),
    [
        ("istio-canary-split.yaml", "Istio", ["DestinationRule", "VirtualService"]),
        ("linkerd-traffic-policy.yaml", "Linkerd", ["AuthorizationPolicy", "HTTPRoute", "Server"]),
    ],
)
@pytest.mark.parametrize("command", ["diff", "apply"])
def test_a_mesh_pattern_on_a_bare_cluster_says_what_to_install_first(
    live: Live, capsys: pytest.CaptureFixture[str], pattern: str, mesh: str, kinds: list[str], command: str
) -> None:
    args = ["--yes"] if command == "apply" else []
    code, _, err = live.design(capsys, command, str(PATTERNS / pattern), *args)
    _no_traceback(err)
    assert code == 3
    for kind in kinds:
        assert f"{kind} in " in err, err
    assert f"install {mesh} first" in err and f"{mesh}Mesh component" in err
    assert not live.real_writes()


def test_apply_does_not_call_a_performance_profile_ready(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "d.yaml"
    path.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: d}\ncomponents:\n"
        "  - {name: cfg, kind: ConfigMap, apiVersion: v1, settings: {data: {a: b}}}\n"
        "  - name: load\n    kind: PerformanceProfile\n    apiVersion: designer/v1\n"
        "    settings: {targets: [{url: 'http://127.0.0.1:9/'}], rate: 10, duration: 1s}\n"
    )
    code, out, err = live.design(capsys, "apply", str(path), "--yes", "-o", "json")
    assert code == 0, err
    load = [e for e in events(out) if e.get("component") == "load"]
    assert [e["event"] for e in load] == ["started", "no_objects"]
    assert "design apply --perf" in load[-1]["message"]
    code, out, err = live.design(capsys, "apply", str(path), "--yes")
    assert code == 0
    assert "ready       load" not in err
    assert "no_objects  load" in err and "PerformanceProfile runs with" in err
    assert not events(out)  # text mode: no JSON on stdout


def test_a_value_of_the_wrong_type_is_a_design_error_not_an_outage(
    live: Live, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """kube-apiserver answers an apply whose value has the wrong type with a 500 (the emulator
    too): designer must not retry it as an outage, and must say to fix the design."""
    path = tmp_path / "d.yaml"
    text = (
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: d}\ncomponents:\n"
        "  - {name: cfg, kind: ConfigMap, apiVersion: v1, OPT_OUT settings: {data: {port: 8080}}}\n"
    )
    # designer's own field check finds it first, at file:line, before any request
    path.write_text(text.replace("OPT_OUT ", ""))
    code, _, err = live.design(capsys, "diff", str(path))
    assert code == 3 and "d.yaml:5:68: components[0].settings.data.port: expected a string" in err
    assert not [r for r in live.sandbox.requests if r.method == "PATCH"]
    # an object that opts out of it meets the server's refusal
    path.write_text(text.replace("OPT_OUT", "annotations: {designer.dev/field-validation: ignore},"))
    code, _, err = live.design(capsys, "diff", str(path))
    _no_traceback(err)
    assert code == 3
    assert (
        ".data.port: expected string" in err
        and "hint: a field of the design has a value of the wrong type" in err
    )
    dry_runs = [r for r in live.sandbox.requests if r.method == "PATCH"]
    assert [r.status for r in dry_runs] == [500], "a refusal was retried"
