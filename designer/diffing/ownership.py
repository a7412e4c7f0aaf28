"""Who owns a live field: managedFields (FieldsV1 tries) read into path lookups.

Server-side apply records, per field manager, the set of fields it owns as a trie: ``f:<field>``
for map and struct fields, ``k:{json}`` for an associative-list item, ``v:<json>`` for a set
item, ``i:<n>`` for an index, ``.`` for the node itself (kube-api.md section 6). `Owners` turns
those into paths in the keyed shape of `designer.diffing.normalizing`, so `designer.diffing.comparing`
can say that ``spec.replicas`` was last set by ``kubectl-scale`` ("changed by …" in drift reports).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from designer.diffing.normalizing import ListKey

Path = tuple[Any, ...]


class Owners:
    """Field ownership of one live object, from its ``metadata.managedFields``."""

    def __init__(self, managed_fields: Sequence[Mapping[str, Any]] | None) -> None:
        self._owners: dict[Path, list[str]] = {}
        for entry in managed_fields or ():
            manager = str(entry.get("manager") or "unknown")
            fields = entry.get("fieldsV1")
            if isinstance(fields, Mapping):
                self._walk(fields, (), manager)

    @classmethod
    def of(cls, live: Mapping[str, Any] | None) -> Owners:
        """The owners recorded in ``live`` (none for a missing object)."""
        meta = (live or {}).get("metadata") or {}
        return cls(meta.get("managedFields"))

    def _walk(self, node: Mapping[str, Any], path: Path, manager: str) -> None:
        if not node and path:
            self._add(path, manager)
        for raw, child in node.items():
            if raw == ".":
                self._add(path, manager)
                continue
            segment = _segment(raw)
            if segment is None:
                continue
            self._walk(child if isinstance(child, Mapping) else {}, (*path, segment), manager)

    def _add(self, path: Path, manager: str) -> None:
        managers = self._owners.setdefault(path, [])
        if manager not in managers:
            managers.append(manager)

    def manager_of(self, path: Path, *, prefer_other_than: str | None = None) -> str | None:
        """The manager owning ``path`` (or its nearest owned ancestor or descendant).

        With shared ownership, a manager other than ``prefer_other_than`` wins: when designer and
        ``kubectl-edit`` both own a field, the interesting one is who is not designer.
        """
        for end in range(len(path), 0, -1):
            managers = self._owners.get(tuple(path[:end]))
            if managers:
                return _pick(managers, prefer_other_than)
        # A whole subtree changed (e.g. a label map added): report who owns anything below it.
        below = sorted({m for p, ms in self._owners.items() if p[: len(path)] == tuple(path) for m in ms})
        return _pick(below, prefer_other_than) if below else None

    def managers(self) -> tuple[str, ...]:
        """Every manager that owns something, sorted."""
        return tuple(sorted({m for ms in self._owners.values() for m in ms}))


def _pick(managers: Sequence[str], avoid: str | None) -> str:
    others = [m for m in managers if m != avoid]
    return others[0] if others else managers[0]


def _segment(raw: str) -> Any:
    prefix, _, rest = raw.partition(":")
    if prefix == "f":
        return rest
    if prefix == "k":
        try:
            fields = json.loads(rest)
        except ValueError:
            return None
        return ListKey.of(fields) if isinstance(fields, Mapping) else None
    if prefix == "i":
        return int(rest) if rest.isdigit() else None
    if prefix == "v":
        return ("v", rest)
    return None
