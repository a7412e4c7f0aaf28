"""Live objects for the diff planner, read with one LIST per group instead of one GET per object.

A design usually holds many objects of one kind in one namespace (a mesh's CRs, an app's
ConfigMaps), and a GET per object doubled the planner's requests (GET + dry-run apply each). For
every (apiVersion, kind, namespace) group of at least `LIST_MIN_GROUP` objects the planner lists
the group once; smaller groups keep their GETs (a LIST of a busy namespace costs more than two
GETs). A cluster-scoped group is listed without a namespace.

A LIST is a snapshot at one resourceVersion while the dry runs come later, so each object's dry run
is checked against it (`matches`): a dry-run apply of an existing object returns that object's
current resourceVersion, of an absent one none. When they disagree (the object was created,
changed or deleted after the LIST) the planner reads the object again and redoes the dry run, which
is exactly the per-object GET path. resourceVersions are only compared for equality, never ordered
(they are opaque strings). A LIST that RBAC forbids falls back to GETs for its group. Inventory
objects that left the design are looked up in the snapshot too when their group was listed (no dry
run follows for them, so the LIST's answer is as good as a GET).
Callers: designer.diffing.planner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from designer.cluster import errors
from designer.cluster.base import Cluster
from designer.model import KubeObject, ObjectRef

LIST_MIN_GROUP = 3
"""Objects of one (apiVersion, kind, namespace) from which a LIST replaces their GETs."""

GroupKey = tuple[str, str, str | None]
Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], list[Any]]
"""An ordered (parallel) map: ``run(fn, items) -> [fn(item) ...]``."""


def group_of(ref: ObjectRef) -> GroupKey:
    """The LIST that would return ``ref``: (apiVersion, kind, namespace or None)."""
    return (ref.api_version, ref.kind, ref.namespace)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The listed groups: group -> {name: live object} (absent name: absent at LIST time)."""

    groups: dict[GroupKey, dict[str, KubeObject]] = field(default_factory=dict)

    def lookup(self, ref: ObjectRef) -> tuple[bool, KubeObject | None]:
        """(whether ``ref``'s group was listed, the listed object or None)."""
        listed = self.groups.get(group_of(ref))
        if listed is None:
            return False, None
        return True, listed.get(ref.name)


def take(cluster: Cluster, refs: Iterable[ObjectRef], run: Mapper) -> Snapshot:
    """List every group of at least `LIST_MIN_GROUP` of ``refs``; ``run(fn, items)`` maps in parallel."""
    counts = Counter(group_of(ref) for ref in refs)
    wanted = [key for key, count in counts.items() if count >= LIST_MIN_GROUP]
    results = run(lambda key: _list_group(cluster, key), wanted)
    groups: dict[GroupKey, dict[str, KubeObject]] = {}
    for key, listed in zip(wanted, results, strict=True):
        if isinstance(listed, dict):
            groups[key] = listed
    return Snapshot(groups)


def _list_group(cluster: Cluster, key: GroupKey) -> dict[str, KubeObject] | None:
    api_version, kind, namespace = key
    try:
        items = cluster.list(api_version, kind, namespace=namespace)
    except errors.ForbiddenError:
        return None  # RBAC may grant get without list: this group is read object by object
    return {str(item["metadata"]["name"]): item for item in items}


def matches(listed: KubeObject | None, predicted: KubeObject) -> bool:
    """Whether the dry run ran against the listed state (same resourceVersion, or absent in both)."""
    predicted_rv = str((predicted.get("metadata") or {}).get("resourceVersion") or "")
    if listed is None:
        return predicted_rv == ""
    listed_rv = str((listed.get("metadata") or {}).get("resourceVersion") or "")
    return predicted_rv != "" and predicted_rv == listed_rv
