"""The request log, fault injection and simulated latency of the sandbox.

Tests inspect `Recorder.requests` to prove what a command sent (e.g. "no non-dry-run write during a
diff"), queue faults and set a per-request latency to make round trips count in benchmarks. A fault
applies to the next ``times`` requests matching a method and a path (a substring of the path and
query, or with ``exact`` the whole path; ``dry_run`` narrows it to dry-run or real requests) and
does what API servers and networks do:

- ``status``: answer with that Status (5xx, 409, 422, 429 with a ``Retry-After`` header, 404 …);
- ``delay``: stall that long first (longer than the client's timeout: a timeout);
- ``drop="before"``: reset the connection without handling the request (nothing happened);
- ``drop="after"``: handle the request (a write is stored) and reset the connection instead of
  answering: a lost answer, the client cannot know what happened.

The server's middleware calls `take_fault` and `record`; tests call the rest from their own thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

Drop = Literal["before", "after"]

_REASONS = {
    400: "BadRequest",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    dry_run: bool
    time: float
    status: int
    content_type: str = ""
    dropped: bool = False  # the connection was reset instead of answering (``status`` is what it got)

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")


@dataclass(slots=True)
class Fault:
    """Fail (``status``), stall (``delay`` s) or drop (``drop``) the next ``times`` matching requests."""

    method: str | None
    path: str
    status: int | None = None
    delay: float = 0.0
    times: int = 1
    message: str = "injected fault"
    drop: Drop | None = None
    retry_after: float | None = None  # seconds, sent as the Retry-After header
    exact: bool = False  # ``path`` must be the whole request path, not a substring of path and query
    dry_run: bool | None = None  # only dry-run (True) or only real (False) requests; None: both

    def matches(self, method: str, path: str, path_qs: str, dry_run: bool) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        if self.dry_run is not None and self.dry_run != dry_run:
            return False
        return self.path == path if self.exact else self.path in path_qs

    def headers(self) -> dict[str, str]:
        """Extra answer headers (Retry-After)."""
        if self.retry_after is None:
            return {}
        return {"Retry-After": f"{self.retry_after:g}"}

    def body(self) -> dict[str, Any]:
        status = self.status or 500
        reason = _REASONS.get(status, "InternalError")
        details: dict[str, Any] = {}
        if status == 422:
            details = {"causes": [{"reason": "FieldValueInvalid", "message": self.message, "field": "spec"}]}
        if status in (429, 503) or self.retry_after is not None:
            details = {"retryAfterSeconds": max(1, round(self.retry_after or 1))}
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": reason,
            "code": status,
            "details": details,
        }


@dataclass(slots=True)
class Recorder:
    """Thread-safe request log and fault queue shared by the server and tests."""

    latency: float = 0.0
    requests: list[RequestRecord] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    keep_requests: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, method: str, path: str, path_qs: str = "", dry_run: bool = False) -> Fault | None:
        """The first queued fault matching the request (used up after its ``times``), or None."""
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path, path_qs or path, dry_run):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def record(self, record: RequestRecord) -> None:
        if self.keep_requests:
            with self._lock:
                self.requests.append(record)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults.clear()

    def writes(self, *, dry_run: bool | None = None) -> list[RequestRecord]:
        """Logged writes, optionally only dry-run (True) or only real (False) ones."""
        with self._lock:
            return [r for r in self.requests if r.is_write and (dry_run is None or r.dry_run == dry_run)]
