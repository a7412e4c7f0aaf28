"""Server-side apply and managedFields bookkeeping, following structured-merge-diff's rules.

`server_side_apply` merges a manager's applied configuration into the live object: fields with a
different value owned by another manager are conflicts (409 with one cause per field) unless forced,
equal values become shared, and fields the manager applied before but no longer lists are removed
when nobody else owns them. `track_update` gives Update operations (POST, PUT, non-apply PATCH,
controllers) ownership of the fields they changed. Called by operations.py; pure functions on dicts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from designer.kubetypes.listsemantics import SET, item_key, key_json, list_kind
from designer.kubetypes.shapes import Shape
from designer.sandbox import fieldsets
from designer.sandbox.fieldsets import FieldSet, Path
from designer.sandbox.status import ApiError
from designer.sandbox.store import clone

KubeObject = dict[str, Any]


@dataclass(slots=True)
class Owner:
    """One managedFields entry with its decoded field set."""

    manager: str
    operation: str
    api_version: str
    time: str
    subresource: str
    fields: FieldSet

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.manager, self.operation, self.subresource)

    def describe(self) -> str:
        """The manager as conflict messages print it (apimachinery conflict.go printManager)."""
        text = f'"{self.manager}"'
        if self.subresource:
            text += f' with subresource "{self.subresource}"'
        if self.operation == "Update":
            text += f" using {self.api_version}"
        return text

    def entry(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
        }
        if self.time:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = fieldsets.encode(self.fields)
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def owners_of(obj: KubeObject | None) -> list[Owner]:
    if not obj:
        return []
    owners = []
    for e in obj.get("metadata", {}).get("managedFields") or []:
        owners.append(
            Owner(
                manager=e.get("manager", ""),
                operation=e.get("operation", "Update"),
                api_version=e.get("apiVersion", ""),
                time=e.get("time", ""),
                subresource=e.get("subresource", ""),
                fields=fieldsets.decode(e.get("fieldsV1") or {}),
            )
        )
    return owners


def entries(owners: Iterable[Owner]) -> list[dict[str, Any]]:
    """The managedFields list: entries with fields, in the apiserver's order (operation, then time in
    whole seconds, manager, apiVersion, subresource: apimachinery's sortEncodedManagedFields)."""
    kept = [o for o in owners if o.fields]
    kept.sort(key=lambda o: (o.operation, o.time[:19], o.manager, o.api_version, o.subresource))
    return [o.entry() for o in kept]


def merge_applied(live: Any, applied: Any, shape: Shape | None) -> Any:
    """``applied`` merged over ``live`` with SSA semantics; neither argument is modified."""
    if isinstance(applied, dict) and isinstance(live, dict):
        if shape is not None and shape.atomic and shape.kind in ("struct", "map"):
            return clone(applied)
        out = dict(live)
        for k, v in applied.items():
            child = shape.child(k) if shape is not None else None
            out[k] = merge_applied(live[k], v, child) if k in live else clone(v)
        return out
    if isinstance(applied, list) and isinstance(live, list):
        semantics = list_kind(shape)
        if semantics == SET:
            return list(live) + [clone(v) for v in applied if v not in live]
        if isinstance(semantics, tuple):
            live_keys = [item_key(i, semantics) for i in live]
            new_keys = [item_key(i, semantics) for i in applied]
            if None not in live_keys and None not in new_keys:
                item = shape.item if shape is not None else None
                result = list(live)
                index = {key_json(k): n for n, k in enumerate(live_keys) if k is not None}
                for entry, key in zip(applied, new_keys, strict=True):
                    assert key is not None
                    at = index.get(key_json(key))
                    if at is None:
                        result.append(clone(entry))
                    else:
                        result[at] = merge_applied(live[at], entry, item)
                return result
    return clone(applied)


def _prefixes(paths: Iterable[Path]) -> set[Path]:
    out: set[Path] = set()
    for p in paths:
        for i in range(1, len(p) + 1):
            out.add(p[:i])
    return out


