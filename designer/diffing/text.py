"""The kubectl-diff-style unified YAML diff of one plan step.

Both sides are normalized the way `designer.diffing.comparing` sees them (server-owned fields and
status dropped, quantities aligned, lists in their original order), Secret values masked, and
dumped as YAML with sorted keys; the headers name the object like kubectl's temp files
(``<group>.<version>.<Kind>.<namespace>.<name>`` under ``LIVE/`` and ``MERGED/``), so the output
reads like ``kubectl diff``. Callers: `designer.cli.diff`.
"""

from __future__ import annotations

import difflib
from typing import Any

import yaml

from designer.diffing import masking
from designer.diffing.normalizing import align_quantities, normalize, project, unkey
from designer.model import KubeObject, ObjectRef
from designer.planning import Action, Step


def object_file_name(ref: ObjectRef) -> str:
    """kubectl diff's file name for an object: group omitted for the core group."""
    group, _, version = ref.api_version.rpartition("/")
    parts = [group, version, ref.kind, ref.namespace or "", ref.name]
    return ".".join(p for p in parts if p)


def sides(step: Step) -> tuple[KubeObject | None, KubeObject | None]:
    """The (live, merged) bodies as compared for ``step``, normalized and masked."""
    after_body = step.predicted if step.predicted is not None else step.desired
    if step.action is Action.DELETE:
        after_body = None
    before = normalize(step.live) if step.live is not None else None
    after = normalize(after_body) if after_body is not None else None
    if before is not None and after is not None:
        if step.predicted is None:  # local comparison: only what the design sets
            before = project(before, after)
        align_quantities(before, after, kind=step.ref.kind)
    before_plain: KubeObject | None = unkey(before) if before is not None else None
    after_plain: KubeObject | None = unkey(after) if after is not None else None
    if masking.is_secret(step.live) or masking.is_secret(after_body):
        before_plain, after_plain = masking.mask_pair(before_plain, after_plain)
    return before_plain, after_plain


def unified_diff(step: Step, *, context: int = 3) -> str:
    """The unified diff of ``step`` (empty for a noop)."""
    if step.action is Action.NOOP:
        return ""
    before, after = sides(step)
    name = object_file_name(step.ref)
    lines = difflib.unified_diff(
        _yaml_lines(before),
        _yaml_lines(after),
        fromfile=f"LIVE/{name}",
        tofile=f"MERGED/{name}",
        n=context,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _yaml_lines(body: Any) -> list[str]:
    if body is None:
        return []
    text = yaml.safe_dump(body, sort_keys=True, default_flow_style=False, allow_unicode=True)
    return text.splitlines(keepends=True)
