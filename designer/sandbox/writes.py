"""The write verbs of the emulated API: create (POST), replace (PUT), patch (PATCH) and server-side apply.

Each one checks its request (body shape, namespace, preconditions, fieldManager), computes the new
object (patching.py / apply.py) and hands it to `Api.commit`, which finishes and stores it.
Callers: server.py.
"""

from __future__ import annotations

import secrets
from typing import Any

from designer.sandbox import apply, fieldcheck, patching, validation
from designer.sandbox.operations import (
    APPLY,
    JSON_PATCH,
    MERGE,
    STRATEGIC,
    UNTRACKED_META,
    Api,
    now,
    parse_body,
    without_times,
)
from designer.sandbox.requestoptions import invalid_option
from designer.sandbox.resources import ResourceType
from designer.sandbox.status import already_exists, bad_request, stale, unsupported_media
from designer.sandbox.store import KubeObject, clone


def create(
    api: Api, rt: ResourceType, namespace: str, body: Any, *, manager: str, dry_run: bool
) -> KubeObject:
    body = api.check_body(rt, namespace, body)
    meta = body["metadata"]
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = f"{meta['generateName']}{secrets.token_hex(3)[:5]}"
    name = meta.get("name", "")
    validation.validate_name(rt, name)
    api.require_namespace(rt, namespace, name)
    if api.store.get(rt.key, namespace if rt.namespaced else "", name) is not None:
        raise already_exists(rt, name)
    for key in UNTRACKED_META:
        meta.pop(key, None)
    explicit = "managedFields" in meta
    return api.commit(rt, None, body, manager=manager, dry_run=dry_run, track=not explicit)


def replace(
    api: Api,
    rt: ResourceType,
    namespace: str,
    name: str,
    body: Any,
    *,
    manager: str,
    dry_run: bool,
    subresource: str = "",
) -> KubeObject:
    old = api.live(rt, namespace, name)
    body = api.check_body(rt, namespace, body, name)
    rv = body["metadata"].get("resourceVersion")
    if rv and rv != old["metadata"].get("resourceVersion"):
        raise stale(rt, name)
    if subresource == "status":
        new = clone(old)
        new["status"] = body.get("status")
    else:
        new = body
    return _update(api, rt, old, new, manager=manager, dry_run=dry_run, subresource=subresource)


def _update(
    api: Api,
    rt: ResourceType,
    old: KubeObject,
    new: KubeObject,
    *,
    manager: str,
    dry_run: bool,
    subresource: str,
) -> KubeObject:
    explicit = "managedFields" in new.get("metadata", {}) and (
        without_times(new["metadata"]["managedFields"]) != without_times(old["metadata"].get("managedFields"))
    )
    if not explicit and old["metadata"].get("managedFields"):
        new.setdefault("metadata", {})["managedFields"] = old["metadata"]["managedFields"]
    return api.commit(
        rt, old, new, manager=manager, dry_run=dry_run, subresource=subresource, track=not explicit
    )


def patch(
    api: Api,
    rt: ResourceType,
    namespace: str,
    name: str,
    content_type: str,
    raw: bytes,
    *,
    manager: str | None,
    force: bool,
    dry_run: bool,
    subresource: str = "",
) -> tuple[int, KubeObject]:
    """Apply one PATCH; returns (HTTP status, object): 201 when an apply created the object."""
    content_type = content_type.split(";")[0].strip()
    if content_type == APPLY:
        return server_side_apply(
            api,
            rt,
            namespace,
            name,
            parse_body(raw, APPLY),
            manager=manager,
            force=force,
            dry_run=dry_run,
            subresource=subresource,
        )
    if force:
        raise invalid_option(
            "PATCH", "force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch"
        )
    if content_type not in (MERGE, JSON_PATCH, STRATEGIC) or (content_type == STRATEGIC and not rt.builtin):
        raise unsupported_media(content_type, strategic=rt.builtin)
    patch = parse_body(raw, content_type)
    old = api.live(rt, namespace, name)
    if content_type == MERGE:
        new = patching.merge_patch(old, patch)
    elif content_type == JSON_PATCH:
        new = patching.json_patch(old, patch)
    else:
        new = patching.strategic_merge(old, patch, rt.shape)
    if not isinstance(new, dict):
        raise bad_request("the patched object is not a JSON object")
    new = clone(new)
    rv = (new.get("metadata") or {}).get("resourceVersion")
    if rv and rv != old["metadata"].get("resourceVersion"):
        raise stale(rt, name)
    if subresource == "status":
        status = new.get("status")
        new = clone(old)
        new["status"] = status
    api.check_body(rt, namespace, new, name)
    return 200, _update(
        api, rt, old, new, manager=manager or "unknown", dry_run=dry_run, subresource=subresource
    )


def server_side_apply(
    api: Api,
    rt: ResourceType,
    namespace: str,
    name: str,
    body: Any,
    *,
    manager: str | None,
    force: bool,
    dry_run: bool,
    subresource: str = "",
) -> tuple[int, KubeObject]:
    if not manager:
        raise invalid_option(
            "PATCH", "fieldManager", "FieldValueRequired", "Required value: is required for apply patch"
        )
    if not isinstance(body, dict):
        raise bad_request("the applied configuration must be an object")
    if body.get("apiVersion") != rt.group_version or body.get("kind") != rt.kind:
        group, _, version = str(body.get("apiVersion") or "").rpartition("/")
        raise bad_request(f"invalid object type: {group}/{version}, Kind={body.get('kind') or ''}")
    if (body.get("metadata") or {}).get("managedFields") is not None:
        raise bad_request("metadata.managedFields must be nil")
    given_namespace = str((body.get("metadata") or {}).get("namespace") or "")
    body = api.check_body(rt, namespace, clone(body), name)
    old = api.store.get(rt.key, namespace if rt.namespaced else "", name)
    meta = body["metadata"]
    rv = meta.get("resourceVersion")
    if rv and old is not None and rv != old["metadata"].get("resourceVersion"):
        raise stale(rt, name)  # a create ignores the version, as a real server does
    fieldcheck.check_applied(rt, body, name, given_namespace)
    for key in UNTRACKED_META:
        meta.pop(key, None)
    if old is None:
        api.require_namespace(rt, namespace, name)
    if subresource == "status":
        part = "status"
        body = {
            "apiVersion": rt.group_version,
            "kind": rt.kind,
            "metadata": meta,
            "status": body.get("status"),
        }
    elif "status" in rt.subresources:
        part = "main"
        body.pop("status", None)
    else:
        part = "all"
    merged = apply.server_side_apply(
        old,
        body,
        manager=manager,
        force=force,
        api_version=rt.group_version,
        shape=rt.shape,
        part=part,
        subresource=subresource,
        now=now(),
    )
    fieldcheck.check_converted(rt, merged, name, given_namespace)
    result = api.commit(
        rt,
        old,
        merged,
        manager=manager,
        dry_run=dry_run,
        subresource=subresource,
        track=False,
        applied=True,
    )
    return (201 if old is None else 200), result
