"""`design delete`: remove a design's objects in reverse dependency order and wait until they are gone.

A component is deleted only after every component that depends on it is gone (the apply graph,
reversed), so workloads go before their namespace, custom resources before their CRD, the mesh's
resources before the mesh. Only objects that carry designer's ownership labels for this design are
deleted; an object of the same name that designer did not apply is left alone and reported. Objects
the inventory recorded that have since left the design are deleted first. A delete that does not
finish within the timeout fails the component and names the finalizers still on the object.
Callers: designer.cli.apply (``delete`` command).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

from designer.applying.events import Event, EventKind, EventSink, Failure, NodeFailedError, RunResult, discard
from designer.applying.limiting import limit_requests, workers
from designer.applying.pruning import owned_by
from designer.applying.scheduler import run_graph
from designer.applying.waiting import delete_and_wait
from designer.cluster.base import Cluster, namespaced_ref
from designer.cluster.errors import NotFoundError
from designer.cluster.inventory import DEFAULT_NAMESPACE, read_inventory
from designer.errors import ClusterError
from designer.model import ObjectRef, RenderedObject

LEFTOVERS = "(left the design)"


def delete_design(
    cluster: Cluster,
    design: str,
    objects: Sequence[RenderedObject],
    *,
    dependencies: Mapping[str, Iterable[str]],
    concurrency: int = 8,
    timeout: float = 300.0,
    inventory_namespace: str = DEFAULT_NAMESPACE,
    emit: EventSink = discard,
) -> RunResult:
    """Delete ``objects`` (rendered, in apply order) of ``design``; failures are in the result."""
    started = time.monotonic()
    cluster = limit_requests(cluster, concurrency)
    result = RunResult(cluster=cluster.context_name)
    by_component: dict[str, list[ObjectRef]] = {}
    for obj in objects:
        by_component.setdefault(obj.component.name, []).append(_scoped(cluster, obj.ref))
    inventory = read_inventory(cluster, design, namespace=inventory_namespace)
    current = {ref for refs in by_component.values() for ref in refs}
    leftovers = list(inventory.left_design(current))
    # reversed: a node waits for its dependents; leftovers go before everything
    reverse: dict[str, set[str]] = {name: set() for name in by_component}
    for name, deps in dependencies.items():
        for dep in deps:
            if dep in reverse and name in by_component:
                reverse[dep].add(name)
    nodes = list(reversed(list(by_component)))
    if leftovers:
        by_component[LEFTOVERS] = list(reversed(leftovers))  # deleted in reverse below: apply order back
        for name in reverse:
            reverse[name].add(LEFTOVERS)
        nodes.insert(0, LEFTOVERS)

    def work(name: str) -> None:
        emit(Event(kind=EventKind.STARTED, component=name))
        gone = [
            _delete_one(cluster, design, name, ref, result, emit, timeout)
            for ref in reversed(by_component[name])
        ]
        if any(gone):
            emit(Event(kind=EventKind.DELETED, component=name))

    outcome = run_graph(nodes, reverse, work, concurrency=workers(concurrency))
    for name, error in outcome.failed.items():
        failure = (
            error.failure
            if isinstance(error, NodeFailedError)
            else Failure(component=name, ref=None, message=str(error))
        )
        result.add("failed", failure)
        emit(Event(kind=EventKind.FAILED, component=name, ref=failure.ref, message=failure.message))
    for name, because in outcome.skipped.items():
        result.skipped[name] = because
        emit(Event(kind=EventKind.SKIPPED, component=name, message=f"{because} could not be deleted"))
    result.cancelled.extend(outcome.cancelled)
    if result.ok and inventory.exists:
        cluster.delete(inventory.ref)
    result.elapsed = time.monotonic() - started
    emit(Event(kind=EventKind.SUMMARY, data=result.summary()))
    return result


def _scoped(cluster: Cluster, ref: ObjectRef) -> ObjectRef:
    try:
        namespaced = cluster.is_namespaced(ref.api_version, ref.kind)
    except NotFoundError:
        return ref  # the kind is not served (its CRD is gone): so are its objects
    return namespaced_ref(ref, cluster.default_namespace, namespaced=namespaced)


def _delete_one(
    cluster: Cluster,
    design: str,
    component: str,
    ref: ObjectRef,
    result: RunResult,
    emit: EventSink,
    timeout: float,
) -> bool:
    """Delete one object if it is ours and wait until it is gone; True when something was deleted."""
    try:
        live = cluster.get(ref)
    except NotFoundError:
        return False  # kind gone with its CRD
    except ClusterError as exc:
        raise NodeFailedError(
            Failure(
                component=component,
                ref=ref,
                message=exc.message,
                reason=exc.reason,
                status=exc.status,
                hint=exc.hint,
            )
        ) from exc
    if live is None:
        return False
    if not owned_by(live, design):
        result.add("protected", ref)
        emit(
            Event(
                kind=EventKind.PROTECTED,
                component=component,
                ref=ref,
                message="not labelled as applied by designer for this design: left alone",
            )
        )
        return False
    try:
        left = delete_and_wait(cluster, ref, timeout=timeout)
    except ClusterError as exc:
        raise NodeFailedError(
            Failure(
                component=component,
                ref=ref,
                message=exc.message,
                reason=exc.reason,
                status=exc.status,
                hint=exc.hint,
            )
        ) from exc
    if left is not None:
        finalizers = (left.get("metadata") or {}).get("finalizers") or []
        raise NodeFailedError(
            Failure(
                component=component,
                ref=ref,
                reason="Timeout",
                message=f"still present {timeout:g}s after delete; finalizers: {', '.join(finalizers) or 'none'}",
            )
        )
    result.add("deleted", ref)
    emit(Event(kind=EventKind.DELETED, component=component, ref=ref))
    return True
