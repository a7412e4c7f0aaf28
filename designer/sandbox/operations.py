"""The emulated API's reads (get, list) and its one write path; the write verbs are in writes.py.

Every write ends in `Api.commit`, which fills server metadata (uid, creationTimestamp, generation,
resourceVersion), refuses what a typed decoding would and drops unknown fields (fieldcheck.py), applies defaults, validates, skips no-op writes (same object, same owners: the
resourceVersion stays), honours dryRun (returns the prediction, stores nothing) and tells listeners
(CRD establishment, controllers). Deletion, finalizers and namespaces live in lifecycle.py.
Callers: server.py (HTTP), writes.py, lifecycle.py, controllers.py and runner.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import yaml

from designer.kubetypes import shapes
from designer.sandbox import apply, crdschema, fieldcheck, requestoptions, selectors, validation
from designer.sandbox.defaults import IpAllocator, apply_defaults, prepare
from designer.sandbox.resources import ResourceTable, ResourceType
from designer.sandbox.status import (
    ApiError,
    bad_request,
    invalid,
    namespace_not_found,
    not_found,
)
from designer.sandbox.store import KubeObject, Store, clone

Listener = Callable[[ResourceType, str, KubeObject], None]
Scheduler = Callable[[float, Callable[[], None]], None]

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
UNTRACKED_META = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _immediately(delay: float, fn: Callable[[], None]) -> None:
    fn()


def without_times(entries: Any) -> Any:
    return [{k: v for k, v in e.items() if k != "time"} for e in entries or []]


def same_object(a: KubeObject, b: KubeObject) -> bool:
    """Equal apart from resourceVersion and managedFields timestamps: a write would be a no-op."""
    if {k: v for k, v in a.items() if k != "metadata"} != {k: v for k, v in b.items() if k != "metadata"}:
        return False
    ma, mb = a.get("metadata", {}), b.get("metadata", {})
    skip = ("resourceVersion", "managedFields")
    if {k: v for k, v in ma.items() if k not in skip} != {k: v for k, v in mb.items() if k not in skip}:
        return False
    return bool(without_times(ma.get("managedFields")) == without_times(mb.get("managedFields")))


def _spec_changed(a: KubeObject, b: KubeObject) -> bool:
    skip = ("metadata", "status")
    return {k: v for k, v in a.items() if k not in skip} != {k: v for k, v in b.items() if k not in skip}


def parse_body(raw: bytes, content_type: str) -> Any:
    try:
        return fieldcheck.loads(raw)
    except ValueError:
        if content_type in (MERGE, STRATEGIC):
            raise bad_request("invalid JSON patch") from None
        if content_type != APPLY:
            raise bad_request("the request body is not valid JSON") from None
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise bad_request(f"error decoding YAML: {exc}") from exc


class Api:
    """The emulated API: a resource table, a store and the write pipeline."""

    def __init__(self, store: Store, table: ResourceTable, *, schedule: Scheduler | None = None) -> None:
        self.store = store
        self.table = table
        self.ips = IpAllocator()
        self.schedule: Scheduler = schedule or _immediately
        self.listeners: list[Listener] = []
        ns = table.lookup("", "v1", "namespaces")
        assert ns is not None
        for name in ("default", "kube-system", "kube-public", "kube-node-lease"):
            self.commit(
                ns,
                None,
                {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
                manager="kube-apiserver",
            )

    # -- reads -------------------------------------------------------------------------------------

    @staticmethod
    def view(rt: ResourceType, obj: KubeObject) -> KubeObject:
        """The object as served at ``rt``'s version (custom resources are stored once for all versions)."""
        if obj.get("apiVersion") != rt.group_version:
            return {**obj, "apiVersion": rt.group_version}
        return obj

    def get(self, rt: ResourceType, namespace: str, name: str) -> KubeObject:
        obj = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if obj is None:
            raise not_found(rt, name)
        return self.view(rt, obj)

    def list(
        self, rt: ResourceType, namespace: str | None, labels: str | None = None, fields: str | None = None
    ) -> KubeObject:
        match = selectors.combine(selectors.label_selector(labels), selectors.field_selector(fields, rt.kind))
        with self.store.lock:
            items = self.store.objects(rt.key, namespace if rt.namespaced else None)
            rv = self.store.resource_version
        if match is not None:
            items = [o for o in items if match(o)]
        return {
            "kind": f"{rt.kind}List",
            "apiVersion": rt.group_version,
            "metadata": {"resourceVersion": str(rv)},
            "items": [self.item(rt, o) for o in items],
        }

    def item(self, rt: ResourceType, obj: KubeObject) -> KubeObject:
        """An object as a list shows it: built-in kinds' items carry no kind and apiVersion (their
        typed list does not repeat them); custom resources' items do."""
        if not rt.builtin:
            return self.view(rt, obj)
        return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}

    # -- the write path ----------------------------------------------------------------------------

    def commit(
        self,
        rt: ResourceType,
        old: KubeObject | None,
        new: KubeObject,
        *,
        manager: str,
        dry_run: bool = False,
        subresource: str = "",
        track: bool = True,
        applied: bool = False,
    ) -> KubeObject:
        """Finish and store ``new`` (replacing ``old``); returns what the client sees. ``applied``:
        ``new`` is a server-side apply's merged object, whose nulls were not decoded away (a custom
        resource's schema refuses them where it neither allows nor defaults them)."""
        new = fieldcheck.check(rt, new, name=str((new.get("metadata") or {}).get("name", "")))
        meta = new.setdefault("metadata", {})
        new["apiVersion"], new["kind"] = rt.group_version, rt.kind
        if old is not None:
            old_meta = old["metadata"]
            for key in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
                if key in old_meta:
                    meta[key] = old_meta[key]
                else:
                    meta.pop(key, None)
        else:
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now()
            for key in ("deletionTimestamp", "deletionGracePeriodSeconds"):
                meta.pop(key, None)
        if subresource != "status" and "status" in rt.subresources:
            if old is not None and "status" in old:
                new["status"] = clone(old["status"])
            else:
                new.pop("status", None)
        if rt.kind == "Service" and rt.builtin and old is not None:
            self._keep_cluster_ip(old, new)
        if rt.builtin:
            shapes.fill_zero(new, rt.shape)
            apply_defaults(rt.kind, new, self.ips)
        else:
            crdschema.apply_defaults(new, rt.openapi, prune_nulls=not applied)
        if track and not rt.builtin and not fieldcheck.fits_typed(rt, new):
            meta.pop("managedFields", None)  # kube-apiserver's field manager gives up on such an object
        elif track:
            part = "status" if subresource == "status" else ("main" if "status" in rt.subresources else "all")
            meta["managedFields"] = apply.track_update(
                old,
                new,
                manager=manager,
                api_version=rt.group_version,
                shape=rt.shape,
                part=part,
                subresource=subresource,
                now="" if subresource == "scale" else now(),  # the scale subresource records no time
                typed=rt.builtin,
            )
        if not meta.get("managedFields"):
            meta.pop("managedFields", None)
        if rt.builtin:
            prepare(rt.kind, new, self.ips, creating=old is None)
            if rt.kind == "Pod" and old is None:
                self._require_service_account(rt, new)
        validation.validate(rt, new)
        if not rt.builtin and requestoptions.current() is not None:  # a request's, not a controller's write
            if subresource == "status":
                causes = crdschema.validate_status(new, rt.openapi)
            else:
                causes = crdschema.validate(new, rt.openapi)
            if causes:
                raise invalid(rt, str(meta.get("name", "")), crdschema.with_cel_note(causes, rt.cel_rules))
        if not rt.builtin:
            crdschema.store_numbers(new)
        if old is not None:
            validation.validate_update(rt, old, new)
        if rt.generation:
            previous = int(old["metadata"].get("generation", 1)) if old is not None else 0
            meta["generation"] = previous + 1 if old is None or _spec_changed(old, new) else previous
        if old is not None and same_object(old, new):
            return self.view(rt, old)
        if dry_run:
            if old is not None:
                meta["resourceVersion"] = old["metadata"].get("resourceVersion", "")
            else:
                meta.pop("resourceVersion", None)
            return self.view(rt, new)
        meta["resourceVersion"] = str(self.store.next_rv())
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self.store.remove(rt.key, new)
            self.notify(rt, "DELETED", new)
            return self.view(rt, new)
        self.store.put(rt.key, new, "ADDED" if old is None else "MODIFIED")
        self.notify(rt, "ADDED" if old is None else "MODIFIED", new)
        return self.view(rt, new)

    def notify(self, rt: ResourceType, event: str, obj: KubeObject) -> None:
        for listener in self.listeners:
            listener(rt, event, obj)

    def _require_service_account(self, rt: ResourceType, pod: KubeObject) -> None:
        """The ServiceAccount admission plugin refuses a Pod whose account does not exist. ``default``
        is taken as present (a real namespace gets it from a controller a moment after creation)."""
        account = str((pod.get("spec") or {}).get("serviceAccountName") or "default")
        namespace, name = pod["metadata"].get("namespace", ""), pod["metadata"].get("name", "")
        if account == "default" or self.store.get(("", "serviceaccounts"), namespace, account) is not None:
            return
        raise ApiError(
            403,
            "Forbidden",
            f'{rt.plural} "{name}" is forbidden: error looking up service account {namespace}/{account}: '
            f'serviceaccount "{account}" not found',
            details={"name": name, "kind": rt.plural},
        )

    @staticmethod
    def _keep_cluster_ip(old: KubeObject, new: KubeObject) -> None:
        """A PUT without clusterIP keeps the allocated one (as the real registry does)."""
        old_spec, new_spec = old.get("spec") or {}, new.get("spec")
        if isinstance(new_spec, dict) and not new_spec.get("clusterIP") and old_spec.get("clusterIP"):
            new_spec["clusterIP"] = old_spec["clusterIP"]
            new_spec.setdefault("clusterIPs", old_spec.get("clusterIPs", [old_spec["clusterIP"]]))

    # -- verbs -------------------------------------------------------------------------------------

    def check_body(self, rt: ResourceType, namespace: str, body: Any, name: str | None = None) -> KubeObject:
        if not isinstance(body, dict):
            raise bad_request("the body of the request must be a JSON object")
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if api_version and api_version != rt.group_version:
            raise bad_request(
                f"the API version in the data ({api_version}) does not match the expected "
                f"API version ({rt.group_version})"
            )
        if kind and kind != rt.kind:
            sent = str(api_version or rt.group_version).rpartition("/")[2]
            internal = rt.group.split(".")[0] if rt.group else "core"
            raise bad_request(
                f'{kind} in version "{sent}" cannot be handled as a {rt.kind}: '
                f"converting ({sent}.{kind}) to ({internal}.{rt.kind}): unknown conversion"
            )
        meta = body.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise bad_request("metadata must be an object")
        if rt.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if name is not None and meta.get("name", name) != name:
            raise bad_request(
                f"the name of the object ({meta.get('name')}) does not match the name on the URL ({name})"
            )
        if name is not None:
            meta["name"] = name
        return body

    def require_namespace(self, rt: ResourceType, namespace: str, name: str) -> None:
        if not rt.namespaced:
            return
        ns = self.store.get(("", "namespaces"), "", namespace)
        if ns is None:
            raise namespace_not_found(namespace)
        if ns["metadata"].get("deletionTimestamp"):
            details: dict[str, Any] = {"name": name}
            if rt.group:
                details["group"] = rt.group
            details["kind"] = rt.plural
            details["causes"] = [
                {
                    "reason": "NamespaceTerminating",
                    "message": f"namespace {namespace} is being terminated",
                    "field": "metadata.namespace",
                }
            ]
            raise ApiError(
                403,
                "Forbidden",
                f'{rt.qualified} "{name}" is forbidden: unable to create new content in '
                f"namespace {namespace} because it is being terminated",
                details=details,
            )

    def live(self, rt: ResourceType, namespace: str, name: str) -> KubeObject:
        obj = self.store.get(rt.key, namespace if rt.namespaced else "", name)
        if obj is None:
            raise not_found(rt, name)
        return obj
