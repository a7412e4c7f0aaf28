"""Object lifecycles beyond plain writes: deletion with finalizers, namespace termination, CRDs, /scale.

- DELETE of an object with finalizers sets ``deletionTimestamp``; it disappears when the last finalizer
  is removed (operations.Api.commit). Without finalizers it goes at once and a Status is returned.
- Dependents named by ownerReferences are deleted after their owner (collector.py).
- A deleted Namespace turns ``Terminating`` (new content is refused) for ``namespace_delay`` seconds,
  then its contents are deleted, then the namespace itself.
- A created CRD becomes Established/NamesAccepted after ``crd_delay`` seconds and only then are its kinds
  served (discovery included); deleting it marks it (its clean-up finalizer), then its custom
  resources are deleted and it goes.
- ``/scale`` reads and writes ``spec.replicas`` through an autoscaling/v1 Scale.
Callers: server.py (HTTP verbs) and runner.py (wiring the CRD hook).
"""

from __future__ import annotations

import json
from typing import Any

from designer.sandbox import selectors
from designer.sandbox.collector import GarbageCollector
from designer.sandbox.defaults import CRD_FINALIZER
from designer.sandbox.operations import Api, now
from designer.sandbox.resources import ResourceType, crd_storage_key
from designer.sandbox.status import ApiError, bad_request, not_found, success
from designer.sandbox.store import KubeObject, clone

NS_KEY = ("", "namespaces")