def conflict_error(conflicts: list[tuple[Owner, Path]]) -> ApiError:
    # StatusCause's Go field is Type, but its JSON name is "reason" (apimachinery types.go).
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f"conflict with {o.describe()}",
            "field": fieldsets.path_str(p),
        }
        for o, p in conflicts
    ]
    if len(conflicts) == 1:
        owner, path = conflicts[0]
        text = f"conflict with {owner.describe()}: {fieldsets.path_str(path)}"
    else:
        by_owner: dict[str, list[str]] = {}
        for o, p in conflicts:
            by_owner.setdefault(o.describe(), []).append(fieldsets.path_str(p))
        lines = []
        for name in sorted(by_owner):
            lines.append(f"conflicts with {name}:")
            lines.extend(f"- {p}" for p in by_owner[name])
        text = "\n".join(lines)
    plural = "" if len(conflicts) == 1 else "s"
    return ApiError(
        409,
        "Conflict",
        f"Apply failed with {len(conflicts)} conflict{plural}: {text}",
        details={"causes": causes},
    )


def server_side_apply(
    live: KubeObject | None,
    applied: KubeObject,
    *,
    manager: str,
    force: bool,
    api_version: str,
    shape: Shape | None,
    part: str,
    subresource: str,
    now: str,
) -> KubeObject:
    """The object after ``manager`` applies ``applied`` (metadata already cleaned by the caller)."""
    new_fields = fieldsets.field_set(applied, shape, part)
    owners = owners_of(live)
    identity = (manager, "Apply", subresource)
    mine = next((o for o in owners if o.identity == identity), None)
    others = [o for o in owners if o.identity != identity]
    base = clone(live) if live else {}
    base.pop("metadata", None)
    meta = clone(live["metadata"]) if live else {}
    merged = merge_applied({**base, "metadata": meta}, applied, shape)

    conflicts: list[tuple[Owner, Path]] = []
    for other in others:
        for path in sorted(new_fields & other.fields):
            if path and path[-1][0] == "k":
                continue
            if fieldsets.get(live, path) != fieldsets.get(merged, path):
                conflicts.append((other, path))
    if conflicts and not force:
        raise conflict_error(conflicts)
    for other, path in conflicts:
        other.fields.discard(path)

    if mine is not None:
        guard = _prefixes(new_fields)
        for other in others:
            guard |= _prefixes(other.fields)
        doomed = {p for p in mine.fields - new_fields if p not in guard}
        for path in sorted(doomed, key=len):
            # Removing a list item removes its fields too; removing them first would lose its key.
            if not any(path[:i] in doomed for i in range(1, len(path))):
                fieldsets.remove(merged, path)
    # The time moves only when the object changed (an apply that changes nothing keeps it; a new
    # entry then has none), as the apiserver's managed-fields updater does.
    before = {k: v for k, v in (live or {}).items() if k != "metadata"}
    after = {k: v for k, v in merged.items() if k != "metadata"}
    changed = before != after or _meta(live) != _meta(merged)
    own = Owner(
        manager,
        "Apply",
        api_version,
        now if changed else (mine.time if mine else ""),
        subresource,
        new_fields,
    )
    result = [own if o.identity == identity else o for o in owners] if mine else [*owners, own]
    merged["metadata"]["managedFields"] = entries(result)
    return dict(merged)


def _meta(obj: KubeObject | None) -> dict[str, Any]:
    return {k: v for k, v in ((obj or {}).get("metadata") or {}).items() if k != "managedFields"}


def track_update(
    old: KubeObject | None,
    new: KubeObject,
    *,
    manager: str,
    api_version: str,
    shape: Shape | None,
    part: str,
    subresource: str,
    now: str,
    typed: bool = True,
) -> list[dict[str, Any]]:
    """managedFields after an Update by ``manager``: it owns what it changed (the leaves whose value
    changed, and every node it added, inner ones included); others lose what changed or went. A
    created object of a ``typed`` (built-in) kind starts from its Go type's zero value (`skeleton`);
    a custom resource from nothing."""
    new_all = fieldsets.field_set(new, shape, part, interior=True)
    zero = fieldsets.skeleton(shape, part) if old is None and typed else {}
    old_all = fieldsets.field_set(old, shape, part, interior=True) if old else set(zero)
    changed = new_all - old_all
    for path in fieldsets.field_set(new, shape, part) & old_all:
        before = zero[path] if old is None else fieldsets.get(old, path)
        if path[-1][0] not in ("k", "v") and before != fieldsets.get(new, path):
            changed.add(path)
    removed = old_all - new_all
    owners = owners_of(old)
    identity = (manager, "Update", subresource)
    for o in owners:
        o.fields -= changed
        o.fields -= removed
    mine = next((o for o in owners if o.identity == identity), None)
    if mine is not None:
        mine.fields |= changed
        if changed:
            mine.time = now
    elif changed:
        owners.append(Owner(manager, "Update", api_version, now, subresource, changed))
    return entries(owners)
