"""Components → Kubernetes objects, through their adapters, in apply order.

Callers: `design render`, validate (policies see rendered objects), diff and apply.
"""

from __future__ import annotations

from designer.adapters.registry import AdapterRegistry
from designer.errors import AdapterError
from designer.graph import DesignGraph
from designer.model import Design, RenderedObject


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
        objects.extend(RenderedObject(component=component, body=body) for body in bodies)
    return objects
