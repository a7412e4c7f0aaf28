"""The `design ui` API on its own, over real HTTP: what each endpoint answers for real designs,
perf results and the catalog, checked against the engine that `design graph`/`validate` run."""

from __future__ import annotations

from pathlib import Path

from designer.graph import build_graph
from designer.loading import load_file
from tests.conftest import PATTERNS
from tests.ui.conftest import ServerFactory, design_id, logged_in


def test_designs_are_listed_and_searchable(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    listed = http.get(f"{server.url}/api/v1/designs").json()["designs"]
    assert sorted(d["name"] for d in listed) == ["loop", "shop"]
    shop = next(d for d in listed if d["name"] == "shop")
    assert shop["file"] == f"{designs}/shop.yaml"
    assert shop["components"] == 5
    found = http.get(f"{server.url}/api/v1/designs", params={"q": "secret"}).json()["designs"]
    assert [d["name"] for d in found] == ["shop"]


def test_graph_is_the_engine_graph(ui_server: ServerFactory) -> None:
    pattern = PATTERNS / "istio-bookinfo.yaml"
    server = ui_server([pattern])
    http = logged_in(server)
    graph = http.get(f"{server.url}/api/v1/designs/{design_id(http, server, 'istio-bookinfo')}/graph").json()
    expected = build_graph(load_file(pattern)[0])
    assert [n["name"] for n in graph["nodes"]] == [n for wave in expected.waves() for n in wave]
    assert {(e["from"], e["to"], e["reason"]) for e in graph["edges"]} == {
        (e.dependency, e.dependent, e.reason) for e in expected.edges
    }
    assert graph["waves"] == expected.waves()
    assert all(n["adapter"] for n in graph["nodes"])
    assert graph["cycle"] == [] and graph["errors"] == []


def test_a_cycle_still_draws_with_its_edges_marked(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    graph = http.get(f"{server.url}/api/v1/designs/{design_id(http, server, 'loop')}/graph").json()
    assert {n["name"] for n in graph["nodes"]} == {"a", "b", "c", "d"}
    cycle_edges = {(e["from"], e["to"]) for e in graph["edges"] if e["cycle"]}
    assert cycle_edges == {("c", "a"), ("a", "b"), ("b", "c")}
    assert "cycle" in graph["errors"][0]["message"]


def test_findings_filter_and_carry_their_check(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    base = f"{server.url}/api/v1/designs/{design_id(http, server, 'shop')}/findings"
    everything = http.get(base).json()
    assert everything["findings"], "the shop design breaks several built-in checks"
    assert set(everything["by_component"]) <= {"shop-ns", "creds", "config", "api", "api-svc"}
    first = everything["findings"][0]
    check = everything["checks"][first["id"]]
    assert check["rationale"] and check["remediation"]
    high = http.get(base, params={"severity": "high"}).json()["findings"]
    assert high == [f for f in everything["findings"] if f["severity"] == "high"]
    api_only = http.get(base, params={"component": "api"}).json()["findings"]
    assert api_only and all(f["component"] == "api" for f in api_only)
    one_check = http.get(base, params={"check": first["id"]}).json()["findings"]
    assert one_check and {f["id"] for f in one_check} == {first["id"]}
    assert http.get(base, params={"severity": "dire"}).status_code == 400


def test_waived_findings_show_their_reason(ui_server: ServerFactory) -> None:
    server = ui_server([PATTERNS / "httpbin.yaml"])
    http = logged_in(server)
    found = http.get(f"{server.url}/api/v1/designs/{design_id(http, server, 'httpbin')}/findings").json()
    waived = [f for f in found["findings"] if f["waived"]]
    assert waived and all(f["waiver"]["reason"] for f in waived)


def test_component_detail_has_objects_where_and_findings(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    detail = http.get(f"{server.url}/api/v1/designs/{design_id(http, server, 'shop')}/components/api").json()
    assert detail["kind"] == "Deployment" and detail["file"].endswith("shop.yaml") and detail["line"] > 1
    assert [o["object"]["name"] for o in detail["objects"]] == ["api"]
    assert {d["name"] for d in detail["dependencies"]} >= {"config", "shop-ns"}
    assert all(f["component"] == "api" for f in detail["findings"])
    missing = http.get(f"{server.url}/api/v1/designs/{design_id(http, server, 'shop')}/components/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]["message"]


def test_perf_history_result_and_compare(ui_server: ServerFactory, perf_history: Path, designs: Path) -> None:
    server = ui_server([designs], history=perf_history)
    http = logged_in(server)
    results = http.get(f"{server.url}/api/v1/perf/results").json()["results"]
    assert [r["version"] for r in results] == ["1.1.0", "1.0.0"]
    one = http.get(f"{server.url}/api/v1/perf/results/{results[0]['id']}").json()
    assert one["curve_points"][0] == "p50" and len(one["curves"]["corrected"]) == len(one["curve_points"])
    assert one["curves"]["corrected"] == sorted(one["curves"]["corrected"]), "a percentile curve never falls"
    assert one["target"]["headers"] == ["Authorization"]
    assert "perf-header-secret" not in http.get(f"{server.url}/api/v1/perf/results/{results[0]['id']}").text
    compared = http.get(
        f"{server.url}/api/v1/perf/compare",
        params={"baseline": results[1]["id"], "candidate": results[0]["id"]},
    ).json()
    assert compared["comparison"]["verdict"] in {
        "regression",
        "improvement",
        "no significant change",
        "not comparable",
    }
    assert http.get(f"{server.url}/api/v1/perf/results/nope").status_code == 404


def test_catalog_sources_and_search(ui_server: ServerFactory, designs: Path) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    sources = http.get(f"{server.url}/api/v1/catalog/sources").json()["sources"]
    assert "local" in [s["name"] for s in sources]
    found = http.get(f"{server.url}/api/v1/catalog/entries", params={"q": "istio tag:mtls"}).json()
    assert found["entries"] and all("mtls" in e["tags"] for e in found["entries"])
    assert http.get(f"{server.url}/api/v1/catalog/entries", params={"source": "nope"}).status_code == 404


def test_unknown_routes_and_methods_answer_in_the_error_shape(
    ui_server: ServerFactory, designs: Path
) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    missing = http.get(f"{server.url}/api/v1/nothing")
    assert missing.status_code == 404 and missing.json()["error"]["message"]
    wrong = http.delete(f"{server.url}/api/v1/designs")
    assert wrong.status_code == 405 and wrong.json()["error"]["message"]
