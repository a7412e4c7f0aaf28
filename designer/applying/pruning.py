"""Prune: delete, in reverse apply order, the objects that left the design.

Only objects that are in the design's inventory (the caller passes those refs) *and* still carry
designer's ownership labels for this design are deleted (kubernetes/kubernetes#108161: never prune
by label or name alone). An object annotated ``designer.dev/prune: disabled`` (``traits.prune:
false``) is kept and reported as protected. Each delete is waited for before the next one starts.
Called by the apply engine after a successful run with ``--prune``.
"""

from __future__ import annotations

from collections.abc import Sequence

from designer.applying.events import Event, EventKind, EventSink, Failure, RunResult
from designer.applying.waiting import delete_and_wait
from designer.cluster.base import Cluster, labels_of
from designer.cluster.errors import NotFoundError
from designer.cluster.inventory import DESIGN_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, label_value
from designer.errors import ClusterError
from designer.model import KubeObject, ObjectRef


def owned_by(body: KubeObject, design: str) -> bool:
    """True when ``body`` carries designer's labels for ``design``."""
    labels = labels_of(body)
    return labels.get(MANAGED_BY_LABEL) == MANAGED_BY_VALUE and labels.get(DESIGN_LABEL) == label_value(
        design
    )


def prune(
    cluster: Cluster,
    refs: Sequence[ObjectRef],
    *,
    design: str,
    result: RunResult,
    emit: EventSink,
    timeout: float,
    protect_annotation: str,
) -> list[ObjectRef]:
    """Delete ``refs`` (already in delete order) that are ours; returns those that could not go."""
    kept: list[ObjectRef] = []
    for ref in refs:
        try:
            live = cluster.get(ref)
        except NotFoundError:
            continue  # its kind is surely not served (gone with its CRD): so is the object
        except ClusterError as exc:
            kept.append(ref)  # not known whether it is there: stays recorded for the next prune
            result.add(
                "failed",
                Failure(
                    component="(prune)", ref=ref, message=exc.message, reason=exc.reason, status=exc.status
                ),
            )
            continue
        if live is None:
            continue
        if not owned_by(live, design):
            result.add("protected", ref)
            emit(
                Event(kind=EventKind.PROTECTED, ref=ref, message="not labelled as applied by designer: kept")
            )
            continue
        annotations = (live.get("metadata") or {}).get("annotations") or {}
        if annotations.get(protect_annotation) == "disabled":
            result.add("protected", ref)
            emit(Event(kind=EventKind.PROTECTED, ref=ref, message="traits.prune is false: kept"))
            continue
        try:
            left = delete_and_wait(cluster, ref, timeout=timeout)
        except ClusterError as exc:
            kept.append(ref)
            result.add(
                "failed",
                Failure(
                    component="(prune)", ref=ref, message=exc.message, reason=exc.reason, status=exc.status
                ),
            )
            continue
        if left is not None:
            kept.append(ref)
            finalizers = (left.get("metadata") or {}).get("finalizers") or []
            result.add(
                "failed",
                Failure(
                    component="(prune)",
                    ref=ref,
                    reason="Timeout",
                    message=f"still present after {timeout:g}s; finalizers: {finalizers}",
                ),
            )
            continue
        result.add("pruned", ref)
        emit(Event(kind=EventKind.PRUNED, ref=ref))
    return kept
