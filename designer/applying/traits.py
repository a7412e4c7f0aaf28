"""The apply-related traits of a component: ``wait``, ``prune``, ``replace``.

    traits:
      wait: {timeout: 120s, condition: Available}   # or `wait: none` / `wait: false` (no readiness gate)
      prune: false                                  # never delete this object when it leaves the design
      replace: true                                 # allow delete+create when an immutable field changes

Parsed once per component by the engine; bad values are DesignErrors that point at the trait.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from designer.errors import DesignError
from designer.model import Component
from designer.rendering import prunable

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


@dataclass(frozen=True, slots=True)
class ApplyTraits:
    """What the engine does for one component beyond applying it."""

    wait: bool = True
    timeout: float | None = None  # None: the run's default
    condition: str | None = None  # a condition type that must be True, instead of the kind's rule
    prune: bool = True
    replace: bool = False


def parse_duration(value: Any, *, where: str = "duration") -> float:
    """Seconds from ``90``, ``"90s"``, ``"2m"``, ``"500ms"``, ``"1h"``."""
    if isinstance(value, bool):
        raise DesignError(f"{where}: expected a duration, got {value!r}", hint="write e.g. 120s or 2m")
    if isinstance(value, int | float):
        return float(value)
    found = _DURATION.match(str(value))
    if not found:
        raise DesignError(f"{where}: {value!r} is not a duration", hint="write e.g. 120s, 2m or 500ms")
    return float(found.group(1)) * _UNIT[found.group(2)]


def traits_of(component: Component | None) -> ApplyTraits:
    """The apply traits of ``component`` (defaults for None: objects whose component left)."""
    if component is None:
        return ApplyTraits()
    traits: Mapping[str, Any] = component.traits
    wait = traits.get("wait", True)
    timeout: float | None = None
    condition: str | None = None
    waits = True
    if wait in (False, None, "none", "None", "false"):
        waits = False
    elif isinstance(wait, Mapping):
        if wait.get("timeout") is not None:
            timeout = parse_duration(wait["timeout"], where=component.design_path("traits.wait.timeout"))
        if wait.get("condition"):
            condition = str(wait["condition"])
        if wait.get("enabled") is False:
            waits = False
    elif wait is not True:
        raise DesignError(
            f"traits.wait must be none, false, or {{timeout, condition}}; got {wait!r}",
            location=component.locate(),
            path=component.design_path("traits.wait"),
            hint="e.g. wait: {timeout: 120s} or wait: none",
        )
    return ApplyTraits(
        wait=waits,
        timeout=timeout,
        condition=condition,
        prune=prunable(component),
        replace=traits.get("replace", False) is True,
    )
