"""`design export --to meshery` and back: `design import (design export P --to meshery)` equals P,
component for component (name, kind, apiVersion, object name, namespace, labels, annotations,
dependsOn, settings, traits), for every pattern in patterns/ and for generated designs, in both
Meshery formats (v1beta1 and the legacy pattern); the design's metadata and version come back too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.cli.main import run
from designer.loading import load_file, load_text
from designer.model import Design
from tests.conftest import PATTERNS

PATTERN_FILES = sorted(PATTERNS.glob("*.yaml"))
FORMATS = ("v1beta1", "pattern")


def _view(design: Design) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "kind": c.kind,
            "apiVersion": c.api_version,
            "objectName": c.object_name or c.name,
            "namespace": c.namespace,
            "labels": dict(c.labels),
            "annotations": dict(c.annotations),
            "dependsOn": list(c.depends_on),
            "settings": c.settings,
            "traits": dict(c.traits),
        }
        for c in design.components
    ]


def _round_trip(source: Path, fmt: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> Design:
    exported, imported = folder / f"meshery-{fmt}.yaml", folder / "back.yaml"
    assert (
        run(["export", str(source), "--to", "meshery", "--format", fmt, "-o", str(exported), "--force"]) == 0
    )
    assert run(["import", str(exported), "--from", "meshery", "-o", str(imported), "--force"]) == 0, (
        capsys.readouterr().err
    )
    (back,) = load_file(imported)
    return back


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("pattern", PATTERN_FILES, ids=[p.stem for p in PATTERN_FILES])
def test_every_pattern_comes_back_from_meshery_as_it_was(
    pattern: Path, fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (original,) = load_file(pattern)
    back = _round_trip(pattern, fmt, tmp_path, capsys)
    assert _view(back) == _view(original)
    assert back.name == original.name and back.version == original.version
    if fmt == "v1beta1":
        for key in ("description", "type", "tags", "license", "displayName"):
            assert back.metadata.get(key) == original.metadata.get(key), key


def test_v1beta1_export_has_meshery_s_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What meshery.md documents: component.kind/version, model name, configuration with metadata,
    metadata.dependsOn by id; the same design exports to the same bytes."""
    source = PATTERNS / "istio-bookinfo.yaml"
    assert run(["export", str(source), "--to", "meshery"]) == 0
    first = capsys.readouterr().out
    assert run(["export", str(source), "--to", "meshery"]) == 0
    assert capsys.readouterr().out == first
    doc = yaml.safe_load(first)
    assert doc["schemaVersion"] == "designs.meshery.io/v1beta1" and doc["relationships"] == []
    ids = {c["id"]: c for c in doc["components"]}
    assert len(ids) == len(doc["components"])
    for comp in doc["components"]:
        assert set(comp) >= {
            "id",
            "displayName",
            "schemaVersion",
            "format",
            "version",
            "configuration",
            "metadata",
            "model",
            "modelReference",
            "component",
        }
        assert comp["component"]["kind"] and comp["component"]["version"]
        assert comp["configuration"]["metadata"]["name"]
        assert all(dep in ids for dep in comp["metadata"].get("dependsOn", []))
    models = {c["component"]["kind"]: c["model"]["name"] for c in doc["components"]}
    assert models["Deployment"] == "kubernetes" and models["VirtualService"] == "istio-base"


# Generated designs: names, kinds, namespaces, labels, nested settings with the scalars YAML makes
# tricky (strings that look like numbers, booleans, dates, '${…}'), dependsOn and traits.
_names = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)
_scalars = st.one_of(
    st.integers(-(2**40), 2**40),
    st.booleans(),
    st.none(),
    st.sampled_from(
        ["yes", "no", "on", "1.0", "0x1F", "2024-02-30", "1:30:00", "${HOME}", "~", "", "a b", "null"]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
)
_keys = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{0,12}", fullmatch=True).filter(
    lambda k: k not in ("name", "namespace")
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=12,
)
_kinds = st.sampled_from(
    [
        ("ConfigMap", "v1"),
        ("Deployment", "apps/v1"),
        ("Service", "v1"),
        ("VirtualService", "networking.istio.io/v1"),
        ("ServerAuthorization", "policy.linkerd.io/v1beta1"),
        ("Widget", "example.com/v1alpha1"),
        ("ClusterRole", "rbac.authorization.k8s.io/v1"),
    ]
)


