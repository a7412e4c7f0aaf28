"""Rendering: components through their adapters, in apply order, carrying their apply intent."""

from __future__ import annotations

import textwrap

from designer.adapters.registry import AdapterRegistry
from designer.graph import build_graph
from designer.loading import load_text
from designer.rendering import PRUNE_ANNOTATION, render

DESIGN = textwrap.dedent(
    """\
    apiVersion: designer/v1
    kind: Design
    metadata: {name: r}
    components:
      - {name: cfg, kind: ConfigMap, apiVersion: v1, namespace: app, traits: {prune: false}}
      - {name: app, kind: Namespace, apiVersion: v1}
      - {name: other, kind: ConfigMap, apiVersion: v1, namespace: app, annotations: {a: b}}
    """
)


def test_objects_come_in_apply_order_and_carry_prune_protection() -> None:
    (design,) = load_text(DESIGN)
    objects = render(design, build_graph(design), AdapterRegistry.from_entry_points())
    assert [o.ref.name for o in objects] == ["app", "cfg", "other"]
    cfg, other = objects[1].body, objects[2].body
    assert cfg["metadata"]["annotations"] == {PRUNE_ANNOTATION: "disabled"}
    assert other["metadata"]["annotations"] == {"a": "b"}
    assert "annotations" not in design.component("cfg").to_object()["metadata"]  # the model is untouched
