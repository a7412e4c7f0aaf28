"""API: kube contexts, a design's plan on one of them, and apply/delete streamed as server-sent events.

The plan is the one `design diff` computes (designer.applying.session, as `design apply` calls it),
each step with its unified YAML diff (Secret values masked as in the CLI) and the field managers of
drifted fields. The plan answer carries a digest; an apply names the digest it was shown, and the
server plans again and refuses (409) when the cluster or the design changed since, so what the
user confirmed is what gets done. Apply and delete are refused (403) unless the server was started
with ``--allow-apply``, run one at a time, and stream the engine's own events (started, applied,
ready, failed, skipped, pruned, deleted, …) ending with ``summary`` and then ``end``.
Only the contexts the server offers (``--context``, else the kubeconfig's) are used.
Caller: designer.ui.server (routes).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable
from typing import Any

from aiohttp import web

from designer.adapters import installers
from designer.applying import session
from designer.applying.deleting import delete_design
from designer.applying.engine import ApplyOptions
from designer.applying.events import Event, EventSink, RunResult
from designer.cluster.base import FIELD_MANAGER, Cluster
from designer.cluster.inventory import DEFAULT_NAMESPACE
from designer.errors import DesignerError
from designer.jsontext import compact
from designer.planning import Plan
from designer.ui.jsonio import bad_request, json_response, not_found, refusal
from designer.ui.security import harden_headers
from designer.ui.state import UiState, state_of
from designer.ui.workspace import NotServedError

routes = web.RouteTableDef()

APPLY_TIMEOUT_S = 300.0


@routes.get("/api/v1/contexts")
async def contexts(request: web.Request) -> web.Response:
    state = state_of(request)
    try:
        names, current = await state.on_cluster(_offered, state)
    except DesignerError as exc:
        return refusal(503, exc.message, exc.hint)
    return json_response(
        {
            "contexts": names,
            "current": current if current in names else None,
            "allow_apply": state.settings.allow_apply,
        }
    )


@routes.get("/api/v1/designs/{design}/plan")
async def plan(request: web.Request) -> web.Response:
    state = state_of(request)
    context = await _context(state, request.query.get("context"))
    try:
        _, the_plan = await state.on_cluster(_plan, state, request.match_info["design"], context)
    except NotServedError:
        raise not_found("no such design") from None
    except DesignerError as exc:
        return refusal(422 if exc.location else 503, exc.message, exc.hint)
    return json_response(plan_json(the_plan))


@routes.post("/api/v1/designs/{design}/apply")
async def apply(request: web.Request) -> web.StreamResponse:
    return await _change(request, "apply")


@routes.post("/api/v1/designs/{design}/delete")
async def delete(request: web.Request) -> web.StreamResponse:
    return await _change(request, "delete")


def plan_json(the_plan: Plan) -> dict[str, Any]:
    """The plan document of `design diff -o json`, each step with its diff, plus the plan's digest."""
    from designer.diffing.text import unified_diff

    doc = the_plan.to_json()
    for step_doc, step in zip(doc["steps"], the_plan.steps, strict=True):
        step_doc["diff"] = unified_diff(step)
        step_doc["managers"] = sorted(
            {c.manager for c in step.changes if c.manager and c.manager != FIELD_MANAGER}
        )
    doc["digest"] = digest(the_plan)
    return doc


def digest(the_plan: Plan) -> str:
    """What identifies a plan: the hash of its JSON document."""
    return "sha256:" + hashlib.sha256(compact(the_plan.to_json()).encode()).hexdigest()


