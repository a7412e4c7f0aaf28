"""``--inventory-context``: the cluster objects Gatekeeper would have synced, read from a live cluster.

Gatekeeper replicates into ``data.inventory`` only the kinds its sync configuration names, so designer
reads exactly those, with one LIST (all namespaces) per kind and nothing else besides discovery:

1. a Gatekeeper ``Config`` (``config.gatekeeper.sh``, ``spec.sync.syncOnly``) or ``SyncSet``
   (``syncset.gatekeeper.sh``, ``spec.gvks``) given with ``--policy`` is what a cluster running
   Gatekeeper syncs, so when there is one, its kinds are read (the Config's ``spec.match``
   ``excludedNamespaces`` for the ``sync`` process are left out, as Gatekeeper leaves them out);
2. otherwise the kinds the templates in use declare in ``metadata.gatekeeper.sh/requires-sync-data``
   (Gatekeeper's own record of what a referential template reads; the library's referential templates
   carry it). A requirement lists equivalent kinds (Ingress in ``extensions/v1beta1`` or
   ``networking.k8s.io/v1``): the first the server serves is read.

Templates that read ``data.inventory`` but declare nothing, and requirements the sync configuration
does not cover (what ``gator sync test`` reports), are noted in the report rather than guessed at.

Callers: designer.cli.inventory (``design validate --inventory-context``).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from designer.cluster.base import Cluster
from designer.cluster.errors import NotFoundError
from designer.model import KubeObject
from designer.policy.gatekeeper import CONFIG_GROUP, SYNCSET_GROUP, Template

SYNC_ANNOTATION = "metadata.gatekeeper.sh/requires-sync-data"


@dataclass(frozen=True, slots=True, order=True)
class GVK:
    """A group, version and kind, as Gatekeeper's sync configuration names them."""

    group: str
    version: str
    kind: str

    @property
    def api_version(self) -> str:
        """``group/version``, or ``version`` for the core group."""
        return f"{self.group}/{self.version}" if self.group else self.version

    def __str__(self) -> str:
        return f"{self.api_version}:{self.kind}"


@dataclass(slots=True)
class SyncConfig:
    """What a Gatekeeper Config or SyncSet says to sync, and the namespaces the Config keeps out."""

    gvks: list[GVK] = field(default_factory=list)
    excluded_namespaces: list[str] = field(default_factory=list)

    @classmethod
    def from_documents(cls, docs: Iterable[Mapping[str, Any]]) -> SyncConfig:
        """The union of the Config and SyncSet documents given with ``--policy``."""
        config = cls()
        for doc in docs:
            group = str(doc.get("apiVersion", "")).partition("/")[0]
            spec = doc.get("spec") or {}
            if group == CONFIG_GROUP:
                config.gvks.extend(_gvk(entry) for entry in (spec.get("sync") or {}).get("syncOnly") or [])
                for entry in spec.get("match") or []:
                    processes = entry.get("processes") or []
                    if "*" in processes or "sync" in processes:
                        config.excluded_namespaces.extend(
                            str(n) for n in entry.get("excludedNamespaces") or []
                        )
            elif group == SYNCSET_GROUP:
                config.gvks.extend(_gvk(entry) for entry in spec.get("gvks") or [])
        return config

    def excludes(self, obj: Mapping[str, Any]) -> bool:
        """Whether the Config keeps ``obj``'s namespace out of the sync (``prefix*`` / ``*suffix`` globs)."""
        namespace = str((obj.get("metadata") or {}).get("namespace") or "")
        return bool(namespace) and any(fnmatch.fnmatchcase(namespace, p) for p in self.excluded_namespaces)


