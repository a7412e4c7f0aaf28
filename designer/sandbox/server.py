"""The aiohttp application: bearer-token check, URL parsing, verb dispatch, request log, faults, latency.

One catch-all route parses Kubernetes URLs itself (``/api/v1/namespaces/ns/pods/name/status``), which
is faster and simpler than a route per resource now that CRDs add resources at runtime. Every
`ApiError` becomes its Status body. Built by runner.py; the verbs live in operations.py/lifecycle.py.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from designer.sandbox import discovery, protobuf, requestoptions, tables, watch, writes
from designer.sandbox.faults import Recorder, RequestRecord
from designer.sandbox.lifecycle import Lifecycle, scale_patch
from designer.sandbox.operations import Api, parse_body
from designer.sandbox.resources import ResourceType
from designer.sandbox.status import (
    ApiError,
    bad_request,
    method_not_allowed,
    no_such_resource,
    unsupported_media,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
API_KEY = web.AppKey("api", Api)
LIFECYCLE_KEY = web.AppKey("lifecycle", Lifecycle)
RECORDER_KEY = web.AppKey("recorder", Recorder)
TOKEN_KEY = web.AppKey("token", str)
PUBLIC_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/version"})
"""What a real API server lets anyone read (RBAC's system:public-info-viewer)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A parsed resource URL."""

    rt: ResourceType
    namespace: str | None
    name: str | None
    subresource: str


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        body=json.dumps(body, separators=(",", ":")).encode(), status=status, content_type="application/json"
    )


def _discovery(api: Api, parts: list[str], host: str) -> Any:
    """The discovery document for ``parts``, None when the URL is a resource URL, or raise 404."""
    table = api.table
    if parts[0] == "api":
        if len(parts) == 1:
            return discovery.core_versions(host)
        if len(parts) == 2:
            doc = discovery.resource_list(table, "", parts[1])
            if doc is None:
                raise no_such_resource()
            return doc
        return None
    if len(parts) == 1:
        return discovery.group_list(table)
    if len(parts) == 2:
        doc = discovery.group(table, parts[1])
        if doc is None:
            raise no_such_resource()
        return doc
    if len(parts) == 3:
        doc = discovery.resource_list(table, parts[1], parts[2])
        if doc is None:
            raise no_such_resource()
        return doc
    return None


def _target(api: Api, parts: list[str]) -> Target:
    group, version, rest = ("", parts[1], parts[2:]) if parts[0] == "api" else (parts[1], parts[2], parts[3:])
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3:
        inner = api.table.lookup(group, version, rest[2])
        if inner is not None and inner.namespaced:
            namespace, rest = rest[1], rest[2:]
    rt = api.table.lookup(group, version, rest[0])
    if rt is None or len(rest) > 3 or (rt.namespaced and namespace is None and len(rest) > 1):
        raise no_such_resource()
    subresource = rest[2] if len(rest) == 3 else ""
    if subresource and subresource not in rt.subresources:
        raise no_such_resource()
    return Target(rt, namespace, rest[1] if len(rest) > 1 else None, subresource)


def _manager(request: web.Request) -> str:
    manager = request.query.get("fieldManager")
    if manager:
        return manager[:128]
    return request.headers.get("User-Agent", "unknown").split("/")[0][:128] or "unknown"


async def _resource(
    request: web.Request, api: Api, lifecycle: Lifecycle, target: Target
) -> web.StreamResponse:
    rt, ns, name, sub = target.rt, target.namespace or "", target.name, target.subresource
    method, query = request.method, request.query
    if method == "GET":
        if query.get("watch") in ("1", "true", "True"):
            return await watch.serve(request, api, rt, target.namespace, dict(query))
        wants_table = "as=Table" in request.headers.get("Accept", "")
        if name is None:
            watch.check_version(query.get("resourceVersion", ""), watching=False)
            listed = api.list(rt, target.namespace, query.get("labelSelector"), query.get("fieldSelector"))
            if wants_table:  # a row's object carries its kind (list items do not)
                rows = [
                    api.view(rt, {"apiVersion": rt.group_version, "kind": rt.kind, **o})
                    for o in listed["items"]
                ]
                return _json(tables.table(rt.kind, rows, listed["metadata"]["resourceVersion"]))
            return _json(listed)
        if sub == "scale":
            return _json(lifecycle.get_scale(rt, ns, name))
        obj = api.get(rt, ns, name)
        if wants_table and not sub:
            return _json(tables.table(rt.kind, [obj], obj["metadata"].get("resourceVersion", "")))
        return _json(obj)
    options = requestoptions.RequestOptions(
        requestoptions.field_validation(method, query.getall("fieldValidation", []))
    )
    dry_run = requestoptions.dry_run(method, query.getall("dryRun", []))
    with requestoptions.handling(options):
        response = await _write(request, api, lifecycle, target, dry_run)
    for text in options.warnings:
        response.headers.add("Warning", requestoptions.warning_header(text))
    return response


