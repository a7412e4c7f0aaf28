"""Typed reading of fields from YAML data whose types nobody checked, one located error per mistake.

The Meshery and Kubernetes readers take fields from documents that have no schema of designer's:
``labels: oops``, ``settings: [x]``, ``dependsOn: 5``. `Fields` reads each field as the type the
model needs; a wrong type becomes a DesignError at the field's position (collected, not raised, so
every mistake of a file is reported in one run) and the field reads as empty, so reading goes on.

Callers: designer.loading.kubernetes and designer.loading.meshery.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from designer.errors import DesignError, Location

Locator = Callable[[str], Location]


class Fields:
    """Reads fields at key paths of one document, collecting type errors into ``errors``."""

    def __init__(self, locate: Locator, errors: list[DesignError], prefix: str = "") -> None:
        self.locate = locate
        self.errors = errors
        self.prefix = prefix  # what the paths are relative to, for messages (`document[2]`)

    def wrong(self, path: str, message: str, hint: str | None = None) -> None:
        """Record a mistake at ``path``."""
        shown = f"{self.prefix}.{path}" if self.prefix else path
        self.errors.append(DesignError(message, location=self.locate(path), path=shown, hint=hint))

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        """``value`` as a mapping; None reads as empty."""
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        self.wrong(path, f"expected a mapping, got {_describe(value)}")
        return {}

    def text(self, value: Any, path: str, *, required: bool = False) -> str | None:
        """``value`` as a non-empty string; numbers are written out as YAML would."""
        if value is None or value == "":
            if required:
                self.wrong(path, "is required")
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.wrong(path, f"expected a string, got {_describe(value)}")
        return None

    def texts(self, value: Any, path: str) -> list[str]:
        """``value`` as a list of strings; None reads as empty."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.wrong(path, f"expected a list of strings, got {_describe(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            text = self.text(item, f"{path}[{i}]", required=True)
            if text is not None:
                out.append(text)
        return out

    def string_map(self, value: Any, path: str) -> dict[str, str]:
        """``value`` as labels or annotations: a mapping of scalars, written out as strings."""
        out: dict[str, str] = {}
        for key, item in self.mapping(value, path).items():
            if isinstance(item, dict | list):
                self.wrong(f"{path}.{key}", f"expected a string, got {_describe(item)}", "quote the value")
            else:
                out[key] = scalar_text(item)
        return out


def scalar_text(value: Any) -> str:
    """A scalar as the string Kubernetes would hold for it (true, 5, '' for null)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _describe(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        type(None): "null",
    }
    name = names.get(type(value), f"a {type(value).__name__}")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        return f"{name} {shown}"
    return name
