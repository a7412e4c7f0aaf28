"""Compose's units → Kubernetes': Go durations → seconds, Docker byte sizes and CPU counts → quantities.

Compose writes durations as Go does (``1m30s``, ``500ms``), memory as Docker does (``512m``, ``1gb``,
``2G``: powers of 1024, the unit letter in either case, an optional ``b``) or as a plain number of
bytes, and CPUs as a decimal count (``0.5``). Callers: the other modules of this package; a value
that does not parse gives None and the caller reports it.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_BYTES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)b?\s*$", re.IGNORECASE)
_BINARY = {"": "", "k": "Ki", "m": "Mi", "g": "Gi", "t": "Ti", "p": "Pi"}


def duration_seconds(text: object) -> float | None:
    """Seconds in a Go duration (``1m30s`` → 90.0); None when it is not one."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text) / 1e9  # compose-go reads a bare number as nanoseconds
    if not isinstance(text, str):
        return None
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    if body == "0":
        return 0.0
    total, pos = 0.0, 0
    for match in _DURATION_PART.finditer(body):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _SECONDS[match.group(2)]
        pos = match.end()
    return sign * total if pos == len(body) and pos > 0 else None


def whole_seconds(text: object, minimum: int = 0) -> int | None:
    """A duration rounded up to whole seconds (Kubernetes probes count in seconds), at least ``minimum``."""
    seconds = duration_seconds(text)
    if seconds is None or seconds < 0:
        return None
    return max(minimum, math.ceil(seconds - 1e-9))


def memory_quantity(value: object) -> str | None:
    """A Docker byte size as a Kubernetes quantity (``512m`` → ``512Mi``, ``1.5g`` → ``1536Mi``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    match = _BYTES.match(str(value))
    if match is None:
        return None
    number, unit = match.group(1), match.group(2).lower()
    if "." not in number:
        return f"{int(number)}{_BINARY[unit]}"
    scale = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}[unit]
    exact = Decimal(number) * (Decimal(1024) ** scale)
    return f"{int(exact / 1024 ** max(scale - 1, 0))}{_BINARY[[*_BINARY][max(scale - 1, 0)]]}"


def cpu_quantity(value: object) -> str | None:
    """A CPU count (``0.5``, ``"2"``) as a Kubernetes quantity (``500m``, ``2``)."""
    if isinstance(value, bool):
        return None
    try:
        cpus = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    if cpus <= 0:
        return None
    millis = cpus * 1000
    if millis == millis.to_integral_value() and millis % 1000 == 0:
        return str(int(cpus))
    return f"{max(1, math.ceil(millis))}m"
