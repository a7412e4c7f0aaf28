"""`design adapters`: listing from the real entry points, kinds, operations and their errors (operations
run against both engines in test_istio_real_crds.py)."""

from __future__ import annotations

import json

import pytest

from designer.cli.main import run
from tests.applying.livetools import registry


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
