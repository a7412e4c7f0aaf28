"""The dependency graph: inferred edges with reasons, deterministic order, waves, cycles."""

from __future__ import annotations

import random
import textwrap
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.errors import CycleError, Location, UnresolvedReferenceError
from designer.graph import build_graph
from designer.loading import load_text
from designer.model import Component, Design

HERE = Location("test.yaml", 1)


def comp(name: str, kind: str = "ConfigMap", api: str = "v1", **kw: Any) -> Component:
    return Component(name=name, kind=kind, api_version=api, location=HERE, key_path=name, **kw)


def design(*components: Component) -> Design:
    return Design(name="d", source_format="test", location=HERE, components=tuple(components))


def reasons(d: Design) -> dict[tuple[str, str], str]:
    return {(e.dependency, e.dependent): e.reason for e in build_graph(d).edges}


def test_inferred_edges_carry_their_reasons() -> None:
    pod = {
        "spec": {
            "template": {
                "spec": {
                    "serviceAccountName": "runner",
                    "imagePullSecrets": [{"name": "pull"}],
                    "volumes": [
                        {"name": "conf", "configMap": {"name": "cfg"}},
                        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                    ],
                    "containers": [
                        {"name": "app", "envFrom": [{"secretRef": {"name": "creds"}}]},
                    ],
                }
            }
        }
    }
    d = design(
        comp("ns", "Namespace", object_name="app"),
        comp("cfg", namespace="app"),
        comp("creds", "Secret", namespace="app"),
        comp("pull", "Secret", namespace="app"),
        comp("data", "PersistentVolumeClaim", namespace="app"),
        comp("runner", "ServiceAccount", namespace="app"),
        comp("web", "Deployment", "apps/v1", namespace="app", settings=pod),
        comp("other-cfg", namespace="elsewhere", object_name="cfg"),
    )
    found = reasons(d)
    assert found[("ns", "web")] == "Deployment web lives in namespace app"
    assert found[("cfg", "web")] == "Deployment web uses ConfigMap cfg (volume conf)"
    assert found[("creds", "web")] == "Deployment web uses Secret creds (envFrom of container app)"
    assert found[("pull", "web")] == "Deployment web uses Secret pull (imagePullSecrets)"
    assert found[("data", "web")] == "Deployment web uses PersistentVolumeClaim data (volume data)"
    assert found[("runner", "web")] == "Deployment web uses ServiceAccount runner (serviceAccountName)"
    assert ("other-cfg", "web") not in found  # same object name, other namespace