def parse_requirements(text: str) -> list[list[GVK]]:
    """The requirements of a ``requires-sync-data`` annotation: each a list of equivalent kinds.

    The value is JSON, often wrapped in one more pair of quotes (the library writes ``"[...]"``),
    which Gatekeeper accepts too. Raises ValueError when it is not that shape.
    """
    body = text.strip()
    if len(body) >= 2 and body[0] == body[-1] == '"':
        body = body[1:-1]
    parsed = json.loads(body)
    if not isinstance(parsed, list):
        raise ValueError("the annotation must be a list of requirements")
    requirements: list[list[GVK]] = []
    for requirement in parsed:
        if not isinstance(requirement, list):
            raise ValueError("each requirement must be a list of {groups, versions, kinds} clauses")
        choices: list[GVK] = []
        for clause in requirement:
            if not isinstance(clause, dict):
                raise ValueError("each clause must be a mapping with groups, versions and kinds")
            for group in clause.get("groups") or [""]:
                for version in clause.get("versions") or []:
                    for kind in clause.get("kinds") or []:
                        gvk = GVK(str(group), str(version), str(kind))
                        if gvk not in choices:
                            choices.append(gvk)
        if choices:
            requirements.append(choices)
    return requirements


@dataclass(slots=True)
class SyncPlan:
    """The kinds to read, each with its alternatives (the first served one is read), and notes."""

    reads: list[list[GVK]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_sync(templates: Iterable[Template], config: SyncConfig) -> SyncPlan:
    """What to read for the templates in use, given the sync configuration (may be empty)."""
    plan = SyncPlan()
    declared: list[tuple[Template, list[list[GVK]]]] = []
    for template in templates:
        text = (template.annotations or {}).get(SYNC_ANNOTATION)
        if text is None:
            if template.reads_inventory:
                plan.notes.append(
                    f"{template.file}: template {template.kind} reads data.inventory but declares no "
                    f"{SYNC_ANNOTATION}; nothing is read from the cluster for it (add the annotation, or "
                    "a Gatekeeper Config with spec.sync.syncOnly to --policy)"
                )
            continue
        try:
            declared.append((template, parse_requirements(str(text))))
        except ValueError as exc:
            plan.notes.append(
                f"{template.file}: template {template.kind}: {SYNC_ANNOTATION} is unreadable: {exc}"
            )
    if config.gvks:
        synced = set(config.gvks)
        plan.reads = [[gvk] for gvk in dict.fromkeys(config.gvks)]
        for template, requirements in declared:
            for choices in requirements:
                if not synced.intersection(choices):
                    alternatives = " or ".join(str(c) for c in choices)
                    plan.notes.append(
                        f"{template.file}: template {template.kind} requires {alternatives}, "
                        "which the Gatekeeper sync configuration does not sync"
                    )
        return plan
    for _template, requirements in declared:
        for choices in requirements:
            if choices not in plan.reads:
                plan.reads.append(choices)
    return plan


def read_live(cluster: Cluster, plan: SyncPlan, config: SyncConfig) -> tuple[list[KubeObject], list[str]]:
    """The objects of each planned kind (one LIST per kind), and notes on kinds the server lacks."""
    objects: list[KubeObject] = []
    notes: list[str] = []
    listed: set[GVK] = set()
    for choices in plan.reads:
        served = _first_served(cluster, choices)
        if served is None:
            notes.append(
                f"the cluster serves none of {' or '.join(str(c) for c in choices)}; "
                "data.inventory has none of them"
            )
            continue
        if served in listed:
            continue
        listed.add(served)
        items = cluster.list(served.api_version, served.kind)
        objects.extend(item for item in items if not config.excludes(item))
    return objects, notes


def _first_served(cluster: Cluster, choices: Sequence[GVK]) -> GVK | None:
    for gvk in choices:
        try:
            cluster.resource_info(gvk.api_version, gvk.kind)
        except NotFoundError as exc:
            if exc.missing == "kind":
                continue
            raise
        return gvk
    return None


def _gvk(entry: Any) -> GVK:
    entry = entry if isinstance(entry, Mapping) else {}
    return GVK(str(entry.get("group") or ""), str(entry.get("version") or ""), str(entry.get("kind") or ""))
