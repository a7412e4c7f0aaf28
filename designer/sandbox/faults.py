"""The request log, fault injection and simulated latency of the sandbox.

Tests inspect `Recorder.requests` to prove what a command sent (e.g. "no non-dry-run write during a
diff"), queue faults (the next request matching a method and a path substring fails with a status, or
is delayed) and set a per-request latency to make round trips count in benchmarks. The server's
middleware calls `take_fault` and `record`; tests call the rest from their own thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

_REASONS = {
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

    @property
    def is_write(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")


@dataclass(slots=True)
class Fault:
    """Fail (``status``) or slow down (``delay`` seconds) the next ``times`` matching requests."""

    method: str | None
    path: str
    status: int | None = None
    delay: float = 0.0
    times: int = 1
    message: str = "injected fault"

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method.upper() == method) and self.path in path

    def body(self) -> dict[str, Any]:
        status = self.status or 500
        reason = _REASONS.get(status, "InternalError")
        details: dict[str, Any] = {}
        if status == 422:
            details = {"causes": [{"reason": "FieldValueInvalid", "message": self.message, "field": "spec"}]}
        if status == 429:
            details = {"retryAfterSeconds": 1}
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

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path):
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
