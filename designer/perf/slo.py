"""SLO expressions written like k6 thresholds, evaluated against a result record.

Syntax: ``<metric> <op> <value>`` with op one of ``< <= > >= == !=``.

- Latency metrics (corrected latency, milliseconds): ``p(N)``, ``avg``/``mean``, ``med``, ``min``,
  ``max``; ``raw_p(N)`` for the uncorrected view. Values take ``us``, ``ms`` (default), ``s``.
- ``error_rate``: errors / sent; ``1%`` or ``0.01``.
- ``rate`` (achieved req/s); the value may refer to the target: ``0.95 * target``, ``95% target``.
- Counts: ``errors``, ``dropped``, ``requests``.

Evaluating against the stored record (not the live run) means history can be re-judged with new
SLOs. Callers: `results.judge`, `profile` validation (through `parse`).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from designer.errors import ProfileError
from designer.perf.histograms import Histogram

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_EXPR = re.compile(
    r"^\s*(?P<metric>(?:raw_)?p\(\s*[\d.]+\s*\)|[a-z_][a-z0-9_]*)\s*(?P<op><=|>=|==|!=|<|>)\s*(?P<value>.+?)\s*$"
)
_PCT = re.compile(r"^(raw_)?p\(\s*([\d.]+)\s*\)$")
_NUMBER = r"(\d+(?:\.\d+)?)"
_RELATIVE = re.compile(rf"^{_NUMBER}\s*(%)?\s*(?:\*|of)?\s*target$")
_WITH_UNIT = re.compile(rf"^{_NUMBER}\s*(us|µs|ms|s|%)?$")
_LATENCY_UNITS = {"us": 0.001, "µs": 0.001, "ms": 1.0, "s": 1000.0, None: 1.0}
_NAMED_LATENCY = {"avg": "mean", "mean": "mean", "med": "p50", "min": "min", "max": "max"}
_COUNTS = ("errors", "dropped", "requests")
_HINT = "write e.g. 'p(99) < 250ms', 'error_rate < 1%' or 'rate >= 0.95 * target'"


@dataclass(frozen=True, slots=True)
class Slo:
    """One parsed expression; ``relative`` means the threshold is a multiple of the target rate."""

    expr: str
    metric: str
    op: str
    threshold: float
    relative: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of one SLO on one record."""

    expr: str
    observed: float | None
    threshold: float | None
    passed: bool

    def as_json(self) -> dict[str, Any]:
        """The shape stored in result records."""
        return {
            "expr": self.expr,
            "observed": self.observed,
            "threshold": self.threshold,
            "passed": self.passed,
        }


def parse(expr: str) -> Slo:
    """Parse one expression; a ProfileError says what is wrong with it."""
    match = _EXPR.match(expr)
    if not match:
        raise ProfileError(f"cannot parse SLO {expr!r}", hint=_HINT)
    metric, op, value = match["metric"].replace(" ", ""), match["op"], match["value"].strip()
    if _PCT.match(metric):
        return Slo(expr, metric, op, _latency(expr, value))
    if metric in _NAMED_LATENCY:
        return Slo(expr, metric, op, _latency(expr, value))
    if metric == "error_rate":
        unit = _WITH_UNIT.match(value)
        if not unit or unit[2] not in (None, "%"):
            raise ProfileError(f"SLO {expr!r}: error_rate takes a fraction or a percentage", hint=_HINT)
        number = float(unit[1])
        return Slo(expr, metric, op, number / 100.0 if unit[2] == "%" else number)
    if metric in ("rate", "achieved_rate"):
        if value == "target":
            return Slo(expr, "rate", op, 1.0, relative=True)
        rel = _RELATIVE.match(value)
        if rel:
            factor = float(rel[1]) / (100.0 if rel[2] else 1.0)
            return Slo(expr, "rate", op, factor, relative=True)
        return Slo(expr, "rate", op, _plain(expr, value))
    if metric in _COUNTS:
        return Slo(expr, metric, op, _plain(expr, value))
    raise ProfileError(
        f"SLO {expr!r}: unknown metric {metric!r}",
        hint="metrics: p(N), raw_p(N), avg, med, min, max, error_rate, rate, errors, dropped, requests",
    )


def evaluate(expressions: Iterable[str], record: Mapping[str, Any]) -> list[Verdict]:
    """Judge every expression against a result record."""
    return [check(parse(expr), record) for expr in expressions]


def check(rule: Slo, record: Mapping[str, Any]) -> Verdict:
    """Judge one parsed SLO; a metric the record cannot provide fails with observed=None."""
    threshold: float | None = rule.threshold
    if rule.relative:
        target = record.get("target_rate")
        threshold = rule.threshold * float(target) if target else None
    observed = observe(rule.metric, record)
    if observed is None or threshold is None:
        return Verdict(rule.expr, observed, threshold, False)
    return Verdict(rule.expr, round(observed, 6), round(threshold, 6), _OPS[rule.op](observed, threshold))


def observe(metric: str, record: Mapping[str, Any]) -> float | None:
    """The value of a metric in a record (latencies in ms)."""
    pct = _PCT.match(metric)
    if pct:
        key = "raw_latency_ms" if pct[1] else "latency_ms"
        level = float(pct[2])
        name = f"p{int(level)}" if level.is_integer() else "p" + f"{level:g}".replace(".", "_")
        summary = record.get(key) or {}
        if name in summary:
            return float(summary[name])
        encoded = (record.get("histograms") or {}).get("raw" if pct[1] else "corrected")
        if not encoded:
            return None
        return Histogram.decode(encoded).percentile_us(level) / 1000.0
    if metric in _NAMED_LATENCY:
        return float((record.get("latency_ms") or {}).get(_NAMED_LATENCY[metric], 0.0))
    if metric == "error_rate":
        sent = int(record.get("sent") or record.get("requests") or 0)
        return int(record.get("errors") or 0) / sent if sent else 0.0
    if metric == "rate":
        return float(record.get("achieved_rate") or 0.0)
    value = record.get(metric)
    return float(value) if value is not None else None


def _latency(expr: str, value: str) -> float:
    match = _WITH_UNIT.match(value)
    if not match or match[2] == "%":
        raise ProfileError(f"SLO {expr!r}: {value!r} is not a duration", hint=_HINT)
    return float(match[1]) * _LATENCY_UNITS[match[2]]


def _plain(expr: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ProfileError(f"SLO {expr!r}: {value!r} is not a number", hint=_HINT) from None