def test_crd_rbac_mesh_and_profile_edges() -> None:
    crd_spec = {"spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}}}
    d = design(
        comp("crd", "CustomResourceDefinition", "apiextensions.k8s.io/v1", settings=crd_spec),
        comp("widget", "Widget", "example.com/v1", namespace="x"),
        comp("role", "ClusterRole", "rbac.authorization.k8s.io/v1", object_name="reader"),
        comp(
            "binding",
            "ClusterRoleBinding",
            "rbac.authorization.k8s.io/v1",
            settings={"roleRef": {"kind": "ClusterRole", "name": "reader"}},
        ),
        comp("istio", "IstioMesh", "designer/v1"),
        comp("vs", "VirtualService", "networking.istio.io/v1beta1", namespace="x"),
        comp("meshed", "Namespace", labels={"istio-injection": "enabled"}),
        comp("plain", "Namespace"),
        comp("load", "PerformanceProfile", "designer/v1", settings={"targets": [{"component": "vs"}]}),
    )
    found = reasons(d)
    assert found[("crd", "widget")] == "CustomResourceDefinition crd defines kind Widget"
    assert found[("role", "binding")] == "ClusterRoleBinding binding binds ClusterRole reader"
    assert found[("istio", "vs")] == "VirtualService is a istio resource, served once istio is installed"
    assert found[("istio", "meshed")] == "namespace meshed is marked istio-injection for istio"
    assert ("istio", "plain") not in found
    assert found[("vs", "load")] == "performance profile load measures it"


def test_profile_target_must_exist() -> None:
    d = design(comp("load", "PerformanceProfile", "designer/v1", settings={"targets": [{"component": "wbe"}]}),
               comp("web", "Service"))  # fmt: skip
    with pytest.raises(UnresolvedReferenceError) as err:
        build_graph(d)
    assert err.value.hint == "did you mean 'web'?"


def test_depends_on_an_unknown_component_is_an_error_not_a_crash() -> None:
    # The loaders refuse this first; a Design built in code reaches build_graph unchecked.
    d = design(comp("web", "Service", depends_on=("cfgg",)), comp("cfg"))
    with pytest.raises(UnresolvedReferenceError) as err:
        build_graph(d)
    assert "'cfgg'" in err.value.message and err.value.hint == "did you mean 'cfg'?"


def test_a_self_dependency_is_a_one_step_cycle() -> None:
    with pytest.raises(CycleError) as err:
        build_graph(design(comp("a", depends_on=("a",)), comp("b")))
    assert err.value.chain == [("a", "a", "dependsOn")]


def test_order_breaks_ties_by_kind_rank_then_name() -> None:
    d = design(
        comp("b-deploy", "Deployment", "apps/v1"),
        comp("a-deploy", "Deployment", "apps/v1"),
        comp("svc", "Service"),
        comp("cfg"),
        comp("ns", "Namespace"),
        comp("widget", "Widget", "example.com/v1"),
    )
    assert build_graph(d).order() == ["ns", "cfg", "svc", "a-deploy", "b-deploy", "widget"]


def test_waves_group_what_can_run_together() -> None:
    d = design(
        comp("ns", "Namespace", object_name="app"),
        comp("cfg", namespace="app"),
        comp("svc", "Service", namespace="app"),
        comp("web", "Deployment", "apps/v1", namespace="app", depends_on=("cfg",)),
    )
    assert build_graph(d).waves() == [["ns"], ["cfg", "svc"], ["web"]]


def test_cycle_error_prints_the_whole_chain_with_reasons() -> None:
    text = textwrap.dedent(
        """\
        apiVersion: designer/v1
        kind: Design
        metadata: {name: loop}
        components:
          - {name: app, kind: Namespace, apiVersion: v1, dependsOn: [web]}
          - {name: web, kind: Deployment, apiVersion: apps/v1, namespace: app}
        """
    )
    with pytest.raises(CycleError) as err:
        build_graph(load_text(text, check_fields=False)[0])  # a Deployment without spec: the graph's case
    message = str(err.value)
    assert "dependency cycle:" in message
    assert "app → web  (Deployment web lives in namespace app)" in message
    assert "web → app  (dependsOn)" in message
    assert err.value.chain[0][0] == err.value.chain[-1][1]  # the chain closes


# --- properties -------------------------------------------------------------------------------

KINDS = ["Namespace", "ConfigMap", "Service", "Deployment", "Widget", "Job"]


@st.composite
def random_designs(draw: st.DrawFn, acyclic: bool) -> Design:
    n = draw(st.integers(min_value=1, max_value=25))
    kinds = [draw(st.sampled_from(KINDS)) for _ in range(n)]
    deps: list[set[int]] = [set() for _ in range(n)]
    for j in range(n):
        for i in draw(st.sets(st.integers(0, n - 1), max_size=4)):
            if i != j and (not acyclic or i < j):
                deps[j].add(i)
    return design(
        *(comp(f"c{j}", kinds[j], depends_on=tuple(sorted(f"c{i}" for i in deps[j]))) for j in range(n))
    )


@settings(max_examples=150, deadline=None)
@given(random_designs(acyclic=True))
def test_order_respects_every_edge(d: Design) -> None:
    g = build_graph(d)
    position = {name: i for i, name in enumerate(g.order())}
    assert sorted(position) == sorted(c.name for c in d.components)
    for edge in g.edges:
        assert position[edge.dependency] < position[edge.dependent]
    wave_of = {name: i for i, wave in enumerate(g.waves()) for name in wave}
    for edge in g.edges:
        assert wave_of[edge.dependency] < wave_of[edge.dependent]


def _has_cycle(d: Design) -> bool:
    # An independent check (depth-first search with colours) to compare the graph's verdict with.
    deps = {c.name: c.depends_on for c in d.components}
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in deps[node]:
            if state.get(nxt) == 1 or (state.get(nxt) is None and visit(nxt)):
                return True
        state[node] = 2
        return False

    return any(state.get(n) is None and visit(n) for n in deps)


@settings(max_examples=200, deadline=None)
@given(random_designs(acyclic=False))
def test_cycle_reported_exactly_when_one_exists(d: Design) -> None:
    if _has_cycle(d):
        with pytest.raises(CycleError) as err:
            build_graph(d)
        chain = err.value.chain
        assert chain[0][0] == chain[-1][1]
        for dependency, dependent, _ in chain:
            assert dependency in d.component(dependent).depends_on
    else:
        build_graph(d)


@settings(max_examples=100, deadline=None)
@given(random_designs(acyclic=True), st.randoms(use_true_random=False))
def test_order_is_deterministic_whatever_the_input_order(d: Design, rnd: random.Random) -> None:
    shuffled = list(d.components)
    rnd.shuffle(shuffled)
    other = Design(
        name=d.name, source_format=d.source_format, location=d.location, components=tuple(shuffled)
    )
    assert build_graph(d).order() == build_graph(other).order()
    assert build_graph(d).waves() == build_graph(other).waves()
