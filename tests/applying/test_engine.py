"""The apply engine's scheduling, readiness gates, failures, rollback and prune, on the FakeCluster.

Plans are built by hand here (one Step per object) so each test states exactly what the engine is
given; the end-to-end path (loader → diff → engine → sandbox) is in test_sandbox_apply.py.
"""

from __future__ import annotations

import time
from typing import Any

from designer.applying.engine import ApplyOptions, apply_plan
from designer.applying.events import Event, EventKind
from designer.cluster.errors import UnreachableError
from designer.cluster.inventory import inventory_ref, ownership_labels, read_inventory
from designer.errors import Location
from designer.model import Component, KubeObject, ObjectRef
from designer.planning import Action, Plan, Step
from designer.rendering import with_intent
from tests.applying.fakecluster import FakeCluster, conflict, invalid


def _component(name: str, kind: str = "Deployment", **traits: Any) -> Component:
    api = {"Deployment": "apps/v1", "Namespace": "v1", "ConfigMap": "v1"}.get(kind, "example.com/v1")
    return Component(
        name=name,
        kind=kind,
        api_version=api,
        namespace=None if kind == "Namespace" else "ns",
        traits=traits,
        location=Location("design.yaml", 1),
        key_path=f"components.{name}",
    )


def _body(comp: Component, **spec: Any) -> KubeObject:
    body = with_intent(comp, comp.to_object())  # as designer.rendering.render builds it
    body["spec"] = {"replicas": 1, **spec} if comp.kind == "Deployment" else spec
    return body


def _plan(components: list[Component], cluster: FakeCluster, **spec: Any) -> Plan:
    steps = []
    for comp in components:
        body = _body(comp, **spec)
        ref = ObjectRef.of(body)
        live = cluster.objects.get(ref)
        action = Action.CREATE if live is None else Action.UPDATE
        steps.append(Step(action=action, component=comp.name, ref=ref, desired=body, live=live))
    return Plan(steps=tuple(steps), context="fake", design="demo")


def _run(
    cluster: FakeCluster,
    components: list[Component],
    deps: dict[str, list[str]],
    plan: Plan | None = None,
    **options: Any,
) -> tuple[Any, list[Event]]:
    events: list[Event] = []
    result = apply_plan(
        cluster,
        plan or _plan(components, cluster),
        design="demo",
        components=components,
        dependencies=deps,
        options=ApplyOptions(timeout=5, **options),
        emit=events.append,
    )
    return result, events


# a (0.2 s) -> c ; b (0.05 s) -> d ; c -> e ; d has no other deps
GRAPH = {"c": ["a"], "d": ["b"], "e": ["c", "d"]}


def test_node_starts_when_its_own_dependencies_are_ready_not_by_waves(fake_cluster: FakeCluster) -> None:
    comps = [_component(n) for n in "abcde"]
    fake_cluster.ready_after.update({"a": 0.3, "b": 0.02})
    result, _ = _run(fake_cluster, comps, GRAPH)
    assert result.ok and result.ready[-1] == "e"
    at = {ref.name: t for t, verb, ref in fake_cluster.log if verb == "apply" and ref.kind == "Deployment"}
    ready = {ref.name: t for ref, t in fake_cluster.ready_at.items()}
    for node, deps in GRAPH.items():
        for dep in deps:
            assert at[node] >= ready[dep], f"{node} written before {dep} was ready"
    # d waits only for b: it starts long before a is ready (strict waves would hold it back)
    assert at["d"] < ready["a"]


def test_concurrency_limits_requests_in_flight_not_waits(fake_cluster: FakeCluster) -> None:
    comps = [_component(f"w{i}") for i in range(12)]
    fake_cluster.latency = 0.02
    fake_cluster.ready_after.update({c.name: 0.3 for c in comps})
    started = time.monotonic()
    result, _ = _run(fake_cluster, comps, {}, concurrency=2)
    elapsed = time.monotonic() - started
    assert result.ok
    assert fake_cluster.max_in_flight == 2
    # 12 writes of 20 ms, 2 at a time (0.12 s), then the 0.3 s waits overlap instead of queueing
    assert elapsed < 0.3 * 3, elapsed


