"""Reading the YAML files of the policy layer (Gatekeeper templates and constraints, waiver files).

Kept apart so the policy package has one place that parses YAML and turns a YAMLError into a
PolicyError with the file and line. Callers: designer.policy.gatekeeper, designer.policy.waivers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from designer.errors import Location, PolicyError


def read_documents(path: Path, *, display: str | None = None) -> list[Any]:
    """Every non-empty YAML document of ``path``; PolicyError naming file:line when unreadable."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read {shown}: {exc.strerror or exc}", hint="check the path") from exc
    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(
            f"invalid YAML: {problem}",
            hint="fix the YAML syntax",
            location=Location(shown, line),
        ) from exc


def sequence_item_lines(path: Path, key: str | None = None) -> list[int]:
    """1-based start lines of the items of the first document's top-level list (or of its ``key`` list).

    Used to point a report at one entry of a waiver file; [] when the shape is different.
    """
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return []
    if key is not None and isinstance(node, yaml.MappingNode):
        node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]
