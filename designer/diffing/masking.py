"""Secret masking, the way kubectl diff does it: values never leave designer in any output.

A ``data`` value is shown as ``***`` when it exists on one side only or is equal on both, and as
``*** (before)`` / ``*** (after)`` when it changed, so a reader sees *that* a key changed without
seeing either value. `mask_pair` masks two whole bodies (for the YAML diff); `mask_change` masks one
field-level change (for the Plan). Used by `designer.diffing.comparing` and `designer.diffing.text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MASK = "***"
MASK_BEFORE = "*** (before)"
MASK_AFTER = "*** (after)"
_SECRET_FIELDS = ("data", "stringData")


def is_secret(body: Mapping[str, Any] | None) -> bool:
    """True for core v1 Secrets."""
    return body is not None and body.get("kind") == "Secret" and body.get("apiVersion") == "v1"


def mask_pair(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Copies of two Secret bodies (either may be None) with their values masked."""
    before = dict(before) if before is not None else None
    after = dict(after) if after is not None else None
    for field in _SECRET_FIELDS:
        old = (before or {}).get(field)
        new = (after or {}).get(field)
        old_map: Mapping[str, Any] = old if isinstance(old, Mapping) else {}
        new_map: Mapping[str, Any] = new if isinstance(new, Mapping) else {}
        old_masked = {
            k: MASK_BEFORE if k in new_map and new_map[k] != v else MASK for k, v in old_map.items()
        }
        new_masked = {k: MASK_AFTER if k in old_map and old_map[k] != v else MASK for k, v in new_map.items()}
        if before is not None and old is not None:
            before[field] = old_masked
        if after is not None and new is not None:
            after[field] = new_masked
    return before, after


def mask_change(path: tuple[Any, ...], before: Any, after: Any) -> tuple[Any, Any]:
    """Masked ``before``/``after`` for a change at ``path`` of a Secret (None stays None)."""
    if not path or path[0] not in _SECRET_FIELDS:
        return before, after
    if len(path) == 1:  # the whole map was added or removed
        return _mask_values(before), _mask_values(after)
    if before is not None and after is not None:
        return MASK_BEFORE, MASK_AFTER
    return (MASK if before is not None else None), (MASK if after is not None else None)


def _mask_values(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict.fromkeys(value, MASK)
    return None if value is None else MASK