def test_reapply_unchanged_sends_no_writes(fake_cluster: FakeCluster) -> None:
    comps = [_component(n) for n in "abc"]
    first, _ = _run(fake_cluster, comps, {"b": ["a"]})
    assert first.ok and len(first.applied) == 3
    inventory = read_inventory(fake_cluster, "demo")
    assert [r.name for r in inventory.refs] == ["a", "b", "c"]
    log_len = len(fake_cluster.log)
    noop = Plan(
        steps=tuple(
            Step(
                action=Action.NOOP,
                component=s.component,
                ref=s.ref,
                desired=s.desired,
                live=fake_cluster.get(s.ref),
            )
            for s in _plan(comps, fake_cluster).steps
        )
    )
    again, events = _run(fake_cluster, comps, {"b": ["a"]}, plan=noop)
    assert again.ok and again.applied == [] and len(again.unchanged) == 3
    assert len(fake_cluster.log) == log_len, "a re-apply of an unchanged design wrote something"
    assert [e.kind for e in events].count(EventKind.UNCHANGED) == 3


def test_objects_carry_ownership_labels(fake_cluster: FakeCluster) -> None:
    comps = [_component("a")]
    _run(fake_cluster, comps, {})
    labels = fake_cluster.objects[ObjectRef("apps/v1", "Deployment", "ns", "a")]["metadata"]["labels"]
    assert ownership_labels("demo").items() <= labels.items()


def test_permanent_422_fails_node_and_skips_exactly_its_dependents(fake_cluster: FakeCluster) -> None:
    comps = [_component(n) for n in "abcde"]
    fake_cluster.failing["c"] = invalid("c")
    fake_cluster.ready_after["b"] = 0.0
    result, events = _run(fake_cluster, comps, GRAPH, keep_going=True)
    assert [f.component for f in result.failed] == ["c"]
    failure = result.failed[0]
    assert failure.status == 422 and failure.reason == "Invalid"
    assert result.skipped == {"e": "c"}
    assert "d" in result.ready and "e" not in result.ready
    summary = next(e for e in events if e.kind is EventKind.SUMMARY).as_json()
    assert summary["failed"] == 1 and summary["skipped"] == 1


def test_failure_stops_new_work_without_keep_going(fake_cluster: FakeCluster) -> None:
    comps = [_component(n) for n in "abcde"]
    fake_cluster.failing["a"] = invalid("a")
    fake_cluster.ready_after["b"] = 0.2
    result, _ = _run(fake_cluster, comps, GRAPH, concurrency=1)
    assert [f.component for f in result.failed] == ["a"]
    assert set(result.skipped) == {"c", "e"}  # depend on a
    assert (set(result.cancelled) <= {"b", "d"} and "b" not in result.ready) or "d" not in result.ready


def test_transient_error_is_retried_by_the_client_not_failed(fake_cluster: FakeCluster) -> None:
    """The real client retries 5xx itself (KubeCluster); the fake's 500 surfaces once as
    UnreachableError, which the engine only retries when asked (transient_retries)."""
    comps = [_component("a")]
    fake_cluster.failing["a"] = UnreachableError("apply a: HTTP 500", status=500)
    result, _ = _run(fake_cluster, comps, {})
    assert not result.ok and result.failed[0].status == 500


def test_terminal_rollout_failure_fails_fast(fake_cluster: FakeCluster) -> None:
    comps = [_component("a")]
    fake_cluster.terminal.add("a")
    started = time.monotonic()
    result, _ = _run(fake_cluster, comps, {})
    assert time.monotonic() - started < 1.0, "waited out the timeout instead of failing fast"
    assert result.failed[0].reason == "ReadinessFailed"
    assert "ProgressDeadlineExceeded" in result.failed[0].message


def test_readiness_timeout_reports_last_status(fake_cluster: FakeCluster) -> None:
    comps = [_component("slow", wait={"timeout": "0.2s"})]
    fake_cluster.ready_after["slow"] = 30
    result, _ = _run(fake_cluster, comps, {})
    assert result.failed[0].reason == "Timeout"
    assert "not ready after 0.2s" in result.failed[0].message