async def _write(
    request: web.Request, api: Api, lifecycle: Lifecycle, target: Target, dry_run: bool
) -> web.StreamResponse:
    rt, ns, name, sub = target.rt, target.namespace or "", target.name, target.subresource
    method, query = request.method, request.query
    raw = await request.read()
    if "protobuf" in request.headers.get("Content-Type", ""):
        # kubectl's typed clients (kubectl create namespace ...) send protobuf and never fall back.
        if method != "POST" or name is not None:
            raise unsupported_media(request.headers["Content-Type"])
        raw = json.dumps(protobuf.decode(raw)).encode()
    with api.store.lock:
        if method == "POST" and name is None:
            return _json(
                writes.create(api, rt, ns, _object(raw, rt), manager=_manager(request), dry_run=dry_run),
                201,
            )
        if method == "DELETE" and name is None:
            return _json(
                lifecycle.delete_collection(
                    rt,
                    target.namespace,
                    query.get("labelSelector"),
                    query.get("fieldSelector"),
                    dry_run=dry_run,
                )
            )
        if method == "DELETE" and name is not None:
            options = json.loads(raw) if raw.strip() else {}
            dry_run = dry_run or requestoptions.dry_run(method, options.get("dryRun") or [])
            policy = requestoptions.propagation(
                options.get("propagationPolicy") or query.get("propagationPolicy")
            )
            preconditions = options.get("preconditions") or {}
            return _json(
                lifecycle.delete(
                    rt, ns, name, dry_run=dry_run, orphan=policy == "Orphan", preconditions=preconditions
                )
            )
        if name is None:
            raise method_not_allowed(method)
        content_type = request.headers.get("Content-Type", "")
        if sub == "scale":
            scale = lifecycle.get_scale(rt, ns, name)
            body = parse_body(raw, "") if method == "PUT" else scale_patch(scale, content_type, raw)
            return _json(
                lifecycle.write_scale(rt, ns, name, body, manager=_manager(request), dry_run=dry_run)
            )
        if method == "PUT":
            return _json(
                writes.replace(
                    api,
                    rt,
                    ns,
                    name,
                    _object(raw, rt),
                    manager=_manager(request),
                    dry_run=dry_run,
                    subresource=sub,
                )
            )
        if method == "PATCH":
            force = query.get("force") in ("true", "1", "True")
            manager = query.get("fieldManager") or (
                None if "apply-patch" in content_type else _manager(request)
            )
            code, obj = writes.patch(
                api,
                rt,
                ns,
                name,
                content_type,
                raw,
                manager=manager,
                force=force,
                dry_run=dry_run,
                subresource=sub,
            )
            return _json(obj, code)
    raise method_not_allowed(method)


def _object(raw: bytes, rt: ResourceType) -> Any:
    """A POST or PUT body: a JSON object, or the 400 the apiserver's decoder answers."""
    body = parse_body(raw, "")
    if not isinstance(body, dict):
        word = "array" if isinstance(body, list) else ("string" if isinstance(body, str) else "number")
        raise bad_request(
            f"the object provided is unrecognized (must be of type {rt.kind}): couldn't get version/kind; "
            f"json parse error: json: cannot unmarshal {word} into Go value of type struct "
            '{ APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } '
            f"({raw.hex()})"
        )
    return body


