"""Components → Kubernetes objects, through their adapters, in apply order.

`without_reviews` leaves out the components that stand for admission requests (AdmissionReview
documents): they are input for the policies, not objects to send to a cluster.

Callers: `design render`, validate (policies see rendered objects), diff, apply, delete and export.
"""

from __future__ import annotations

import dataclasses

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


def without_reviews(design: Design) -> tuple[Design, tuple[Component, ...]]:
    """``design`` without the components read from AdmissionReview documents, and those components.

    Such a component (`Component.review`) asks how admission control would answer one request (a
    CREATE, an UPDATE, a DELETE of its object); `design validate` gives it to the policies. It is not
    an object of the design: rendering, diffing, applying or deleting its object would act on the
    cluster as if it were a manifest (and a DELETE review's object is the one being removed). Other
    components' ``dependsOn`` on it are dropped with it.
    """
    reviews = tuple(c for c in design.components if c.review is not None)
    if not reviews:
        return design, ()
    gone = {c.name for c in reviews}
    kept = tuple(
        c if not gone.intersection(c.depends_on) else dataclasses.replace(c, depends_on=_kept(c, gone))
        for c in design.components
        if c.review is None
    )
    return dataclasses.replace(design, components=kept), reviews


def review_summary(component: Component) -> str:
    """``DELETE of Deployment shop/web``: what an admission-review component asks about."""
    review = component.review or {}
    operation = str(review.get("operation") or "a review")
    where = f"{component.namespace}/" if component.namespace else ""
    return f"{operation} of {component.kind} {where}{component.object_name or component.name}"


def _kept(component: Component, gone: set[str]) -> tuple[str, ...]:
    return tuple(d for d in component.depends_on if d not in gone)