def test_wait_none_does_not_wait(fake_cluster: FakeCluster) -> None:
    comps = [_component("slow", wait="none")]
    fake_cluster.ready_after["slow"] = 30
    result, _ = _run(fake_cluster, comps, {})
    assert result.ok


def test_conflict_is_reported_per_field(fake_cluster: FakeCluster) -> None:
    comps = [_component("a")]
    fake_cluster.failing["a"] = conflict("a")
    result, _ = _run(fake_cluster, comps, {})
    assert result.failed[0].message == "conflict with other field managers: spec.replicas (owned by kubectl)"


def test_rollback_restores_updated_and_deletes_created(fake_cluster: FakeCluster) -> None:
    comps = [_component(n) for n in "abc"]
    _run(fake_cluster, comps[:1], {})
    before = {r: b for r, b in fake_cluster.objects.items() if r.kind == "Deployment"}
    fake_cluster.failing["c"] = invalid("c")
    plan = _plan(comps, fake_cluster, paused=True)  # a: update, b and c: create
    result, _ = _run(fake_cluster, comps, {"c": ["b"], "b": ["a"]}, plan=plan, rollback_on_failure=True)
    assert not result.ok
    assert {r.name for r in result.rolled_back} == {"a", "b"}
    after = {r: b for r, b in fake_cluster.objects.items() if r.kind == "Deployment"}
    assert set(after) == set(before)
    assert (
        after[ObjectRef("apps/v1", "Deployment", "ns", "a")]["spec"]
        == before[ObjectRef("apps/v1", "Deployment", "ns", "a")]["spec"]
    )


def test_prune_deletes_only_owned_objects_that_left_the_design(fake_cluster: FakeCluster) -> None:
    comps = [_component(n) for n in "abc"] + [_component("keep", prune=False)]
    _run(fake_cluster, comps, {})
    # "c" is replaced behind designer's back by an object without designer's labels
    stranger = ObjectRef("apps/v1", "Deployment", "ns", "c")
    fake_cluster.objects[stranger] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "c", "namespace": "ns", "labels": {"team": "x"}},
    }
    remaining = comps[:1]
    result, _ = _run(fake_cluster, remaining, {}, prune=True)
    assert result.ok
    assert [r.name for r in result.pruned] == ["b"]
    assert {r.name for r in result.protected} == {"c", "keep"}
    assert stranger in fake_cluster.objects
    assert ObjectRef("apps/v1", "Deployment", "ns", "keep") in fake_cluster.objects
    assert [r.name for r in read_inventory(fake_cluster, "demo").refs] == ["a"]


def test_without_prune_leftovers_stay_in_the_inventory(fake_cluster: FakeCluster) -> None:
    comps = [_component(n) for n in "ab"]
    _run(fake_cluster, comps, {})
    result, _ = _run(fake_cluster, comps[:1], {})
    assert result.pruned == []
    assert {r.name for r in read_inventory(fake_cluster, "demo").refs} == {"a", "b"}
    assert inventory_ref("demo") in fake_cluster.objects


def test_after_ready_hook_runs_once_per_component_after_readiness(fake_cluster: FakeCluster) -> None:
    comps = [_component(n) for n in "ab"]
    fake_cluster.ready_after["a"] = 0.05
    seen: list[tuple[str, bool]] = []

    def hook(name: str, objects: Any) -> None:
        ref = ObjectRef("apps/v1", "Deployment", "ns", name)
        seen.append((name, ref in fake_cluster.ready_at))

    result, _ = _run(fake_cluster, comps, {"b": ["a"]}, after_ready=hook)
    assert result.ok and seen == [("a", True), ("b", True)]


def test_request_limit_bounds_in_flight_requests_not_threads() -> None:
    """Through the limit, 16 threads sending requests never have more than 3 in flight at once."""
    from concurrent.futures import ThreadPoolExecutor

    from designer.applying.limiting import limit_requests

    fake = FakeCluster(latency=0.02)
    limited = limit_requests(fake, 3)
    bodies = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}", "namespace": "ns"}}
        for i in range(24)
    ]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(limited.apply, bodies))
    assert fake.max_in_flight == 3
    assert limit_requests(limited, 5).inner is fake  # re-wrapping replaces the limit, never nests