async def handle(request: web.Request) -> web.StreamResponse:
    api, lifecycle = request.app[API_KEY], request.app[LIFECYCLE_KEY]
    parts = [p for p in request.path.split("/") if p]
    if not parts:
        return _json({"paths": ["/api", "/apis", "/version", "/openapi/v3"]})
    if parts == ["version"]:
        return _json(discovery.VERSION_INFO)
    if parts[0] == "openapi":
        return _openapi(api, parts)
    if parts[0] in ("healthz", "readyz", "livez"):
        return web.Response(text="ok")
    if parts[0] not in ("api", "apis"):
        raise no_such_resource()
    if parts[0] == "apis" and len(parts) >= 2 and parts[1] not in api.table.groups():
        # No handler is registered for a group nobody serves: the mux's plain-text 404.
        return web.Response(status=404, text="404 page not found\n")
    if request.method == "GET":
        doc = _discovery(api, parts, request.host)
        if doc is not None:
            return _json(doc)
    elif len(parts) < (3 if parts[0] == "api" else 4):
        raise method_not_allowed(request.method)
    return await _resource(request, api, lifecycle, _target(api, parts))


def _openapi(api: Api, parts: list[str]) -> web.StreamResponse:
    if parts[1:] == ["v2"]:
        # An empty protobuf message is a valid, empty OpenAPI v2 document: kubectl's client-side
        # validation then finds no schema and accepts every kind (the server validates instead).
        return web.Response(
            body=b"", content_type="application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
        )
    if parts[1:] == ["v3"]:
        return _json(discovery.openapi_v3_root(api.table))
    if len(parts) >= 4 and parts[1] == "v3":
        rest = parts[2:]
        group, version = ("", rest[1]) if rest[0] == "api" else (rest[1], rest[2] if len(rest) > 2 else "")
        doc = discovery.openapi_v3_group(api.table, group, version)
        if doc is not None:
            return _json(doc)
    raise no_such_resource()


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    recorder = request.app[RECORDER_KEY]
    started = time.time()
    status = 500
    dropped = False
    dry_run = "dryRun" in request.query
    try:
        if recorder.latency > 0:
            await asyncio.sleep(recorder.latency)
        if not _authorized(request):
            status = 401
            return _json(UNAUTHORIZED, 401)
        fault = recorder.take_fault(request.method, request.path, request.path_qs, dry_run)
        if fault is not None and fault.delay > 0:
            await asyncio.sleep(fault.delay)
        if fault is not None and fault.drop == "before":
            dropped = True
            return _drop(request)
        if fault is not None and fault.status is not None:
            status = fault.status
            refusal = _json(fault.body(), fault.status)
            refusal.headers.update(fault.headers())
            return refusal
        try:
            response = await handler(request)
        except ApiError as exc:
            response = _json(exc.body(), exc.code)
        status = response.status
        if fault is not None and fault.drop == "after":
            dropped = True
            return _drop(request)
        return response
    finally:
        recorder.record(
            RequestRecord(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                dry_run=dry_run,
                time=started,
                status=status,
                content_type=request.headers.get("Content-Type", ""),
                dropped=dropped,
            )
        )


def _drop(request: web.Request) -> web.Response:
    """Reset the connection instead of answering (the client sees it closed without a response)."""
    if request.transport is not None:
        request.transport.abort()
    return web.Response(status=500)  # never sent: the transport is gone


UNAUTHORIZED = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "Unauthorized",
    "reason": "Unauthorized",
    "code": 401,
}


def _authorized(request: web.Request) -> bool:
    """With a token configured, every request but the public ones must carry it (constant-time check)."""
    token = request.app.get(TOKEN_KEY)
    if not token or request.path in PUBLIC_PATHS:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def build_app(
    api: Api, lifecycle: Lifecycle, recorder: Recorder, *, token: str | None = None
) -> web.Application:
    """The emulator's application; with ``token``, requests without ``Authorization: Bearer`` it get 401."""
    app = web.Application(middlewares=[middleware], client_max_size=64 * 1024 * 1024)
    if token:
        app[TOKEN_KEY] = token
    app[API_KEY] = api
    app[LIFECYCLE_KEY] = lifecycle
    app[RECORDER_KEY] = recorder
    app.router.add_route("*", "/{tail:.*}", handle)
    return app
