"""`design adapters`: listing from the real entry points, and operations run against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.cli.main import run
from tests.applying.livetools import FIXTURES, live_sandbox, registry


def test_lists_installed_adapters_from_entry_points(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["adapters", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_name = {a["name"]: a for a in doc["adapters"]}
    assert by_name["kubernetes"]["distribution"] == "designer"
    assert by_name["kubernetes"]["target"] == "designer.adapters.kubernetes:KubernetesAdapter"
    assert doc["schema_version"] == 1


def test_lists_kinds_and_operations(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["adapters"], obj={"registry": registry()}) == 0
    out = capsys.readouterr().out
    assert "designer/v1/IstioMesh" in out and "networking.istio.io/VirtualService" in out
    assert "designer/v1/LinkerdMesh" in out and "policy.linkerd.io/Server" in out
    assert run(["adapters", "ops", "istio"], obj={"registry": registry()}) == 0
    ops = capsys.readouterr().out
    assert "strict-mtls" in ops and "configure" in ops and "sample_application" in ops


def test_unknown_adapter_and_operation_are_clear_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["adapters", "ops", "consul"], obj={"registry": registry()}) == 3
    assert "no adapter named 'consul'" in capsys.readouterr().err
    assert run(["adapters", "run", "istio", "teleport", "--yes"], obj={"registry": registry()}) == 3
    err = capsys.readouterr().err
    assert "has no operation 'teleport'" in err and "strict-mtls" in err


def test_install_inject_sample_and_uninstall_on_the_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with live_sandbox(tmp_path) as live:
        kc = ["--kubeconfig", str(live.kubeconfig), "--yes"]
        obj = {"registry": registry()}
        code = run(
            ["adapters", "run", "istio", "install", "--param", f"manifest={FIXTURES / 'istio'}", *kc], obj=obj
        )
        assert code == 0, capsys.readouterr().err
        assert live.sandbox.get("apps/v1", "Deployment", "istiod", "istio-system") is not None
        assert run(["adapters", "run", "istio", "httpbin", "--param", "namespace=demo", *kc], obj=obj) == 0
        ns = live.sandbox.get("v1", "Namespace", "demo")
        assert ns is not None and ns["metadata"]["labels"]["istio-injection"] == "enabled"
        assert (
            run(["adapters", "run", "istio", "strict-mtls", "--param", "namespace=demo", *kc], obj=obj) == 0
        )
        pa = live.sandbox.get("security.istio.io/v1", "PeerAuthentication", "default", "demo")
        assert pa is not None and pa["spec"]["mtls"]["mode"] == "STRICT"
        assert run(["adapters", "run", "istio", "inject", *kc], obj=obj) == 2
        assert "needs --param namespace" in capsys.readouterr().err
        code = run(
            ["adapters", "run", "istio", "uninstall", "--param", f"manifest={FIXTURES / 'istio'}", *kc],
            obj=obj,
        )
        assert code == 0
        assert live.sandbox.get("apps/v1", "Deployment", "istiod", "istio-system") is None
        assert live.sandbox.get("v1", "Namespace", "demo") is not None  # not part of the mesh install
