"""Rollback after a failed run: put every object this run wrote back as it was.

Objects the run created are deleted (and waited for); objects it updated or replaced are restored
from the live body the Plan captured before the run, applied with ``force`` so designer takes back
every field it had changed (server-owned metadata and status are stripped first). Works in reverse
order of the writes. Called by the apply engine with ``--rollback-on-failure``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from designer.applying.events import Event, EventKind, EventSink, Failure, RunResult
from designer.applying.waiting import wait_gone
from designer.cluster.base import FIELD_MANAGER, Cluster
from designer.cluster.errors import InvalidError
from designer.diffing.normalizing import SERVER_METADATA
from designer.errors import ClusterError
from designer.model import KubeObject, ObjectRef
from designer.planning import Action, Step


@dataclass(frozen=True, slots=True)
class Applied:
    """A write the run made (the step holds the live body from before)."""

    step: Step
    component: str


def restorable(live: KubeObject) -> KubeObject:
    """``live`` without server-owned metadata and status, ready to be applied again."""
    body: dict[str, Any] = {k: v for k, v in live.items() if k != "status"}
    body["metadata"] = {k: v for k, v in (live.get("metadata") or {}).items() if k not in SERVER_METADATA}
    return body


def roll_back(
    cluster: Cluster, applied: Sequence[Applied], *, result: RunResult, emit: EventSink, timeout: float
) -> None:
    """Undo ``applied`` in reverse order; failures to undo are added to ``result.failed``."""
    for item in reversed(applied):
        step = item.step
        try:
            if step.action is Action.CREATE or step.live is None:
                cluster.delete(step.ref)
                if wait_gone(cluster, step.ref, timeout=timeout) is not None:
                    raise ClusterError(f"{step.ref} was not deleted within {timeout:g}s")
            else:
                _restore(cluster, step.live, timeout)
        except ClusterError as exc:
            result.add(
                "failed",
                Failure(
                    component=item.component,
                    ref=step.ref,
                    reason=exc.reason,
                    message=f"rollback failed: {exc.message}",
                    status=exc.status,
                ),
            )
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


def _restore(cluster: Cluster, live: KubeObject, timeout: float) -> None:
    body = restorable(live)
    try:
        cluster.apply(body, field_manager=FIELD_MANAGER, force=True)
    except InvalidError as exc:
        if not exc.immutable:
            raise
        ref = ObjectRef.of(body)
        cluster.delete(ref)
        wait_gone(cluster, ref, timeout=timeout)
        cluster.apply(body, field_manager=FIELD_MANAGER, force=True)
