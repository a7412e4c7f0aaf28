"""Discovery documents: /api, /apis, group and group-version resource lists, /version and OpenAPI stubs.

Clients (kubectl, DynamicClient) learn every resource here, so the shapes match the real legacy
discovery format; aggregated discovery is not offered and clients fall back to these. The OpenAPI v3
documents are minimal: they only declare, per group-version, PATCH operations that accept
``fieldValidation``, which is what kubectl checks before server-side field validation. Used by server.py.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from designer.kubetypes import shapes
from designer.sandbox.resources import ResourceTable, ResourceType

VERSION_INFO = {
    "major": "1",
    "minor": "37",
    "gitVersion": "v1.37.2-designer-sandbox",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.23.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}


def core_versions(address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
    }


def _group(name: str, versions: list[str]) -> dict[str, Any]:
    listed = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": listed, "preferredVersion": listed[0]}


def group_list(table: ResourceTable) -> dict[str, Any]:
    groups = [_group(name, versions) for name, versions in sorted(table.groups().items()) if name]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def group(table: ResourceTable, name: str) -> dict[str, Any] | None:
    versions = table.groups().get(name)
    if not name or not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, versions)}


_CUSTOM_VERBS = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]
_SUBRESOURCE_VERBS = ["get", "patch", "update"]


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """What the apiserver publishes so clients notice a storage version change (the first 8 bytes
    of sha256("<group>/<version>/<kind>"), base64)."""
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def _entry(rt: ResourceType) -> dict[str, Any]:
    if rt.builtin:
        recorded = shapes.discovery_entry(rt.group_version, rt.plural)
        if recorded is not None:
            return recorded
    entry: dict[str, Any] = {
        "name": rt.plural,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": list(_CUSTOM_VERBS),
    }
    if rt.short_names:
        entry["shortNames"] = list(rt.short_names)
    if rt.categories:
        entry["categories"] = list(rt.categories)
    entry["storageVersionHash"] = storage_version_hash(rt.group, rt.storage_version or rt.version, rt.kind)
    return entry


def _subresource(rt: ResourceType, name: str) -> dict[str, Any]:
    recorded = shapes.discovery_entry(rt.group_version, f"{rt.plural}/{name}") if rt.builtin else None
    if recorded is not None:
        return recorded
    entry: dict[str, Any] = {"name": f"{rt.plural}/{name}", "singularName": "", "namespaced": rt.namespaced}
    if name == "scale":
        entry.update({"group": "autoscaling", "version": "v1", "kind": "Scale"})
    else:
        entry["kind"] = rt.kind
    entry["verbs"] = list(_SUBRESOURCE_VERBS)
    return entry


def resource_list(table: ResourceTable, group_name: str, version: str) -> dict[str, Any] | None:
    """A group-version's APIResourceList: built-in entries as the real server publishes them
    (data/types.json), custom resources' as the apiextensions server builds them."""
    if not table.has_group_version(group_name, version):
        return None
    resources: list[dict[str, Any]] = []
    for rt in sorted(table.in_group_version(group_name, version), key=lambda r: r.plural):
        resources.append(_entry(rt))
        for name in ("scale", "status"):
            if name in rt.subresources:
                resources.append(_subresource(rt, name))
    gv = f"{group_name}/{version}" if group_name else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def openapi_v3_root(table: ResourceTable) -> dict[str, Any]:
    paths = {}
    for group_name, versions in table.groups().items():
        for version in versions:
            key = f"apis/{group_name}/{version}" if group_name else f"api/{version}"
            paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash=sandbox"}
    return {"paths": paths}


def openapi_v3_group(table: ResourceTable, group_name: str, version: str) -> dict[str, Any] | None:
    """A stub spec: one PATCH operation per kind, declaring the fieldValidation and dryRun parameters."""
    if not table.has_group_version(group_name, version):
        return None
    prefix = f"/apis/{group_name}/{version}" if group_name else f"/api/{version}"
    paths: dict[str, Any] = {}
    for rt in table.in_group_version(group_name, version):
        scope = "/namespaces/{namespace}" if rt.namespaced else ""
        paths[f"{prefix}{scope}/{rt.plural}/{{name}}"] = {
            "patch": {
                "operationId": f"patch{rt.kind}",
                "x-kubernetes-group-version-kind": {
                    "group": rt.group,
                    "version": rt.version,
                    "kind": rt.kind,
                },
                "parameters": [
                    {"name": name, "in": "query", "schema": {"type": "string"}}
                    for name in ("dryRun", "fieldManager", "fieldValidation", "force")
                ],
                "responses": {"200": {"description": "OK"}},
            }
        }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (designer sandbox)", "version": "v1.37.2"},
        "paths": paths,
        "components": {"schemas": {}},
    }
