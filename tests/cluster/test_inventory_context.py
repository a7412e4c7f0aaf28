"""`design validate --inventory-context`: data.inventory read from a live cluster (the sandbox API emulator,
over real HTTP with the official client), only the kinds Gatekeeper would sync, one LIST per kind.

The sandbox's request log is the witness: besides discovery, the run sends exactly one LIST per synced kind
(all namespaces) and nothing else: no GET of single objects, no LIST of kinds no template needs, no write.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from designer.cli.main import run
from designer.cluster.kube import KubeCluster
from designer.cluster.kubeconfig import load_client
from designer.sandbox.runner import Sandbox
from tests.policy.referential import DESIGN, PROD_PODS, REFERENTIAL, UNIQUE_HOST


def _ingress(name: str, namespace: str, host: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"rules": [{"host": host}]},
    }


@pytest.fixture
def cluster(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """The sandbox with two namespaces, ingresses and unrelated objects; KUBECONFIG points at it."""
    assert sandbox.kubeconfig_path is not None
    settings = load_client(sandbox.kubeconfig_path)
    client = KubeCluster(settings.api_client, context_name=settings.context_name, retries=0)
    try:
        for name, labels in (("shop", {"env": "prod"}), ("old-shop", {})):
            client.apply(
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
            )
        client.apply(_ingress("legacy", "old-shop", "shop.example.com"))
        client.apply(_ingress("blog", "old-shop", "blog.example.com"))
        for index in range(3):
            client.apply(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"c{index}", "namespace": "shop"},
                }
            )
    finally:
        client.close()
    monkeypatch.setenv("KUBECONFIG", str(sandbox.kubeconfig_path))
    yield sandbox


def _validate(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, Any], list[str]]:
    before = len(sandbox.requests)
    code = run(
        [
            "validate",
            str(DESIGN),
            *args,
            "--inventory-context",
            "sandbox",
            "--no-builtin-policies",
            "-o",
            "json",
        ]
    )
    sent = sandbox.requests[before:]
    assert not [r for r in sent if r.is_write], "validate wrote to the cluster"
    reads = [f"{r.method} {r.path}" for r in sent if not _is_discovery(r.path)]
    return code, json.loads(capsys.readouterr().out), reads


def _is_discovery(path: str) -> bool:
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] in ("version", "openapi"):
        return True
    if parts[0] == "api":
        return len(parts) <= 2  # /api, /api/v1
    return parts[0] == "apis" and len(parts) <= 3  # /apis, /apis/<group>, /apis/<group>/<version>


def test_the_templates_declared_kinds_are_listed_once(
    cluster: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, doc, reads = _validate(cluster, capsys, *UNIQUE_HOST)
    assert code == 1
    assert [f["message"] for f in doc["findings"]] == [
        "host shop.example.com is already served by ingress old-shop/legacy"
    ]
    # extensions/v1beta1 comes first in the template's requirement; the server lacks it, so the
    # equivalent networking.k8s.io/v1 is read instead: one LIST over all namespaces, nothing else.
    assert reads == ["GET /apis/networking.k8s.io/v1/ingresses"]


def test_a_gatekeeper_config_decides_what_is_synced(
    cluster: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "apiVersion: config.gatekeeper.sh/v1alpha1\nkind: Config\nmetadata: {name: config, namespace: gatekeeper-system}\n"
        "spec:\n  sync:\n    syncOnly:\n"
        "      - {group: '', version: v1, kind: Namespace}\n"
        "      - {group: networking.k8s.io, version: v1, kind: Ingress}\n"
        "  match:\n    - excludedNamespaces: [old-*]\n      processes: [sync]\n"
    )
    code, doc, reads = _validate(cluster, capsys, *UNIQUE_HOST, *PROD_PODS, "--policy", str(config))
    assert sorted(reads) == ["GET /api/v1/namespaces", "GET /apis/networking.k8s.io/v1/ingresses"]
    # The live Namespace's label reaches the namespaceSelector; old-shop's ingresses are not synced.
    assert [f["message"] for f in doc["findings"]] == ["Pod <worker> has no label owner"]
    assert code == 1


def test_nothing_declared_nothing_read(
    cluster: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    template = tmp_path / "template.yaml"
    text = (REFERENTIAL / "unique-host-template.yaml").read_text()
    head, _, rest = text.partition("  annotations:\n")
    template.write_text(head + "spec:" + rest.partition("\nspec:")[2])
    code, doc, reads = _validate(
        cluster,
        capsys,
        "--policy",
        str(template),
        "--policy",
        str(REFERENTIAL / "unique-host-constraint.yaml"),
    )
    assert (code, reads, doc["findings"]) == (0, [], [])
    (note,) = doc["notes"]
    assert "reads data.inventory but declares no metadata.gatekeeper.sh/requires-sync-data" in note


def test_an_unknown_context_is_exit_3(cluster: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["validate", str(DESIGN), *UNIQUE_HOST, "--inventory-context", "nowhere"]) == 3
    assert "nowhere" in capsys.readouterr().err