@st.composite
def _designs(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(_names, min_size=1, max_size=6, unique=True))
    components = []
    for i, name in enumerate(names):
        kind, api_version = draw(_kinds)
        item: dict[str, Any] = {"name": name, "kind": kind, "apiVersion": api_version}
        if draw(st.booleans()):
            item["objectName"] = draw(_names)
        if kind != "ClusterRole" and draw(st.booleans()):
            item["namespace"] = draw(_names)
        if draw(st.booleans()):
            item["labels"] = draw(st.dictionaries(_names, _names, max_size=2))
        # Settings are arbitrary (what the round trip must keep), not what the kind's fields take.
        item["annotations"] = {
            **draw(st.dictionaries(_names, st.text(max_size=10), max_size=2)),
            "designer.dev/field-validation": "ignore",
        }
        if i and draw(st.booleans()):
            item["dependsOn"] = draw(
                st.lists(st.sampled_from(names[:i]), min_size=1, max_size=2, unique=True)
            )
        item["settings"] = draw(st.dictionaries(_keys, _values, max_size=3))
        if draw(st.booleans()):
            item["traits"] = {"prune": draw(st.booleans()), "wait": {"timeout": "90s"}}
        components.append(item)
    return {
        "apiVersion": "designer/v1",
        "kind": "Design",
        "metadata": {"name": draw(_names), "version": "1.2.3"},
        "components": components,
    }


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_designs())
def test_generated_designs_come_back_from_meshery_as_they_were(
    document: dict[str, Any], fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True).replace("${", "$${")
    source = tmp_path / "generated.yaml"
    source.write_text(text, encoding="utf-8")
    (original,) = load_text(text, "generated.yaml")
    back = _round_trip(source, fmt, tmp_path, capsys)
    assert _view(back) == _view(original)


def test_what_a_pattern_cannot_hold_is_refused_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "design.yaml"
    source.write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: odd, version: 1.0.0}\ncomponents:\n"
        "  - name: widget\n    kind: Widget\n    apiVersion: example.com/v1\n"
        "    settings: {spec: {'target Port': 80}}\n"
    )
    out = tmp_path / "pattern.yaml"
    assert run(["export", str(source), "--to", "meshery", "--format", "pattern", "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "'widget' cannot be written as a Meshery pattern" in err and "--format v1beta1" in err
    assert not out.exists()
    assert run(["export", str(source), "--to", "meshery", "-o", str(out)]) == 0
    assert run(["export", str(source), "--to", "meshery", "-o", str(out)]) == 3
    assert "already exists" in capsys.readouterr().err


def test_kubernetes_export_writes_what_render_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = PATTERNS / "httpbin.yaml"
    assert run(["render", str(source)]) == 0
    rendered = capsys.readouterr().out
    single = tmp_path / "manifests.yaml"
    assert run(["export", str(source), "--to", "kubernetes", "-o", str(single)]) == 0
    assert single.read_text() == rendered
    folder = tmp_path / "manifests"
    assert run(["export", str(source), "--to", "kubernetes", "-o", f"{folder}/"]) == 0
    files = sorted(folder.iterdir())
    bodies = list(yaml.safe_load_all(rendered))
    assert [yaml.safe_load(f.read_text()) for f in files] == bodies
    assert files[0].name.startswith("001-")
    assert run(["export", str(source), "--to", "kubernetes", "-o", f"{folder}/"]) == 3
    assert run(["export", str(source), "--to", "kubernetes", "-o", f"{folder}/", "--force"]) == 0
