"""Rollback after a failed run: put every object this run wrote back as it was.

Each object is re-read first, and only what differs from the Plan's snapshot is undone: objects
the run created are deleted (and waited for); objects it updated or replaced are restored from the
live body the Plan captured before the run, applied with ``force`` so designer takes back every
field it had changed (server-owned metadata and status are stripped first). Re-reading is what lets
rollback handle writes whose outcome is not known (their answer was lost): an object still at the
Plan's resourceVersion was not changed and is left alone. Works in reverse order of the writes.
Called by the apply engine with ``--rollback-on-failure``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from designer.applying.events import Event, EventKind, EventSink, Failure, RunResult
from designer.applying.waiting import delete_and_wait
from designer.cluster.base import FIELD_MANAGER, Cluster
from designer.cluster.errors import InvalidError, NotFoundError
from designer.diffing.normalizing import SERVER_METADATA
from designer.errors import ClusterError
from designer.model import KubeObject, ObjectRef
from designer.planning import Step


@dataclass(frozen=True, slots=True)
class Applied:
    """A write the run made, or may have made (the step holds the live body from before)."""

    step: Step
    component: str


def restorable(live: KubeObject) -> KubeObject:
    """``live`` without server-owned metadata and status, ready to be applied again."""
    body: dict[str, Any] = {k: v for k, v in live.items() if k != "status"}
    body["metadata"] = {k: v for k, v in (live.get("metadata") or {}).items() if k not in SERVER_METADATA}
    return body


def roll_back(
    cluster: Cluster, applied: Sequence[Applied], *, result: RunResult, emit: EventSink, timeout: float
) -> list[ObjectRef]:
    """Undo ``applied`` in reverse order; returns the refs that may still be as the run left them.

    Failures to undo are added to ``result.failed``; an uncertain write whose object turns out
    unchanged (or is undone) leaves ``result.uncertain``.
    """
    left: list[ObjectRef] = []
    for item in reversed(applied):
        step = item.step
        try:
            undone = _undo(cluster, step, timeout)
        except ClusterError as exc:
            left.append(step.ref)
            result.add(
                "failed",
                Failure(
                    component=item.component,
                    ref=step.ref,
                    reason=exc.reason,
                    message=f"rollback failed: {exc.message}",
                    status=exc.status,
                    hint="the object may still be as this run left it: run the command again, or "
                    "apply the previous design",
                ),
            )
            continue
        result.discard("uncertain", step.ref)  # now known: as before the run
        if not undone:
            continue
        result.add("rolled_back", step.ref)
        emit(
            Event(
                kind=EventKind.ROLLED_BACK,
                component=item.component,
                ref=step.ref,
                data={"action": step.action.value},
            )
        )
    return left


def _undo(cluster: Cluster, step: Step, timeout: float) -> bool:
    """Put ``step``'s object back as the Plan saw it; False when it already is."""
    current = _read(cluster, step.ref)
    if not changed_since_plan(step, current):
        return False
    if step.live is None:  # created by the run (or, for a create, by someone meanwhile)
        if delete_and_wait(cluster, step.ref, timeout=timeout) is not None:
            raise ClusterError(f"{step.ref} was not deleted within {timeout:g}s")
        return True
    _restore(cluster, step.live, timeout)  # updated, or deleted by a replace: applied back
    return True


def changed_since_plan(step: Step, now: KubeObject | None) -> bool:
    """Whether the live object ``now`` differs from what the Plan saw (created, deleted, written).

    Compared by resourceVersion, which every real write changes and no-op writes keep; without one
    (a fake cluster) the object counts as changed.
    """
    if step.live is None or now is None:
        return (step.live is None) != (now is None)
    before = (step.live.get("metadata") or {}).get("resourceVersion")
    after = (now.get("metadata") or {}).get("resourceVersion")
    return not before or before != after


def _read(cluster: Cluster, ref: ObjectRef) -> KubeObject | None:
    try:
        return cluster.get(ref)
    except NotFoundError:
        return None  # its kind is surely not served (its CRD was rolled back): neither is it


def _restore(cluster: Cluster, live: KubeObject, timeout: float) -> None:
    body = restorable(live)
    try:
        cluster.apply(body, field_manager=FIELD_MANAGER, force=True)
    except InvalidError as exc:
        if not exc.immutable:
            raise
        ref = ObjectRef.of(body)
        delete_and_wait(cluster, ref, timeout=timeout)
        cluster.apply(body, field_manager=FIELD_MANAGER, force=True)
