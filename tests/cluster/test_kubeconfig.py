"""Kubeconfig lookup like kubectl: flag, $KUBECONFIG (merged list), current-context, --context."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from designer.cluster.connecting import connect
from designer.cluster.kubeconfig import kubeconfig_source, load_client
from designer.errors import ClusterError


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
    with pytest.raises(ClusterError, match=r"context 'nope' is not in kubeconfig .*\(contexts: one, two\)"):
        load_client(cfg, "nope")


def test_missing_file_and_missing_current_context(tmp_path: Path) -> None:
    with pytest.raises(ClusterError, match="no kubeconfig found") as info:
        load_client(tmp_path / "absent")
    assert info.value.hint and "--kubeconfig" in info.value.hint
    cfg = _write(tmp_path / "k", {"one": None}, None)
    with pytest.raises(ClusterError, match="current-context") as info:
        load_client(cfg)
    assert info.value.hint and "--context" in info.value.hint
