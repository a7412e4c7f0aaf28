"""Waiting for objects to become ready, or to be gone, by polling with backoff.

Readiness comes from designer.adapters.readiness (kstatus rules plus adapter rules). The first
check uses the body the apply returned, so kinds that are ready at once (ConfigMap, Service, …)
cost no extra request; after that the object is read with a short, growing interval (25 ms up to
1 s), the first read timed by what the run has learnt about the kind (`PollSchedule`) — cheap on
a real API server and quick to notice a ready object. A terminal failure
(ProgressDeadlineExceeded, Job Failed) ends the wait at once; transient read errors are ignored
until the deadline. `delete_and_wait` is the one way objects are deleted and waited for. Callers: the apply engine, delete, rollback.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from designer.adapters.readiness import Readiness, Rule, Status, condition_rule, status_of
from designer.cluster.base import Cluster, Propagation
from designer.cluster.errors import NotFoundError, UnreachableError
from designer.model import KubeObject, ObjectRef

FIRST_INTERVAL_S = 0.025
MAX_INTERVAL_S = 1.0
BACKOFF = 1.5


class PollSchedule:
    """Learns, per kind, how soon objects become ready, so the first poll is rarely wasted.

    Each successful poll records when it was *sent* (relative to the start of the wait): the object
    was ready by then. The first poll of the next object of that kind waits the smallest of the
    last observations (never more than 1 s), then the usual backoff applies. Shared by a run's
    workers; thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def first_delay(self, kind: str) -> float:
        with self._lock:
            seen = self._seen.get(kind)
            return min(min(seen), MAX_INTERVAL_S) if seen else FIRST_INTERVAL_S

    def observe(self, kind: str, seconds: float) -> None:
        with self._lock:
            self._seen.setdefault(kind, deque(maxlen=20)).append(max(seconds, FIRST_INTERVAL_S))


@dataclass(frozen=True, slots=True)
class WaitOutcome:
    """How a wait ended: ``readiness`` is the last status seen; ``timed_out`` when the deadline hit."""

    readiness: Readiness
    timed_out: bool = False
    body: KubeObject | None = None


def wait_ready(
    cluster: Cluster,
    ref: ObjectRef,
    *,
    timeout: float,
    rules: Mapping[str, Rule],
    condition: str | None = None,
    first: KubeObject | None = None,
    on_progress: Callable[[Readiness], None] | None = None,
    schedule: PollSchedule | None = None,
) -> WaitOutcome:
    """Poll ``ref`` until ready, failed, or ``timeout`` seconds passed."""
    check: Callable[[KubeObject | None], Readiness]
    if condition:
        by_condition = condition_rule(condition)

        def check(body: KubeObject | None) -> Readiness:
            return Readiness(Status.NOT_FOUND, "object not found") if body is None else by_condition(body)
    else:

        def check(body: KubeObject | None) -> Readiness:
            return status_of(body, rules)

    started = time.monotonic()
    deadline = started + timeout
    interval = schedule.first_delay(ref.kind) if schedule else FIRST_INTERVAL_S
    body = first if first is not None else _read(cluster, ref)
    last_message = ""
    polled_at: float | None = None
    while True:
        readiness = check(body)
        if readiness.ready or readiness.failed:
            if readiness.ready and schedule is not None and polled_at is not None:
                schedule.observe(ref.kind, polled_at - started)
            return WaitOutcome(readiness, body=body)
        if on_progress is not None and readiness.message != last_message:
            on_progress(readiness)
            last_message = readiness.message
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return WaitOutcome(readiness, timed_out=True, body=body)
        time.sleep(min(interval, remaining))
        interval = min(interval * BACKOFF, MAX_INTERVAL_S)
        polled_at = time.monotonic()
        body = _read(cluster, ref)


def _read(cluster: Cluster, ref: ObjectRef) -> KubeObject | None:
    try:
        return cluster.get(ref)
    except (UnreachableError, NotFoundError):
        return None  # transient, or the kind is not served yet: keep polling until the deadline


def wait_gone(cluster: Cluster, ref: ObjectRef, *, timeout: float) -> KubeObject | None:
    """Poll until ``ref`` no longer exists; returns the last body seen when the deadline hit.

    Raises:
        UnreachableError: the last read failed, so whether the object is gone is not known.
    """
    deadline = time.monotonic() + timeout
    interval = FIRST_INTERVAL_S
    while True:
        failed: UnreachableError | None = None
        try:
            body = cluster.get(ref)
        except NotFoundError:
            return None  # the kind itself is surely not served (its CRD was deleted): nor the object
        except UnreachableError as exc:
            body, failed = {}, exc
        if body is None:
            return None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            if failed is not None:
                raise failed
            return body
        time.sleep(min(interval, remaining))
        interval = min(interval * BACKOFF, MAX_INTERVAL_S)


def delete_and_wait(
    cluster: Cluster, ref: ObjectRef, *, timeout: float, propagation: Propagation = "Background"
) -> KubeObject | None:
    """Delete ``ref`` and poll until it is gone; returns the last body seen when the deadline hit.

    A delete whose answer was lost (``outcome_unknown``) may well have happened: the object's own
    GET decides. Gone, or being deleted (``deletionTimestamp``): it happened, wait as usual; still
    there and not being deleted: it did not, and the delete's error is raised. Other failures raise.
    """
    try:
        cluster.delete(ref, propagation=propagation)
    except UnreachableError as exc:
        if not exc.outcome_unknown:
            raise
        try:
            now = cluster.get(ref)
        except NotFoundError:
            now = None  # the kind is surely not served: nor is the object
        if now is not None and not (now.get("metadata") or {}).get("deletionTimestamp"):
            raise
    return wait_gone(cluster, ref, timeout=timeout)
