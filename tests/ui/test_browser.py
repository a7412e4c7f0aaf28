"""`design ui` in a real browser (Debian's Chromium, headless, driven by Playwright): what a person
sees on each view. Skipped outside CI when chromium is not installed; failed under CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from designer.cli.main import run
from designer.cluster.connecting import connect
from designer.graph import build_graph
from designer.loading import load_file
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox
from tests.conftest import PATTERNS
from tests.ui.browser import page_errors
from tests.ui.conftest import SECRET_B64, SECRET_VALUE, ServerFactory, design_id, logged_in

READY = "#graph[data-ready=true][data-badges=true]"


def open_design(page: Any, server: Any, design: str) -> None:
    page.goto(server.login_url)
    page.wait_for_selector(".design-row")
    page.goto(f"{server.url}/#/design/{design}")
    page.wait_for_selector(READY, timeout=20_000)


def click_node(page: Any, name: str) -> None:
    """A real mouse click where the node is drawn on the canvas."""
    at = page.evaluate(f"designerGraph.getElementById({json.dumps(name)}).renderedPosition()")
    box = page.locator("#graph").bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])


def test_the_graph_has_one_node_per_component_and_one_edge_per_dependency(
    browser: Any, ui_server: ServerFactory
) -> None:
    pattern = PATTERNS / "istio-bookinfo.yaml"
    server = ui_server([pattern])
    design = design_id(logged_in(server), server, "istio-bookinfo")
    page = browser.new_page()
    errors = page_errors(page)
    open_design(page, server, design)
    expected = build_graph(load_file(pattern)[0])
    drawn = page.evaluate(
        """() => ({
            nodes: designerGraph.nodes().map((n) => n.id()).sort(),
            edges: designerGraph.edges().map((e) => e.source().id() + ' -> ' + e.target().id()).sort(),
            visible: designerGraph.nodes().every((n) => n.visible()),
            columns: Object.fromEntries(designerGraph.nodes().map((n) => [n.id(), Math.round(n.position('x'))])),
        })"""
    )
    assert drawn["nodes"] == sorted(c.name for c in expected.design.components)
    assert drawn["edges"] == sorted(f"{e.dependency} -> {e.dependent}" for e in expected.edges)
    assert drawn["visible"]
    for wave, members in enumerate(expected.waves()):  # the waves are the columns, left to right
        assert {drawn["columns"][m] for m in members} == {min(drawn["columns"][m] for m in members)}
        if wave:
            assert drawn["columns"][members[0]] > drawn["columns"][expected.waves()[wave - 1][0]]
    assert page.inner_text("#graph-counts").startswith(f"{len(expected.design.components)} components")
    # Hovering an edge shows its reason.
    edge = expected.edges[0]
    middle = page.evaluate(
        f"designerGraph.edges().filter((e) => e.source().id() === {json.dumps(edge.dependency)} && "
        f"e.target().id() === {json.dumps(edge.dependent)})[0].renderedMidpoint()"
    )
    box = page.locator("#graph").bounding_box()
    page.mouse.move(box["x"] + middle["x"], box["y"] + middle["y"])
    page.wait_for_selector("#edge-tooltip:not([hidden])")
    assert edge.reason in page.inner_text("#edge-tooltip")
    assert errors == []
    page.close()


def test_clicking_a_node_opens_its_findings(browser: Any, designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    shop = design_id(http, server, "shop")
    expected = http.get(f"{server.url}/api/v1/designs/{shop}/findings", params={"component": "api"}).json()
    page = browser.new_page()
    errors = page_errors(page)
    open_design(page, server, shop)
    # The findings arrive after the graph is drawn; their totals can wrap the header and move the
    # graph down (a long temporary path does), after which clicks missed the nodes: cytoscape maps
    # the mouse through a cached position of its container. The test waits for the findings, moves
    # the graph for sure with a banner, and the click must still land on the node.
    page.wait_for_selector("#graph[data-badges=true]")
    page.evaluate(
        "document.querySelector('.design-page').prepend(Object.assign(document.createElement('div'), "
        "{style: 'height: 90px', textContent: 'moved'}))"
    )
    page.wait_for_timeout(100)  # the page's size observer runs at the next frame
    click_node(page, "api")
    page.wait_for_selector("#component-detail h2:text-is('api')")
    shown = page.locator("#component-detail .finding")
    assert shown.count() == len(expected["findings"]) > 0
    assert sorted(shown.evaluate_all("items => items.map((i) => i.dataset.check)")) == sorted(
        f["id"] for f in expected["findings"]
    )
    assert "Deployment apps/v1" in page.inner_text("#component-detail")
    # The badge of the node counts its findings; the findings list filters by severity.
    label = page.evaluate("designerGraph.getElementById('api').data('label')")
    assert "⚠" in label
    page.click("text=← all findings")
    page.select_option("#filter-severity", "medium")
    expect(page.locator("#findings-list .finding:not([data-severity=medium])")).to_have_count(0)
    expect(page.locator("#findings-list .finding[data-severity=medium]")).not_to_have_count(0)
    # The Secret is masked in what a person can open.
    click_node(page, "creds")
    page.wait_for_selector("#component-detail h2:text-is('creds')")
    text = page.content()
    assert SECRET_VALUE not in text and SECRET_B64 not in text and "***" in text
    assert errors == []
    page.close()


def _apply_cli(design: Path, sandbox: Sandbox) -> None:
    assert sandbox.kubeconfig_path is not None
    code = run(
        [
            "apply",
            str(design),
            "--kubeconfig",
            str(sandbox.kubeconfig_path),
            "--context",
            "sandbox",
            "--yes",
            "-o",
            "json",
        ]
    )
    assert code == 0


def _cli_plan(design: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    capsys.readouterr()
    run(
        [
            "diff",
            str(design),
            "--kubeconfig",
            str(sandbox.kubeconfig_path),
            "--context",
            "sandbox",
            "-o",
            "json",
        ]
    )
    plan = json.loads(capsys.readouterr().out)
    return {f"{s['object']['kind']}/{s['object']['name']}": s["action"] for s in plan["steps"]}


def test_the_plan_against_the_sandbox_lists_the_right_actions(
    browser: Any,
    designs: Path,
    ui_server: ServerFactory,
    live_sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox = live_sandbox
    shop_file = designs / "shop.yaml"
    _apply_cli(shop_file, sandbox)
    changed = shop_file.read_text().replace("mode: fast", "mode: slow") + (
        "  - {name: extra, kind: ConfigMap, apiVersion: v1, namespace: shop, settings: {data: {a: b}}}\n"
    )
    shop_file.write_text(changed)
    expected = _cli_plan(shop_file, sandbox, capsys)
    assert expected["ConfigMap/config"] == "update" and expected["ConfigMap/extra"] == "create"
    assert expected["Deployment/api"] == "noop"
    server = ui_server([designs], kubeconfig=str(sandbox.kubeconfig_path), contexts=("sandbox",))
    shop = design_id(logged_in(server), server, "shop")
    page = browser.new_page()
    errors = page_errors(page)
    page.goto(server.login_url)
    page.goto(f"{server.url}/#/plan/{shop}")
    page.click("#compute-plan")
    page.wait_for_selector("#plan-summary")
    rows = page.locator("tr.step").evaluate_all(
        "rows => rows.map((r) => [r.cells[1].innerText + '/' + r.cells[3].innerText, r.dataset.action])"
    )
    assert dict(rows) == expected
    page.click("summary:has-text('update ConfigMap shop/config')")  # opens the unified diff of the update
    diff = page.inner_text("details.diff[open] pre")
    assert "-  mode: fast" in diff and "+  mode: slow" in diff
    assert "Read-only" in page.inner_text("#plan")  # no --allow-apply: no apply button
    assert page.locator("#apply").count() == 0
    assert SECRET_VALUE not in page.content()
    assert errors == []
    page.close()


def test_an_apply_streams_events_until_the_summary(
    browser: Any, designs: Path, ui_server: ServerFactory, live_sandbox: Sandbox
) -> None:
    sandbox = live_sandbox
    server = ui_server(
        [designs], kubeconfig=str(sandbox.kubeconfig_path), contexts=("sandbox",), allow_apply=True
    )
    shop = design_id(logged_in(server), server, "shop")
    page = browser.new_page()
    errors = page_errors(page)
    page.goto(server.login_url)
    page.goto(f"{server.url}/#/plan/{shop}")
    page.click("#compute-plan")
    page.wait_for_selector("#plan-summary")
    assert page.locator("tr.step[data-action=create]").count() == 5
    page.click("#apply")
    page.click("#confirm-apply")
    page.wait_for_selector("#run-summary .ok", timeout=60_000)
    events = page.locator("#events li").evaluate_all("items => items.map((i) => i.dataset.event)")
    assert events[0] == "started"
    assert events.count("applied") == 5 and "ready" in events
    assert "5 applied" in page.inner_text("#run-summary")
    assert sandbox.kubeconfig_path is not None
    cluster = connect(str(sandbox.kubeconfig_path), "sandbox")
    try:
        assert cluster.get(ObjectRef("apps/v1", "Deployment", "shop", "api")) is not None
    finally:
        cluster.close()
    # Delete works the same way, from the same page.
    page.click("#compute-plan")
    page.wait_for_selector("#plan-summary")
    page.click("#delete")
    page.click("#confirm-delete")
    page.wait_for_selector("#run-summary .ok", timeout=60_000)
    assert "deleted" in page.locator("#events li").evaluate_all("items => items.map((i) => i.dataset.event)")
    assert errors == []
    page.close()


def test_the_perf_page_draws_a_chart_from_a_stored_result(
    browser: Any, designs: Path, ui_server: ServerFactory, perf_history: Path
) -> None:
    server = ui_server([designs], history=perf_history)
    page = browser.new_page()
    errors = page_errors(page)
    page.goto(server.login_url)
    page.goto(f"{server.url}/#/perf")
    page.wait_for_selector("svg.chart polyline")
    assert page.locator("tr.perf-row").count() == 2
    # Two hash changes at once start two loads of the view: only the last one is shown.
    page.evaluate("() => { location.hash = '#/'; location.hash = '#/perf'; }")
    page.wait_for_timeout(300)
    page.wait_for_selector("svg.chart polyline")
    page.wait_for_timeout(500)  # a second, stale load would have drawn by now
    assert page.locator("tr.perf-row").count() == 2
    assert page.locator("svg.chart").count() == 1
    points = page.locator("svg.chart polyline").first.get_attribute("points") or ""
    assert len(points.split()) == 8  # p50 … max
    ys = [float(p.split(",")[1]) for p in points.split()]
    assert ys == sorted(ys, reverse=True), "higher percentiles are drawn higher"
    for box in page.locator("tr.perf-row input[type=checkbox]").all():
        box.check()
    page.click("#compare")
    page.wait_for_selector("#verdict")
    assert page.inner_text("#verdict") in {
        "regression",
        "improvement",
        "no significant change",
        "not comparable",
    }
    assert page.locator("svg.chart polyline").count() == 2
    assert errors == []
    page.close()


def test_every_pattern_opens_without_a_console_error(browser: Any, ui_server: ServerFactory) -> None:
    server = ui_server([PATTERNS])
    http = logged_in(server)
    listed = http.get(f"{server.url}/api/v1/designs").json()
    assert len(listed["designs"]) == len(list(PATTERNS.glob("*.yaml"))) and not listed["files_with_errors"]
    page = browser.new_page()
    errors = page_errors(page)
    page.goto(server.login_url)
    page.wait_for_selector(".design-row")
    for design in listed["designs"]:
        page.goto(f"{server.url}/#/design/{design['id']}")
        page.wait_for_selector(READY, timeout=20_000)
        page.wait_for_selector("#findings-panel")
        assert page.inner_text("h1") == design["name"]
        assert page.evaluate("designerGraph.nodes().length") == design["components"]
    for view, ready in (("#/catalog", ".catalog-row"), ("#/perf", "section.page h1"), ("#/", ".design-row")):
        page.goto(f"{server.url}/{view}")
        page.wait_for_selector(ready)
    assert errors == []
    page.close()
