"""Comparison of two normalized objects into `designer.planning.Change` values (deepdiff lives here).

`compare` takes the live object and the object as it would be after applying (the server's dry
run, or the design itself in a local comparison), normalizes both, aligns quantities, and, only
when they still differ, asks deepdiff where. Each difference becomes a `Change` with a readable
path, masked values for Secrets and the live field's owner. The whole-object equality check first
keeps noop objects cheap (most objects in a steady-state diff are noops).
Callers: `designer.diffing.planner`, benchmarks/diff_bench.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from designer.diffing import masking
from designer.diffing.normalizing import ListKey, align_quantities, normalize, project
from designer.diffing.ownership import Owners
from designer.planning import Change

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ABSENT = object()


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of comparing one object: both normalized (keyed) sides and the changes."""

    before: dict[str, Any] | None
    after: dict[str, Any] | None
    changes: tuple[Change, ...]

    @property
    def equal(self) -> bool:
        """True when nothing differs."""
        return not self.changes and (self.before is None) == (self.after is None)


def compare(
    live: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    *,
    local: bool = False,
    field_manager: str = "designer",
) -> Comparison:
    """Compare ``live`` with ``after`` (the applied result); either may be None.

    Args:
        live: the object in the cluster (with managedFields, to name owners).
        after: the server's dry-run result, or the desired body when ``local``.
        local: compare only the fields ``after`` sets (no server prediction: less precise).
        field_manager: our own manager, passed over when naming who owns a changed field.
    """
    before_n = normalize(live) if live is not None else None
    after_n = normalize(after) if after is not None else None
    if before_n is None or after_n is None:
        return Comparison(before_n, after_n, ())
    if local:
        before_n = project(before_n, after_n)
    align_quantities(before_n, after_n, kind=str(after_n.get("kind", "")))
    if before_n == after_n:
        return Comparison(before_n, after_n, ())
    owners = Owners.of(live)
    secret = masking.is_secret(after)
    changes = [
        _change(path, old, new, owners, secret, field_manager)
        for path, old, new in diff_paths(before_n, after_n)
    ]
    changes.sort(key=lambda c: c.path)
    return Comparison(before_n, after_n, tuple(changes))


def diff_paths(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """(path, before, after) for each difference; ``None`` marks an absent side.

    deepdiff does the field-level work, but only on the part that differs: while a single child
    of two maps differs and both sides are maps, we descend first (cheap equality checks), then
    hand deepdiff just the differing keys. A replicas change in a large Deployment therefore costs
    a deepdiff of ``{"replicas": 5}`` against ``{"replicas": 2}``, not of the whole spec.
    """
    found: list[tuple[tuple[Any, ...], Any, Any]] = []
    _diff_into(before, after, (), found)
    return found


def _diff_into(
    before: Mapping[str, Any], after: Mapping[str, Any], prefix: tuple[Any, ...], found: list[Any]
) -> None:
    keys = list(before) + [k for k in after if k not in before]
    differing = [k for k in keys if before.get(k, _ABSENT) != after.get(k, _ABSENT)]
    if not differing:
        return
    if len(differing) == 1:
        key = differing[0]
        old, new = before.get(key, _ABSENT), after.get(key, _ABSENT)
        if isinstance(old, dict) and isinstance(new, dict):
            _diff_into(old, new, (*prefix, key), found)
            return
    old_part = {k: before[k] for k in differing if k in before}
    new_part = {k: after[k] for k in differing if k in after}
    tree = DeepDiff(old_part, new_part, view="tree", verbose_level=2, threshold_to_diff_deeper=0)
    for report in tree.values():
        for level in report:
            path = (*prefix, *level.path(output_format="list"))
            found.append((path, _present(level.t1), _present(level.t2)))


def format_path(path: tuple[Any, ...]) -> str:
    """``('spec', 'containers', ListKey('name=web'), 'image')`` → ``spec.containers[name=web].image``."""
    parts: list[str] = []
    for segment in path:
        if isinstance(segment, ListKey | int):
            parts.append(f"[{segment}]")
        elif isinstance(segment, str) and _PLAIN_KEY.match(segment):
            parts.append(f".{segment}" if parts else segment)
        else:
            parts.append(f'["{segment}"]')
    return "".join(parts)


def _change(
    path: tuple[Any, ...], old: Any, new: Any, owners: Owners, secret: bool, field_manager: str
) -> Change:
    manager = owners.manager_of(path, prefer_other_than=field_manager) if old is not None else None
    if secret:
        old, new = masking.mask_change(path, old, new)
    return Change(path=format_path(path), before=_plain(old), after=_plain(new), manager=manager)


def _present(value: Any) -> Any:
    # deepdiff marks a missing side with its NotPresent sentinel.
    return None if type(value).__name__ == "NotPresent" else value


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        if value and all(isinstance(k, ListKey) for k in value):
            return [_plain(v) for v in value.values()]
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