class Lifecycle:
    """Deletion, namespaces, CRD establishment and the scale subresource on top of an `Api`."""

    def __init__(self, api: Api, *, crd_delay: float = 0.05, namespace_delay: float = 0.5) -> None:
        self.api = api
        self.crd_delay = crd_delay
        self.namespace_delay = namespace_delay
        """How long a deleted namespace stays Terminating before its contents go (a real namespace
        controller takes seconds; meanwhile creates in it are refused with 403)."""
        api.listeners.append(self._on_change)
        self.collector = GarbageCollector(api, lambda rt, ns, name: self.delete(rt, ns, name, dry_run=False))

    # -- delete ------------------------------------------------------------------------------------

    def delete(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        *,
        dry_run: bool,
        orphan: bool = False,
        preconditions: dict[str, Any] | None = None,
    ) -> KubeObject:
        """Delete now, or mark for deletion while finalizers remain; ``orphan`` keeps dependents."""
        api = self.api
        ns = namespace if rt.namespaced else ""
        old = api.store.get(rt.key, ns, name)
        if old is None:
            raise not_found(rt, name)
        _check_preconditions(rt, old, preconditions or {})
        if orphan and not dry_run:
            self.collector.orphan(old["metadata"].get("uid", ""))
        if rt.key == NS_KEY or old["metadata"].get("finalizers"):
            if old["metadata"].get("deletionTimestamp"):
                return api.view(rt, old)
            new = clone(old)
            new["metadata"]["deletionTimestamp"] = now()
            if rt.key != NS_KEY:
                new["metadata"]["deletionGracePeriodSeconds"] = 0
            if rt.key == NS_KEY:
                new.setdefault("status", {})["phase"] = "Terminating"
            result = self._mark(rt, old, new, dry_run)
            if rt.key == NS_KEY and not dry_run:
                api.schedule(self.namespace_delay, lambda: self._finalize_namespace(name))
            return result
        if dry_run:
            return success(rt, name, old["metadata"]["uid"])
        api.store.remove(rt.key, old)
        api.notify(rt, "DELETED", old)
        return success(rt, name, old["metadata"]["uid"])

    def _mark(self, rt: ResourceType, old: KubeObject, new: KubeObject, dry_run: bool) -> KubeObject:
        """Store a deletion mark without touching ownership (the apiserver does the same)."""
        if dry_run:
            return self.api.view(rt, new)
        new["metadata"]["resourceVersion"] = str(self.api.store.next_rv())
        self.api.store.put(rt.key, new, "MODIFIED")
        self.api.notify(rt, "MODIFIED", new)
        return self.api.view(rt, new)

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str | None,
        labels: str | None,
        fields: str | None,
        *,
        dry_run: bool,
    ) -> KubeObject:
        match = selectors.combine(selectors.label_selector(labels), selectors.field_selector(fields, rt.kind))
        items = self.api.store.objects(rt.key, namespace if rt.namespaced else None)
        deleted = []
        for obj in items:
            if match is None or match(obj):
                meta = obj["metadata"]
                self.delete(rt, meta.get("namespace", ""), meta["name"], dry_run=dry_run)
                deleted.append(self.api.item(rt, obj))
        return {
            "kind": f"{rt.kind}List",
            "apiVersion": rt.group_version,
            "metadata": {"resourceVersion": str(self.api.store.resource_version)},
            "items": deleted,
        }

    def _finalize_namespace(self, name: str) -> None:
        """Delete a terminating namespace's contents; drop it once empty (retries while finalizers hold)."""
        api = self.api
        with api.store.lock:
            namespace = api.store.get(NS_KEY, "", name)
            if namespace is None:
                return
            remaining = 0
            for key, obj in api.store.in_namespace(name):
                remaining += 1
                rt = self._type_for(key, obj)
                if rt is None:
                    api.store.remove(key, obj)
                elif not obj["metadata"].get("deletionTimestamp"):
                    self.delete(rt, name, obj["metadata"]["name"], dry_run=False)
            if remaining and any(True for _ in api.store.in_namespace(name)):
                api.schedule(0.05, lambda: self._finalize_namespace(name))
                return
            api.store.remove(NS_KEY, namespace)

    def _type_for(self, key: tuple[str, str], obj: KubeObject) -> ResourceType | None:
        return self.api.table.for_kind(obj.get("apiVersion", ""), obj.get("kind", ""))

    # -- CRDs --------------------------------------------------------------------------------------

    def _on_change(self, rt: ResourceType, event: str, obj: KubeObject) -> None:
        if rt.kind != "CustomResourceDefinition" or rt.group != "apiextensions.k8s.io":
            return
        name = obj["metadata"]["name"]
        if event == "DELETED":
            self.api.table.remove_crd(name)
            self.api.store.drop_resource(crd_storage_key(obj))
            return
        if obj["metadata"].get("deletionTimestamp"):
            if CRD_FINALIZER in (obj["metadata"].get("finalizers") or []):
                self.api.schedule(self.crd_delay, lambda: self._clean_up_crd(rt, name))
            return
        conditions = {c.get("type"): c.get("status") for c in (obj.get("status") or {}).get("conditions", [])}
        established = conditions.get("Established") == "True"
        if established and obj.get("status", {}).get("acceptedNames") == obj["spec"].get("names"):
            self.api.table.add_crd(obj)
            return
        self.api.schedule(self.crd_delay, lambda: self._establish(rt, name))

    def _clean_up_crd(self, rt: ResourceType, name: str) -> None:
        """A deleted CRD: stop serving its kinds, delete its custom resources, release its finalizer."""
        api = self.api
        with api.store.lock:
            crd = api.store.get(rt.key, "", name)
            if crd is None or CRD_FINALIZER not in (crd["metadata"].get("finalizers") or []):
                return
            api.table.remove_crd(name)
            api.store.drop_resource(crd_storage_key(crd))
            new = clone(crd)
            new["metadata"]["finalizers"] = [f for f in crd["metadata"]["finalizers"] if f != CRD_FINALIZER]
            api.commit(rt, crd, new, manager="kube-apiserver")

    def _establish(self, rt: ResourceType, name: str) -> None:
        api = self.api
        with api.store.lock:
            crd = api.store.get(rt.key, "", name)
            if crd is None or crd["metadata"].get("deletionTimestamp"):
                return
            api.table.add_crd(crd)
            spec = crd.get("spec", {})
            stamp = now()
            storage = [v["name"] for v in spec.get("versions", []) if v.get("storage")]
            status = {
                "acceptedNames": spec.get("names", {}),
                "conditions": [
                    {"type": t, "status": "True", "lastTransitionTime": stamp, "reason": r, "message": m}
                    for t, r, m in (
                        ("NamesAccepted", "NoConflicts", "no conflicts found"),
                        ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
                    )
                ],
                "storedVersions": storage,
            }
            new = clone(crd)
            new["status"] = status
            api.commit(rt, crd, new, manager="kube-apiserver", subresource="status")

    # -- scale -------------------------------------------------------------------------------------

    def get_scale(self, rt: ResourceType, namespace: str, name: str) -> KubeObject:
        obj = self.api.get(rt, namespace, name)
        meta = obj["metadata"]
        labels = (obj.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                k: meta[k]
                for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                if k in meta
            },
            "spec": {"replicas": obj.get("spec", {}).get("replicas", 0)},
            "status": {
                "replicas": (obj.get("status") or {}).get("replicas", 0),
                "selector": ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
            },
        }

    def write_scale(
        self, rt: ResourceType, namespace: str, name: str, scale: Any, *, manager: str, dry_run: bool
    ) -> KubeObject:
        """Set spec.replicas from a (patched) Scale; the manager is recorded with subresource "scale"."""
        if not isinstance(scale, dict) or not isinstance(scale.get("spec", {}).get("replicas"), int):
            raise bad_request("a Scale needs spec.replicas")
        old = self.api.store.get(rt.key, namespace if rt.namespaced else "", name)
        if old is None:
            raise not_found(rt, name)
        rv = scale.get("metadata", {}).get("resourceVersion")
        if rv and rv != old["metadata"].get("resourceVersion"):
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {rt.qualified} "{name}": the '
                "object has been modified; please apply your changes to the latest version and "
                "try again",
            )
        new = clone(old)
        new.setdefault("spec", {})["replicas"] = scale["spec"]["replicas"]
        self.api.commit(rt, old, new, manager=manager, dry_run=dry_run, subresource="scale")
        return (
            self.get_scale(rt, namespace, name)
            if not dry_run
            else {**self.get_scale(rt, namespace, name), "spec": {"replicas": scale["spec"]["replicas"]}}
        )


def _check_preconditions(rt: ResourceType, old: KubeObject, preconditions: dict[str, Any]) -> None:
    """A DELETE's uid and resourceVersion preconditions (409 Conflict naming both values)."""
    meta, name = old["metadata"], old["metadata"]["name"]
    checks = (
        ("uid", "UID", "deleted and then recreated"),
        ("resourceVersion", "ResourceVersion", "modified"),
    )
    for key, label, why in checks:
        wanted = preconditions.get(key)
        if wanted is not None and wanted != meta.get(key):
            details: dict[str, Any] = {"name": name, "kind": rt.kind}
            if rt.group:
                details["group"] = rt.group
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {rt.kind} "{name}": the {label} in the precondition '
                f"({wanted}) does not match the {label} in record ({meta.get(key)}). The object might "
                f"have been {why}",
                details=details,
            )


def scale_patch(scale: KubeObject, content_type: str, raw: bytes) -> KubeObject:
    """Apply a merge or JSON patch to a Scale (what `kubectl scale` sends)."""
    from designer.sandbox import patching

    body = json.loads(raw)
    if "json-patch" in content_type:
        result = patching.json_patch(scale, body)
    else:
        result = patching.merge_patch(scale, body)
    if not isinstance(result, dict):
        raise bad_request("a Scale patch must produce an object")
    return result
