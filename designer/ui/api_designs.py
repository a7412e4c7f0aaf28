"""API: the designs under the PATHs, each design's graph, its findings, and one component in detail.

The graph is what `design graph -o json` gives (nodes with their wave, edges with their reason), plus
what a picture needs: the edges of a cycle (a design with one still opens), each node's adapter, and
where it is written. Findings are what `design validate -o json` reports for the design, with each
check's rationale and remediation and the counts per component (the graph's badges). Secret values are
masked wherever a body is shown. Caller: designer.ui.server (routes).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from designer.errors import DesignerError
from designer.model import Component
from designer.policy.findings import SEVERITY_NAMES, Finding, Report
from designer.ui.analysis import DesignView, FileView, masked_body, shown_path
from designer.ui.jsonio import bad_request, error_json, flag, json_response, not_found
from designer.ui.state import UiState, state_of
from designer.ui.workspace import NotServedError

routes = web.RouteTableDef()


@routes.get("/api/v1/designs")
async def list_designs(request: web.Request) -> web.Response:
    state = state_of(request)
    query = request.query.get("q", "").strip().lower()
    views = await state.on_engine(_all_files, state)
    designs, files = [], []
    for view in views:
        for index, design in enumerate(view.designs):
            summary = _design_summary(state, view, index, design)
            haystack = " ".join(str(v) for v in (summary["name"], summary["file"], summary["description"]))
            if all(word in haystack.lower() for word in query.split()):
                designs.append(summary)
        if view.errors or not view.designs:
            files.append(
                {
                    "file": view.file.shown,
                    "errors": [error_json(e, state.workspace) for e in view.errors],
                }
            )
    return json_response({"designs": designs, "files_with_errors": files})


@routes.get("/api/v1/designs/{design}/graph")
async def design_graph(request: web.Request) -> web.Response:
    state = state_of(request)
    view, design = await _design(request)
    graph = _graph_json(state, view, design)
    graph["design"] = _design_summary(
        state, view, int(request.match_info["design"].rpartition(".")[2]), design
    )
    return json_response(graph)


@routes.get("/api/v1/designs/{design}/findings")
async def design_findings(request: web.Request) -> web.Response:
    state = state_of(request)
    try:
        _, design, report = await state.on_engine(state.analyst.findings, request.match_info["design"])
    except NotServedError:
        raise not_found("no such design") from None
    severity = request.query.get("severity")
    if severity is not None and severity not in SEVERITY_NAMES:
        raise bad_request(f"severity must be one of {', '.join(SEVERITY_NAMES)}")
    check, component = request.query.get("check"), request.query.get("component")
    waived = flag(request, "waived", default=True)
    chosen = [
        f
        for f in report.findings
        if (severity is None or f.severity.label == severity)
        and (check is None or f.id == check)
        and (component is None or f.component == component)
        and (waived or not f.waived)
    ]
    return json_response(
        {
            "findings": [_finding_json(f, state) for f in chosen],
            "checks": _checks_json(report, chosen),
            "by_component": _by_component(report),
            "summary": report.summary(),
            "notes": list(report.notes),
            "errors": [error_json(e, state.workspace) for e in design.errors],
        }
    )


@routes.get("/api/v1/designs/{design}/components/{component}")
async def component_detail(request: web.Request) -> web.Response:
    state = state_of(request)
    try:
        _, design, report = await state.on_engine(state.analyst.findings, request.match_info["design"])
    except NotServedError:
        raise not_found("no such design") from None
    name = request.match_info["component"]
    comp = next((c for c in design.design.components if c.name == name), None)
    if comp is None:
        raise not_found(f"the design has no component {name!r}")
    findings = [f for f in report.findings if f.component == name]
    return json_response(
        {
            "name": comp.name,
            "kind": comp.kind,
            "apiVersion": comp.api_version,
            "namespace": comp.namespace,
            "file": shown_path(comp.location.file, state.workspace),
            "line": comp.location.line or None,
            "labels": dict(comp.labels),
            "annotations": dict(comp.annotations),
            "traits": dict(comp.traits),
            "settings": _masked_settings(comp),
            "dependencies": [
                {"name": e.dependency, "reason": e.reason} for e in design.edges if e.dependent == name
            ],
            "dependents": [
                {"name": e.dependent, "reason": e.reason} for e in design.edges if e.dependency == name
            ],
            "objects": [
                {
                    "object": obj.ref.as_json(),
                    "body": masked_body(obj.body),
                    "file": shown_path(comp.location.file, state.workspace),
                    "line": comp.location.line or None,
                }
                for obj in design.objects
                if obj.component.name == name
            ],
            "findings": [_finding_json(f, state) for f in findings],
            "checks": _checks_json(report, findings),
        }
    )


def _all_files(state: UiState) -> list[FileView]:
    return [state.analyst.file(served.id) for served in state.workspace.files()]


async def _design(request: web.Request) -> tuple[FileView, DesignView]:
    state = state_of(request)
    try:
        return await state.on_engine(state.analyst.design, request.match_info["design"])
    except NotServedError:
        raise not_found("no such design") from None


def _design_summary(state: UiState, view: FileView, index: int, design: DesignView) -> dict[str, Any]:
    d = design.design
    return {
        "id": f"{view.file.id}.{index}",
        "name": d.name,
        "file": view.file.shown,
        "line": d.location.line or None,
        "format": d.source_format,
        "version": d.version,
        "description": d.description or "",
        "components": len(d.components),
        "edges": len(design.edges),
        "waves": len(design.waves),
        "objects": len(design.objects),
        "errors": len(design.errors),
    }


def _graph_json(state: UiState, view: FileView, design: DesignView) -> dict[str, Any]:
    wave_of = {name: i for i, wave in enumerate(design.waves) for name in wave}
    cycle = set(design.cycle)
    adapters = _adapters(state, design)
    nodes = []
    for wave in design.waves:
        for name in wave:
            comp = design.design.component(name)
            nodes.append(
                {
                    "name": name,
                    "kind": comp.kind,
                    "apiVersion": comp.api_version,
                    "namespace": comp.namespace,
                    "wave": wave_of[name],
                    "adapter": adapters.get(name),
                    "line": comp.location.line or None,
                }
            )
    edges = [
        {
            "from": e.dependency,
            "to": e.dependent,
            "reason": e.reason,
            "explicit": e.explicit,
            "cycle": (e.dependency, e.dependent) in cycle,
        }
        for e in design.edges
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "waves": design.waves,
        "cycle": [list(step) for step in design.cycle],
        "errors": [error_json(e, state.workspace) for e in design.errors],
    }


def _adapters(state: UiState, design: DesignView) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for comp in design.design.components:
        try:
            found[comp.name] = state.analyst.registry.for_component(comp).name
        except DesignerError:
            found[comp.name] = None
    return found


def _masked_settings(comp: Component) -> dict[str, Any]:
    settings = dict(comp.settings)
    if comp.kind == "Secret":
        body = masked_body({"apiVersion": "v1", "kind": "Secret", **settings})
        return {k: v for k, v in body.items() if k not in ("apiVersion", "kind")}
    return settings


def _finding_json(finding: Finding, state: UiState) -> dict[str, Any]:
    doc = finding.as_json()
    doc["file"] = shown_path(finding.file, state.workspace)
    return doc


def _checks_json(report: Report, findings: list[Finding]) -> dict[str, Any]:
    wanted = {f.id for f in findings}
    return {info.id: info.as_json() for info in report.checks if info.id in wanted}


def _by_component(report: Report) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for finding in report.findings:
        if finding.component is not None and not finding.waived:
            counts.setdefault(finding.component, Counter())[finding.severity.label] += 1
    return {name: {s: c[s] for s in SEVERITY_NAMES if c[s]} for name, c in sorted(counts.items())}
