"""Compare two engines' normalized outcomes, and read the known-differences table.

A difference is (scenario, step, path): ``path`` names the first place the normalized answers part,
``body.metadata.managedFields[0].fieldsV1`` or ``warnings``. The table in designer/sandbox/FIDELITY.md
has one row per known difference: scenario, step, a path prefix it covers, and the reason. The suite
passes when every measured difference is covered by a row and every row covers one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIDELITY_MD = Path(__file__).resolve().parents[3] / "designer" / "sandbox" / "FIDELITY.md"
_MISSING = "<absent>"


@dataclass(frozen=True, slots=True, order=True)
class Difference:
    scenario: str
    step: str
    path: str
    emulator: str = ""
    real: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.scenario, self.step, self.path)


@dataclass(frozen=True, slots=True)
class Known:
    """A row of the table: differences of ``scenario``/``step`` at or below ``path``."""

    scenario: str
    step: str
    path: str
    reason: str

    def covers(self, difference: Difference) -> bool:
        if (difference.scenario, difference.step) != (self.scenario, self.step):
            return False
        path = difference.path
        return path == self.path or path.startswith((self.path + ".", self.path + "["))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."


def paths(emulator: Any, real: Any, at: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Where two JSON values part: (path, emulator's value, real value), deepest first difference."""
    if isinstance(emulator, dict) and isinstance(real, dict):
        for key in sorted(set(emulator) | set(real), key=str):
            here = f"{at}.{key}" if at else str(key)
            if key not in emulator:
                yield here, _MISSING, real[key]
            elif key not in real:
                yield here, emulator[key], _MISSING
            else:
                yield from paths(emulator[key], real[key], here)
    elif isinstance(emulator, list) and isinstance(real, list) and len(emulator) == len(real):
        for n, (a, b) in enumerate(zip(emulator, real, strict=True)):
            yield from paths(a, b, f"{at}[{n}]")
    elif emulator != real:
        yield at, emulator, real


def differences(scenario: str, emulator: dict[str, Any], real: dict[str, Any]) -> list[Difference]:
    """Every difference between the normalized outcomes of one scenario (step name -> parts)."""
    found = []
    for step in list(dict.fromkeys([*emulator, *real])):
        for path, a, b in paths(emulator.get(step, _MISSING), real.get(step, _MISSING)):
            found.append(Difference(scenario, step, path, _short(a), _short(b)))
    return found


_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|\s*`([^`]+)`\s*\|\s*(.+?)\s*\|\s*$")


def known(document: Path = FIDELITY_MD) -> list[Known]:
    """The rows of the known-differences table: ``| `scenario` | step | `path` | reason |``."""
    rows = []
    for line in document.read_text().splitlines():
        match = _ROW.match(line)
        if match:
            scenario, step, path, reason = match.groups()
            rows.append(Known(scenario, step, path, reason))
    return rows


def reconcile(measured: list[Difference], table: list[Known]) -> tuple[list[Difference], list[Known]]:
    """(differences no row covers, rows that cover no difference): both empty when the table is true."""
    uncovered = [d for d in measured if not any(k.covers(d) for k in table)]
    unused = [k for k in table if not any(k.covers(d) for d in measured)]
    return uncovered, unused
