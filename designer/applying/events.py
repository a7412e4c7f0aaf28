"""Progress events and the result of an apply or delete run.

The engine reports everything through an `EventSink` (a plain callable): the CLI turns events into
rich progress lines or JSON lines (``{"event": …, "component", "object", "time", …}``), tests collect
them in a list. `RunResult` is the summary: what was applied, unchanged, failed (with the API
reason), skipped (and why), pruned, deleted, rolled back. Pure data; no printing here.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from designer.model import ObjectRef


class EventKind(enum.StrEnum):
    """Every event the engine emits."""

    STARTED = "started"  # a component's work began
    APPLIED = "applied"  # an object was written (created, updated or replaced)
    UNCHANGED = "unchanged"  # a noop step: nothing sent
    WAITING = "waiting"  # readiness wait in progress (message says what for)
    READY = "ready"  # an object, or (object None) a whole component, is ready
    RETRY = "retry"  # a transient error, retried
    FAILED = "failed"
    SKIPPED = "skipped"  # not run because a dependency failed
    CANCELLED = "cancelled"  # not run because the run stopped after a failure
    PRUNED = "pruned"
    PROTECTED = "protected"  # left the design but kept (traits.prune: false, or not ours)
    DELETED = "deleted"
    ROLLED_BACK = "rolled_back"
    UNCERTAIN = "uncertain"  # a write's answer was lost and the object could not be re-read
    NO_OBJECTS = "no_objects"  # a component that renders no objects (a PerformanceProfile): nothing applied
    SUMMARY = "summary"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """One progress event; ``time`` is seconds since the epoch."""

    kind: EventKind
    component: str | None = None
    ref: ObjectRef | None = None
    message: str = ""
    time: float = field(default_factory=time.time)
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The JSON-lines shape."""
        out: dict[str, Any] = {
            "event": self.kind.value,
            "component": self.component,
            "object": self.ref.as_json() if self.ref else None,
            "time": round(self.time, 3),
        }
        if self.message:
            out["message"] = self.message
        out.update(self.data)
        return out


EventSink = Callable[[Event], None]


def discard(event: Event) -> None:
    """An EventSink that drops everything."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """Why a component failed: the object, the API's reason/status, the message."""

    component: str
    ref: ObjectRef | None
    message: str
    reason: str | None = None
    status: int | None = None
    causes: tuple[str, ...] = ()
    hint: str | None = None  # what to do about it (e.g. --force-conflicts for an ownership conflict)

    def as_json(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "object": self.ref.as_json() if self.ref else None,
            "message": self.message,
            "reason": self.reason,
            "status": self.status,
            "causes": list(self.causes),
            "hint": self.hint,
        }


@dataclass
class RunResult:
    """What a run did, per object and per component (mutable while the run goes, thread-safe)."""

    cluster: str | None = None
    applied: list[ObjectRef] = field(default_factory=list)
    created: list[ObjectRef] = field(default_factory=list)
    unchanged: list[ObjectRef] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # component -> why
    cancelled: list[str] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)  # components, in the order they became ready
    pruned: list[ObjectRef] = field(default_factory=list)
    protected: list[ObjectRef] = field(default_factory=list)
    deleted: list[ObjectRef] = field(default_factory=list)
    rolled_back: list[ObjectRef] = field(default_factory=list)
    # writes whose outcome is not known (answer lost, object not re-readable): possibly changed
    uncertain: list[ObjectRef] = field(default_factory=list)
    elapsed: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failed

    def add(self, bucket: str, item: Any) -> None:
        """Append ``item`` to list ``bucket`` under the lock (called from worker threads)."""
        with self._lock:
            getattr(self, bucket).append(item)

    def discard(self, bucket: str, item: Any) -> None:
        """Remove ``item`` from list ``bucket`` if present (an uncertain write found out)."""
        with self._lock:
            items = getattr(self, bucket)
            if item in items:
                items.remove(item)

    def summary(self) -> dict[str, Any]:
        """The ``summary`` event's payload."""
        return {
            "cluster": self.cluster,
            "applied": len(self.applied),
            "unchanged": len(self.unchanged),
            "failed": len(self.failed),
            "skipped": len(self.skipped),
            "cancelled": len(self.cancelled),
            "pruned": len(self.pruned),
            "deleted": len(self.deleted),
            "rolled_back": len(self.rolled_back),
            "uncertain": len(self.uncertain),
            "elapsed": round(self.elapsed, 3),
            "failures": [f.as_json() for f in self.failed],
            "skipped_components": dict(sorted(self.skipped.items())),
            "uncertain_objects": [ref.as_json() for ref in self.uncertain],
        }


class NodeFailedError(Exception):
    """Raised inside a worker to fail its component with a `Failure` (never escapes the engine).

    ``maybe_written``: the failed write may have changed the object all the same (its answer was
    lost, or a replace had deleted it): the engine re-reads the object before believing "not applied".
    """

    def __init__(self, failure: Failure, *, maybe_written: bool = False) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.maybe_written = maybe_written
