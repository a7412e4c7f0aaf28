"""Components → Kubernetes objects, through their adapters, in apply order.

Callers: `design render`, validate (policies see rendered objects), diff and apply.
"""

from __future__ import annotations

from designer.adapters.registry import AdapterRegistry
from designer.errors import AdapterError
from designer.graph import DesignGraph
from designer.model import Component, Design, KubeObject, RenderedObject

PRUNE_ANNOTATION = "designer.dev/prune"
"""Set to ``disabled`` on objects of components with ``traits.prune: false``: prune never deletes them,
and the intent travels with the object (diff, apply and a later prune all see it)."""


def render(design: Design, graph: DesignGraph, registry: AdapterRegistry) -> list[RenderedObject]:
    """Every object of ``design`` in the graph's order; a component may render to several objects."""
    objects: list[RenderedObject] = []
    for name in graph.order():
        component = design.component(name)
        adapter = registry.for_component(component)
        try:
            bodies = adapter.render(component)
        except AdapterError:
            raise
        except Exception as exc:
            raise AdapterError(
                f"adapter {adapter.name!r} failed to render component {name!r}: {exc}",
                location=component.location,
                hint="this is a bug in the adapter; report it to its authors",
            ) from exc
        objects.extend(
            RenderedObject(component=component, body=with_intent(component, body)) for body in bodies
        )
    return objects


def prunable(component: Component) -> bool:
    """False when the component says ``traits.prune: false`` (its objects survive --prune)."""
    return component.traits.get("prune") is not False


def with_intent(component: Component, body: KubeObject) -> KubeObject:
    """``body`` carrying the component's apply intent that must travel with the object (prune: false)."""
    if prunable(component):
        return body
    meta = dict(body.get("metadata") or {})
    meta["annotations"] = {**(meta.get("annotations") or {}), PRUNE_ANNOTATION: "disabled"}
    return {**body, "metadata": meta}
