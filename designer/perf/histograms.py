"""HDR histograms of latencies in microseconds: the one module that imports `hdrh`.

Every engine records corrected latency, raw latency and send lag into `Histogram`s; worker
processes pass them back encoded (`encode`/`decode`), results store them encoded so a later
`compare` or `report` can recompute any percentile or merge runs. Callers: the engines,
`results`, `comparing`, `charts`.
"""

from __future__ import annotations

import binascii
import math
import zlib
from collections import Counter
from collections.abc import Iterable

from hdrh.histogram import HdrHistogram

from designer.errors import ProfileError

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour: anything slower is clamped, never silently dropped
SIGNIFICANT_FIGURES = 3

PERCENTILES: tuple[tuple[str, float], ...] = (
    ("p50", 50.0),
    ("p75", 75.0),
    ("p90", 90.0),
    ("p95", 95.0),
    ("p99", 99.0),
    ("p99_9", 99.9),
)


class Histogram:
    """A mergeable latency histogram (1 µs .. 1 h, 3 significant digits)."""

    __slots__ = ("_hdr",)

    def __init__(self, hdr: HdrHistogram | None = None) -> None:
        self._hdr = hdr if hdr is not None else HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)

    def record(self, value_us: int, count: int = 1) -> None:
        """Add ``count`` observations of ``value_us`` (clamped into the trackable range)."""
        self._hdr.record_value(min(max(int(value_us), LOWEST_US), HIGHEST_US), count)

    def record_many(self, values_us: Iterable[int]) -> None:
        """Add many observations; counting equal values first keeps this fast (hdrh is pure Python)."""
        for value, count in Counter(values_us).items():
            self.record(value, count)

    def merge(self, other: Histogram) -> None:
        """Add every observation of ``other`` (e.g. another worker process)."""
        self._hdr.add(other._hdr)

    @property
    def count(self) -> int:
        """Number of observations."""
        return int(self._hdr.get_total_count())

    def percentile_us(self, percentile: float) -> int:
        """The value at ``percentile`` (0..100), 0 when empty."""
        if self.count == 0:
            return 0
        return int(self._hdr.get_value_at_percentile(percentile))

    def summary_ms(self) -> dict[str, float]:
        """min, mean, stddev, p50 … p99_9 and max in milliseconds (zeros when empty)."""
        if self.count == 0:
            keys = ["min", "mean", "stddev", *(name for name, _ in PERCENTILES), "max"]
            return dict.fromkeys(keys, 0.0)
        out = {
            "min": _ms(self._hdr.get_min_value()),
            "mean": _ms(self._hdr.get_mean_value()),
            "stddev": _ms(self._hdr.get_stddev()),
        }
        for name, pct in PERCENTILES:
            out[name] = _ms(self._hdr.get_value_at_percentile(pct))
        out["max"] = _ms(self._hdr.get_max_value())
        return out

    def distribution(self) -> list[tuple[int, int]]:
        """(value_us, count) pairs in increasing value order: the whole recorded distribution."""
        if self.count == 0:
            return []
        return [
            (int(item.value_iterated_to), int(item.count_added_in_this_iter_step))
            for item in self._hdr.get_recorded_iterator()
        ]

    def encode(self) -> str:
        """The compressed base64 HdrHistogram encoding (interoperable with other HDR libraries)."""
        return str(self._hdr.encode().decode("ascii"))

    @classmethod
    def decode(cls, encoded: str) -> Histogram:
        """Rebuild a histogram from `encode` output; bad input is a ProfileError."""
        try:
            return cls(HdrHistogram.decode(encoded.encode("ascii")))
        except (ValueError, TypeError, binascii.Error, zlib.error, UnicodeError) as exc:
            raise ProfileError(
                "a stored latency histogram cannot be decoded",
                hint="the result record is damaged; run the profile again",
            ) from exc

    @classmethod
    def from_percentiles(cls, points: Iterable[tuple[float, float]], total: int) -> Histogram:
        """Approximate a histogram from a percentile spectrum [(percentile, value_us)].

        External tools such as wrk only report percentiles; spreading ``total`` observations over
        the spectrum gives a histogram that compares and charts like the others (marked as
        approximate in the result record). A point at percentile 0 is the minimum.
        """
        hist = cls()
        previous_pct = 0.0
        assigned = 0
        ordered = sorted(points)
        for index, (pct, value) in enumerate(ordered):
            last = index == len(ordered) - 1
            if last:
                share = total - assigned
            elif pct <= 0.0:
                share = 1  # the 0th percentile is the minimum: one observation stands for it
            else:
                share = round(total * (pct - previous_pct) / 100.0)
            # The highest point is the maximum: rounding must not leave it without an observation.
            share = max(0, min(share, total - assigned - (0 if last else 1)))
            if share:
                hist.record(round(value), share)
                assigned += share
            previous_pct = pct
        return hist


def _ms(value_us: float) -> float:
    if math.isnan(value_us):
        return 0.0
    return round(value_us / 1000.0, 3)
