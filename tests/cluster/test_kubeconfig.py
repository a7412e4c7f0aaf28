"""Kubeconfig lookup like kubectl: flag, $KUBECONFIG (merged list), current-context, --context."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from designer.cluster.connecting import connect
from designer.cluster.kubeconfig import kubeconfig_source, load_client
from designer.errors import ClusterError
from tests.conftest import ROOT


def _write(path: Path, contexts: dict[str, str | None], current: str | None) -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": "http://127.0.0.1:1"}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [
            {"name": name, "context": {"cluster": "c", "user": "u", **({"namespace": ns} if ns else {})}}
            for name, ns in contexts.items()
        ],
    }
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


def test_flag_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", "/nowhere")
    assert kubeconfig_source(tmp_path / "k") == str(tmp_path / "k")
    monkeypatch.delenv("KUBECONFIG")
    assert kubeconfig_source(None) == str(Path("~/.kube/config").expanduser())


def test_current_context_and_its_namespace(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "k", {"one": "shop", "two": None}, "one")
    settings = load_client(cfg)
    assert (settings.context_name, settings.namespace) == ("one", "shop")
    assert settings.api_client.configuration.host == "http://127.0.0.1:1"
    other = load_client(cfg, "two")
    assert (other.context_name, other.namespace) == ("two", "default")


def test_kubeconfig_env_list_is_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _write(tmp_path / "a", {"one": None}, "one")
    second = _write(tmp_path / "b", {"extra": "ops"}, None)
    monkeypatch.setenv("KUBECONFIG", f"{first}{os.pathsep}{second}")
    cluster = connect(context="extra")
    assert cluster.context_name == "extra"
    assert cluster.default_namespace == "ops"


def test_unknown_context_lists_the_known_ones(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "k", {"one": None, "two": None}, "one")
    with pytest.raises(
        ClusterError, match=r"unknown context 'nope': it is not in kubeconfig .*\(contexts: one, two\)"
    ):
        load_client(cfg, "nope")


def test_a_mistyped_context_is_named_with_the_close_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ~/.kube/config (a new user): a mistyped --context names the context, not the file alone."""
    _home(tmp_path, monkeypatch)
    with pytest.raises(ClusterError) as info:
        load_client(None, "designer-sandbx")
    assert info.value.message.startswith("unknown context 'designer-sandbx': no kubeconfig found at ")
    assert info.value.hint is not None
    assert "did you mean --context designer-sandbox?" in info.value.hint
    assert "design sandbox up" in info.value.hint  # none is running
    cfg = _write(tmp_path / "k", {"production": None, "staging": None}, "staging")
    with pytest.raises(ClusterError) as info:
        load_client(cfg, "prodution")
    assert info.value.hint == "did you mean --context production?"


def test_missing_file_and_missing_current_context(tmp_path: Path) -> None:
    with pytest.raises(ClusterError, match="no kubeconfig found") as info:
        load_client(tmp_path / "absent")
    assert info.value.hint and "--kubeconfig" in info.value.hint
    cfg = _write(tmp_path / "k", {"one": None}, None)
    with pytest.raises(ClusterError, match="current-context") as info:
        load_client(cfg)
    assert info.value.hint and "--context" in info.value.hint


def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME (no XDG_STATE_HOME, no KUBECONFIG): a fresh user's machine."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.delenv("KUBECONFIG", raising=False)
    return home


def _sandbox_kubeconfig(home: Path) -> Path:
    state = home / ".local" / "state" / "designer" / "sandbox"
    state.mkdir(parents=True)
    return _write(state / "kubeconfig", {"designer-sandbox": "sb"}, "designer-sandbox")


def test_sandbox_context_falls_back_to_the_sandbox_kubeconfig(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ~/.kube/config at all, then one without the context: both use the sandbox's own file."""
    home = _home(tmp_path, monkeypatch)
    written = _sandbox_kubeconfig(home)
    settings = load_client(None, "designer-sandbox")
    assert (settings.source, settings.context_name, settings.namespace) == (
        str(written),
        "designer-sandbox",
        "sb",
    )
    (home / ".kube").mkdir()
    _write(home / ".kube" / "config", {"work": None}, "work")
    assert load_client(None, "designer-sandbox").source == str(written)
    assert load_client(None, None).context_name == "work"  # only the sandbox context falls back


def test_no_fallback_when_the_user_chose_a_kubeconfig_or_has_the_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _home(tmp_path, monkeypatch)
    _sandbox_kubeconfig(home)
    (home / ".kube").mkdir()
    mine = _write(home / ".kube" / "config", {"designer-sandbox": "mine"}, None)
    assert load_client(None, "designer-sandbox").namespace == "mine"  # ~/.kube/config has it: kubectl's rule
    other = _write(tmp_path / "other", {"work": None}, "work")
    monkeypatch.setenv("KUBECONFIG", str(other))
    with pytest.raises(ClusterError, match="not in kubeconfig"):
        load_client(None, "designer-sandbox")
    monkeypatch.delenv("KUBECONFIG")
    with pytest.raises(ClusterError, match="not in kubeconfig"):
        load_client(other, "designer-sandbox")
    assert mine.is_file()


def test_design_diff_against_a_detached_sandbox_with_an_empty_home(tmp_path: Path) -> None:
    """`design sandbox up --detach`, then `design diff --context designer-sandbox` with HOME in a
    temp dir and no KUBECONFIG: the diff finds the sandbox through its own kubeconfig."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "XDG_STATE_HOME")}
    env |= {"HOME": str(home), "NO_COLOR": "1"}
    design = [sys.executable, "-c", "from designer.cli.main import main; main()"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*design, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
        )

    up = run("sandbox", "up", "--detach")
    assert up.returncode == 0, up.stderr
    try:
        assert not (home / ".kube" / "config").exists()
        diff = run(
            "diff", str(ROOT / "patterns" / "httpbin.yaml"), "--context", "designer-sandbox", "-o", "json"
        )
        assert diff.returncode == 0, diff.stderr
        doc = json.loads(diff.stdout)
        assert doc["context"] == "designer-sandbox"
        assert doc["steps"] and {s["action"] for s in doc["steps"]} == {"create"}
    finally:
        down = run("sandbox", "down")
    assert down.returncode == 0, down.stderr


def test_context_flag_works_without_current_context_and_a_dangling_one_is_named(tmp_path: Path) -> None:
    """kubectl accepts --context on a file without current-context; a current-context naming no
    context is reported by name, with the contexts there are."""
    bare = _write(tmp_path / "bare", {"x": "ns-x"}, None)
    assert load_client(bare, "x").namespace == "ns-x"
    with pytest.raises(ClusterError, match="no current-context"):
        load_client(bare)
    dangling = _write(tmp_path / "dangling", {"x": None}, "gone")
    with pytest.raises(
        ClusterError, match=r"unknown context 'gone': it is not in kubeconfig .* \(contexts: x\)"
    ):
        load_client(dangling)
