"""Garbage collection by ownerReferences: dependents go when their last owner is deleted.

Like the real garbage collector with background propagation: once an owner is gone, every object
whose ``ownerReferences`` name its uid and no other live owner is deleted (finalizers still apply).
``propagationPolicy: Orphan`` on the owner's DELETE keeps its dependents and removes their reference
to it. An index from owner
uid to dependents keeps this free of scans. It follows the store's own change events, so objects
removed without an API call (a CRD's custom resources, a finalized namespace's leftovers) count as
gone too. Wired by lifecycle.py.
"""

from __future__ import annotations

from collections.abc import Callable

from designer.sandbox.operations import Api
from designer.sandbox.resources import ResourceType
from designer.sandbox.store import StoreKey, WatchEvent, clone

Dependent = tuple[StoreKey, str, str]
MANAGER = "kube-controller-manager"
Deleter = Callable[[ResourceType, str, str], object]


class GarbageCollector:
    """Deletes dependents of deleted owners (background propagation)."""

    def __init__(self, api: Api, delete: Deleter) -> None:
        self.api = api
        self._delete = delete
        self._dependents: dict[str, set[Dependent]] = {}
        self._orphaned: set[str] = set()
        self._uids: dict[str, Dependent] = {}
        api.store.subscribe(self._on_event)

    def orphan(self, uid: str) -> None:
        """The owner with ``uid`` is being deleted with propagationPolicy Orphan."""
        self._orphaned.add(uid)

    def _on_event(self, event: WatchEvent) -> None:
        meta = event.obj["metadata"]
        me = (event.key, meta.get("namespace", ""), meta["name"])
        uid = meta.get("uid", "")
        if event.type == "DELETED":
            self._uids.pop(uid, None)
            if uid in self._orphaned:
                self._orphaned.discard(uid)
                orphans = self._dependents.pop(uid, set())
                self.api.schedule(0.0, lambda: self._release(uid, orphans))
            elif uid in self._dependents:
                self.api.schedule(0.0, lambda: self._collect(uid))
            return
        self._uids[uid] = me
        for ref in meta.get("ownerReferences") or []:
            if ref.get("uid"):
                self._dependents.setdefault(ref["uid"], set()).add(me)

    def _release(self, owner_uid: str, dependents: set[Dependent]) -> None:
        """Orphaned dependents lose their reference to the deleted owner (the collector's patch)."""
        with self.api.store.lock:
            for key, namespace, name in sorted(dependents):
                obj = self.api.store.get(key, namespace, name)
                rt = self.api.table.for_kind(obj.get("apiVersion", ""), obj.get("kind", "")) if obj else None
                if obj is None or rt is None:
                    continue
                refs = obj["metadata"].get("ownerReferences") or []
                kept = [r for r in refs if r.get("uid") != owner_uid]
                if len(kept) == len(refs):
                    continue
                new = clone(obj)
                if kept:
                    new["metadata"]["ownerReferences"] = kept
                else:
                    new["metadata"].pop("ownerReferences", None)
                self.api.commit(rt, obj, new, manager=MANAGER)

    def _collect(self, owner_uid: str) -> None:
        with self.api.store.lock:
            for key, namespace, name in sorted(self._dependents.pop(owner_uid, set())):
                obj = self.api.store.get(key, namespace, name)
                if obj is None:
                    continue
                refs = [r.get("uid") for r in obj["metadata"].get("ownerReferences") or []]
                if owner_uid not in refs or any(r in self._uids for r in refs if r != owner_uid):
                    continue
                rt = self.api.table.for_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
                if rt is not None and not obj["metadata"].get("deletionTimestamp"):
                    self._delete(rt, namespace, name)
