"""Every catalog entry, pulled through the verified path, validates (policies included), renders and
applies, to the sandbox API emulator and to the real control plane.

Neither has a service mesh, so before each apply the test installs the CRDs of the mesh kinds the
pattern uses: Istio's real ones (istio.io/api's, fetched by scripts/fetch-mesh-crds.sh: tests.meshcrds;
an Istio entry is skipped without them, failed under CI), and for Linkerd, whose CRDs cannot be
fetched here, minimal structural stand-ins (schema: preserve unknown fields); everything else is the
real `design apply`.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from designer.adapters.registry import AdapterRegistry
from designer.catalog import entries, indexfile, pulling
from designer.catalog.sources import base, config
from designer.cli.main import run
from designer.graph import build_graph
from designer.loading import load_file
from designer.rendering import render
from designer.sandbox.testing import engines
from tests import meshcrds
from tests.applying.livetools import Live, live_cluster
from tests.conftest import ROOT

INDEX = indexfile.read_index(ROOT / "catalog")
MESH_GROUPS = ("istio.io", "linkerd.io")


@pytest.fixture(params=engines())
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Live]:
    with live_cluster(request.param, tmp_path / "cluster", request) as running:
        yield running


def _plural(kind: str) -> str:
    lower = kind.lower()
    if lower.endswith("y"):
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith("s") else "s")


@functools.cache
def _real_istio_crds() -> dict[tuple[str, str], dict[str, Any]]:
    """Istio's real CRDs by (group, kind)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = yaml.load_all(meshcrds.required().istio.read_text(encoding="utf-8"), Loader=loader)
    return {(d["spec"]["group"], d["spec"]["names"]["kind"]): d for d in docs if d}


def _mesh_crds(path: Path) -> list[dict[str, Any]]:
    (design,) = load_file(path)
    objects = render(design, build_graph(design), AdapterRegistry.from_entry_points())
    kinds: dict[tuple[str, str], set[str]] = {}
    for obj in objects:
        group, _, version = str(obj.body["apiVersion"]).rpartition("/")
        if group.endswith(MESH_GROUPS):
            kinds.setdefault((group, obj.body["kind"]), set()).add(version)
    crds = []
    for (group, kind), versions in sorted(kinds.items()):
        if group.endswith("istio.io"):
            crds.append(_real_istio_crds()[group, kind])
            continue
        crds.append(
            {
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "CustomResourceDefinition",
                "metadata": {"name": f"{_plural(kind)}.{group}"},
                "spec": {
                    "group": group,
                    "scope": "Namespaced",
                    "names": {"kind": kind, "plural": _plural(kind), "singular": kind.lower()},
                    "versions": [
                        {
                            "name": v,
                            "served": True,
                            "storage": i == 0,
                            "schema": {
                                "openAPIV3Schema": {
                                    "type": "object",
                                    "x-kubernetes-preserve-unknown-fields": True,
                                }
                            },
                        }
                        for i, v in enumerate(sorted(versions))
                    ],
                },
            }
        )
    return crds


@pytest.mark.parametrize("entry", INDEX.entries, ids=lambda e: e.ref)
def test_entry_pulls_validates_renders_and_applies(
    entry: entries.CatalogEntry, tmp_path: Path, live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    _, package = base.pull(config.open_source("local"), entry.ref)
    design = pulling.write(package, tmp_path / "pulled")
    assert run(["validate", str(design)]) == 0, capsys.readouterr()
    capsys.readouterr()
    assert run(["render", str(design)]) == 0
    rendered = [d for d in yaml.safe_load_all(io.StringIO(capsys.readouterr().out)) if d]
    assert len(rendered) >= 3
    kubeconfig = str(live.kubeconfig)
    crds = _mesh_crds(design)
    if crds:
        crd_file = tmp_path / "mesh-crds.yaml"
        crd_file.write_text(yaml.safe_dump_all(crds))
        assert run(["apply", str(crd_file), "--kubeconfig", kubeconfig, "-y", "--timeout", "30s"]) == 0
    capsys.readouterr()
    code = run(
        ["apply", str(design), "--kubeconfig", kubeconfig, "-y", "--timeout", "30s", "--output", "json"]
    )
    assert code == 0, capsys.readouterr().err
    for obj in rendered:
        meta = obj["metadata"]
        found = live.get(obj["apiVersion"], obj["kind"], meta["name"], meta.get("namespace", ""))
        assert found is not None, f"{obj['kind']}/{meta['name']} was not applied"
