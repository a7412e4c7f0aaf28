"""Watch streams: ``?watch=1`` answers with one JSON event per line until ``timeoutSeconds``.

Without a resourceVersion (or with "0") the stream starts with ADDED events for the current objects;
with one, it replays the history after that version (all of it for an older version while nothing
was dropped, as a young kube-apiserver does), or sends an ERROR event with a 410 Expired Status when
the history no longer reaches back (clients must re-list). With ``allowWatchBookmarks=true`` a
BOOKMARK follows the backlog and ends the stream. Used by server.py.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from designer.sandbox import selectors, tables
from designer.sandbox.operations import Api
from designer.sandbox.resources import ResourceType
from designer.sandbox.status import ApiError, bad_request
from designer.sandbox.store import WatchEvent


def _line(event_type: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


def _gone(rv: str, current: int) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f"too old resource version: {rv} ({current})",
        "reason": "Expired",
        "code": 410,
    }


def _bookmark(rt: ResourceType, rv: int) -> dict[str, Any]:
    """A BOOKMARK: only the resourceVersion a client may resume from (sent after the backlog and at the end)."""
    return {"kind": rt.kind, "apiVersion": rt.group_version, "metadata": {"resourceVersion": str(rv)}}


def check_version(value: str, *, watching: bool) -> None:
    """A resourceVersion parameter must be a number: a list answers 400, a watch 500 (its error
    comes from deeper inside the apiserver, without a reason)."""
    if not value or value.isdigit():
        return
    problem = (
        f'resourceVersion: Invalid value: "{value}": strconv.ParseUint: parsing "{value}": invalid syntax'
    )
    if watching:
        raise ApiError(500, "", problem)
    raise bad_request(f"invalid resource version: {problem}")


async def serve(
    request: web.Request, api: Api, rt: ResourceType, namespace: str | None, query: dict[str, str]
) -> web.StreamResponse:
    match = selectors.combine(
        selectors.label_selector(query.get("labelSelector")),
        selectors.field_selector(query.get("fieldSelector"), rt.kind),
    )
    try:
        timeout = float(query.get("timeoutSeconds") or 1800)
    except ValueError as exc:
        raise bad_request("timeoutSeconds must be a number") from exc
    rv_param = query.get("resourceVersion", "")
    as_table = "as=Table" in request.headers.get("Accept", "")

    def shape(obj: dict[str, Any]) -> dict[str, Any]:
        """`kubectl get -w` asks for Tables: each event then carries a one-row Table."""
        if not as_table:
            return obj
        return tables.table(rt.kind, [obj], obj["metadata"].get("resourceVersion", ""))

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[WatchEvent] = asyncio.Queue()

    def subscriber(event: WatchEvent) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, event)

    store = api.store
    scope = namespace if rt.namespaced else None
    with store.lock:
        store.subscribe(subscriber)
        current = store.resource_version
        backlog: list[tuple[str, dict[str, Any]]] | None
        if rv_param and rv_param != "0":
            if not rv_param.isdigit():
                store.unsubscribe(subscriber)
                check_version(rv_param, watching=True)
            events = store.events_since(int(rv_param))
            backlog = (
                None
                if events is None
                else [
                    (e.type, e.obj)
                    for e in events
                    if e.key == rt.key and (scope is None or e.namespace == scope)
                ]
            )
        else:
            backlog = [("ADDED", obj) for obj in store.objects(rt.key, scope)]
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    try:
        await response.prepare(request)
        if backlog is None:
            await response.write(_line("ERROR", _gone(rv_param, current)))
            return response
        for event_type, obj in backlog:
            if match is None or match(obj):
                await response.write(_line(event_type, shape(api.view(rt, obj))))
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1", "True")
        if bookmarks:
            await response.write(_line("BOOKMARK", _bookmark(rt, current)))
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            try:
                event = await asyncio.wait_for(queue.get(), remaining)
            except TimeoutError:
                break
            if event.rv <= current:
                continue
            if event.key != rt.key or (scope is not None and event.namespace != scope):
                continue
            if match is None or match(event.obj):
                await response.write(_line(event.type, shape(api.view(rt, event.obj))))
        if bookmarks:
            await response.write(_line("BOOKMARK", _bookmark(rt, store.resource_version)))
    except ConnectionResetError:
        pass
    finally:
        store.unsubscribe(subscriber)
    return response
