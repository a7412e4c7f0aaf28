"""What every load generator hands back: counts, timings and histograms, before any reporting.

The built-in engine, its worker processes and the wrk/hey/fortio adapters all produce a
`Measurement`; `results.build_record` turns one into the stored result record. Worker processes
pass measurements across process boundaries with `to_wire`/`from_wire` (histograms encoded).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from designer.perf.histograms import Histogram

ERROR_KINDS = ("connect", "timeout", "read", "status")


@dataclass(kw_only=True)
class Measurement:
    """One run's raw outcome. Latencies live in the histograms (microseconds).

    ``sent`` counts requests written in the measured window, ``completed`` the responses received
    for them (any status), ``dropped`` the scheduled slots that were never sent because no
    connection was free before the deadline. ``elapsed_s`` is the send window (the measured duration,
    longer when sends fell behind), so ``completed / elapsed_s`` is the achieved rate.
    """

    engine: str
    engine_version: str
    mode: str
    co_corrected: bool
    target_rate: float | None
    connections: int
    start_time: float  # wall clock, seconds since the epoch
    elapsed_s: float
    sent: int = 0
    completed: int = 0
    dropped: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    status_codes: Counter[int] = field(default_factory=Counter)
    bytes_received: int = 0
    corrected: Histogram = field(default_factory=Histogram)
    raw: Histogram = field(default_factory=Histogram)
    send_lag: Histogram | None = None
    cpu_s: float | None = None
    histogram_source: str = "hdr"  # "hdr" | "samples" | "percentiles" | "buckets"
    warnings: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        """All failed requests: connect, timeout, read errors and 4xx/5xx statuses."""
        return sum(self.errors.values())

    @property
    def achieved_rate(self) -> float:
        """Completed responses per second over the measured window."""
        return self.completed / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def merge(self, other: Measurement) -> None:
        """Fold a parallel worker's measurement into this one (counts add, histograms merge)."""
        self.elapsed_s = max(self.elapsed_s, other.elapsed_s)
        self.start_time = min(self.start_time, other.start_time)
        self.sent += other.sent
        self.completed += other.completed
        self.dropped += other.dropped
        self.errors.update(other.errors)
        self.status_codes.update(other.status_codes)
        self.bytes_received += other.bytes_received
        self.corrected.merge(other.corrected)
        self.raw.merge(other.raw)
        if self.send_lag is not None and other.send_lag is not None:
            self.send_lag.merge(other.send_lag)
        if self.cpu_s is not None and other.cpu_s is not None:
            self.cpu_s += other.cpu_s
        self.connections += other.connections
        if self.target_rate is not None and other.target_rate is not None:
            self.target_rate += other.target_rate
        self.warnings.extend(w for w in other.warnings if w not in self.warnings)

    def to_wire(self) -> dict[str, Any]:
        """A picklable, JSON-able dict (histograms encoded) for crossing process boundaries."""
        return {
            "engine": self.engine,
            "engine_version": self.engine_version,
            "mode": self.mode,
            "co_corrected": self.co_corrected,
            "target_rate": self.target_rate,
            "connections": self.connections,
            "start_time": self.start_time,
            "elapsed_s": self.elapsed_s,
            "sent": self.sent,
            "completed": self.completed,
            "dropped": self.dropped,
            "errors": dict(self.errors),
            "status_codes": dict(self.status_codes),
            "bytes_received": self.bytes_received,
            "corrected": self.corrected.encode(),
            "raw": self.raw.encode(),
            "send_lag": self.send_lag.encode() if self.send_lag is not None else None,
            "cpu_s": self.cpu_s,
            "histogram_source": self.histogram_source,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Measurement:
        """The inverse of `to_wire`."""
        fields = dict(data)
        fields["errors"] = Counter(fields["errors"])
        fields["status_codes"] = Counter({int(k): v for k, v in fields["status_codes"].items()})
        fields["corrected"] = Histogram.decode(fields["corrected"])
        fields["raw"] = Histogram.decode(fields["raw"])
        lag = fields["send_lag"]
        fields["send_lag"] = Histogram.decode(lag) if lag is not None else None
        return cls(**fields)
