"""Every shipped pattern in patterns/ loads, forms a sound graph and renders to Kubernetes objects.

Parametrized over a glob of the folder, so patterns added later are held to the same bar. Nothing is
mocked: the real loader, graph builder, adapters (from the installed entry points) and renderer run.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from designer.adapters.registry import AdapterRegistry
from designer.graph import DesignGraph, build_graph
from designer.loading import load_paths
from designer.model import Design, RenderedObject
from designer.rendering import render
from tests.conftest import PATTERNS

PATTERN_FILES = sorted(PATTERNS.glob("*.yaml"))
REQUIRED_METADATA = ("name", "version", "type", "description")
OVERRIDE_NS = "pattern-test-override"


def _id(path: Path) -> str:
    return path.stem


@cache
def _registry() -> AdapterRegistry:
    return AdapterRegistry.from_entry_points()


@cache
def _loaded(path: Path) -> tuple[Design, DesignGraph, tuple[RenderedObject, ...]]:
    designs = load_paths([path])
    assert len(designs) == 1, f"{path.name}: expected one design, got {len(designs)}"
    design = designs[0]
    graph = build_graph(design)
    return design, graph, tuple(render(design, graph, _registry()))


def test_the_library_is_not_empty() -> None:
    """The glob finds the patterns at all (a moved folder would otherwise pass vacuously)."""
    assert len(PATTERN_FILES) >= 6, [p.name for p in PATTERN_FILES]


@pytest.mark.parametrize("path", PATTERN_FILES, ids=_id)
def test_pattern_loads_with_components_and_metadata(path: Path) -> None:
    design, _, _ = _loaded(path)
    assert design.components, f"{path.name} has no components"
    missing = [key for key in REQUIRED_METADATA if not design.metadata.get(key)]
    assert not missing, f"{path.name}: metadata lacks {missing}"
    assert design.name == path.stem, "the file is named after the design"


@pytest.mark.parametrize("path", PATTERN_FILES, ids=_id)
def test_each_namespace_is_in_the_design_and_ordered_first(path: Path) -> None:
    """A namespaced component's Namespace is a component too, and comes earlier in apply order."""
    design, graph, _ = _loaded(path)
    order = graph.order()
    position = {name: i for i, name in enumerate(order)}
    assert sorted(order) == sorted(c.name for c in design.components)
    namespaces = {c.ref.name: c.name for c in design.components if c.kind == "Namespace"}
    for comp in design.components:
        if not comp.namespace:
            continue
        assert comp.namespace != "default", f"{comp.name} is in the default namespace"
        owner = namespaces.get(comp.namespace)
        assert owner is not None, f"{comp.name}: namespace {comp.namespace!r} is not a component"
        assert position[owner] < position[comp.name], f"{comp.name} is ordered before its namespace"


@pytest.mark.parametrize("path", PATTERN_FILES, ids=_id)
def test_pattern_renders_identified_unique_objects(path: Path) -> None:
    design, _, objects = _loaded(path)
    assert len(objects) >= len([c for c in design.components if not c.is_designer_kind])
    seen: set[tuple[str, str, str | None, str]] = set()
    for obj in objects:
        body = obj.body
        metadata = body.get("metadata") or {}
        assert body.get("apiVersion") and body.get("kind") and metadata.get("name"), body
        assert "${" not in str(body), f"{obj.component.name}: unsubstituted variable"
        key = (
            str(body["apiVersion"]).split("/")[0],
            body["kind"],
            metadata.get("namespace"),
            metadata["name"],
        )
        assert key not in seen, f"{path.name}: two objects are {key}"
        seen.add(key)


@pytest.mark.parametrize("path", PATTERN_FILES, ids=_id)
def test_namespace_variable_moves_every_namespaced_component(path: Path) -> None:
    """Patterns that declare `ns` hard-code no namespace: overriding it moves every component."""
    design, _, _ = _loaded(path)
    if "ns" not in design.variables:
        pytest.fail(f"{path.name} declares no `ns` variable for its namespace")
    moved = load_paths([path], {"ns": OVERRIDE_NS})[0]
    namespaced = [c for c in moved.components if c.namespace]
    assert namespaced, f"{path.name} has no namespaced component"
    stuck = [c.name for c in namespaced if OVERRIDE_NS not in (c.namespace or "")]
    assert not stuck, f"{path.name}: namespace not taken from ${{ns}} for {stuck}"
    namespaces = {c.ref.name for c in moved.components if c.kind == "Namespace"}
    assert all(OVERRIDE_NS in name for name in namespaces), namespaces