async def _change(request: web.Request, what: str) -> web.StreamResponse:
    state = state_of(request)
    if not state.settings.allow_apply:
        return refusal(403, f"{what} is turned off", "start the server with design ui --allow-apply")
    try:
        body = await request.json()
    except ValueError:
        raise bad_request('the body must be JSON: {"context": …, "plan": …}') from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    context = await _context(state, body.get("context"))
    if not state.changing.acquire(blocking=False):
        return refusal(409, "another apply or delete is running", "wait for it to finish")
    try:
        try:
            prepared, the_plan = await state.on_cluster(_plan, state, request.match_info["design"], context)
        except NotServedError:
            raise not_found("no such design") from None
        except DesignerError as exc:
            return refusal(422 if exc.location else 503, exc.message, exc.hint)
        if what == "apply" and body.get("plan") != digest(the_plan):
            return refusal(
                409,
                "the plan changed since it was shown (the cluster or the design changed)",
                "review the new plan and confirm again",
                plan=plan_json(the_plan),
            )
        return await _stream(
            request, state, lambda emit: _run(state, what, prepared, the_plan, context, emit)
        )
    finally:
        state.changing.release()


async def _stream(
    request: web.Request, state: UiState, work: Callable[[EventSink], RunResult]
) -> web.StreamResponse:
    """Run ``work`` on a cluster thread and send each event it emits as a server-sent event."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "X-Accel-Buffering": "no"})
    harden_headers(request, response)
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def emit(event: Event) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, event.as_json())

    def run() -> None:
        try:
            work(emit)
        except DesignerError as exc:
            loop.call_soon_threadsafe(
                queue.put_nowait, {"event": "error", "message": exc.message, "hint": exc.hint}
            )
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    running = loop.run_in_executor(state.cluster_pool, run)
    connected = True
    while (item := await queue.get()) is not None:
        if connected:
            try:
                await response.write(f"event: {item['event']}\ndata: {compact(item)}\n\n".encode())
            except (ConnectionResetError, RuntimeError):
                connected = False  # the page went away; the run goes on to its end
    await running
    if connected:
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await response.write(b"event: end\ndata: {}\n\n")
            await response.write_eof()
    return response


def _run(
    state: UiState, what: str, prepared: session.Prepared, the_plan: Plan, context: str, emit: EventSink
) -> RunResult:
    cluster = _connect(state, context)
    try:
        if what == "apply":
            options = ApplyOptions(timeout=APPLY_TIMEOUT_S, inventory_namespace=DEFAULT_NAMESPACE)
            return session.run(cluster, prepared, the_plan, options, emit)
        return delete_design(
            cluster,
            prepared.design.name,
            prepared.objects,
            dependencies=prepared.dependencies,
            timeout=APPLY_TIMEOUT_S,
            inventory_namespace=DEFAULT_NAMESPACE,
            emit=emit,
        )
    finally:
        cluster.close()


def _plan(state: UiState, design_id: str, context: str) -> tuple[session.Prepared, Plan]:
    _, design = state.analyst.design(design_id)
    if design.errors:
        raise design.errors[0]
    with installers.confined_to(state.workspace.real_roots):
        prepared = session.prepare(design.design, state.analyst.registry)
    cluster = _connect(state, context)
    try:
        return prepared, session.plan(cluster, prepared, inventory_namespace=DEFAULT_NAMESPACE)
    finally:
        cluster.close()


def _connect(state: UiState, context: str) -> Cluster:
    from designer.cluster.connecting import connect

    return connect(state.settings.kubeconfig, context)


def _offered(state: UiState) -> tuple[list[str], str | None]:
    if state.settings.contexts:
        return list(state.settings.contexts), state.settings.contexts[0]
    from designer.cluster.kubeconfig import context_names

    return context_names(state.settings.kubeconfig)


async def _context(state: UiState, wanted: object) -> str:
    if not isinstance(wanted, str) or not wanted:
        raise bad_request("name a context", "GET /api/v1/contexts lists them")
    try:
        names, _ = await state.on_cluster(_offered, state)
    except DesignerError as exc:
        raise bad_request(exc.message, exc.hint) from None
    if wanted not in names:
        raise not_found(f"context {wanted!r} is not offered by this server (GET /api/v1/contexts lists them)")
    return wanted
