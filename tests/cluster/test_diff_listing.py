"""The diff planner reads groups of objects with one LIST, against the sandbox over HTTP.

Checked through the sandbox's request log: one LIST per (apiVersion, kind, namespace) group of 3+
objects and no GET for its members, GETs for smaller groups, never a write that is not a dry run;
drift still names its field manager; deletes still come from the inventory only. The LIST-then-dry-run
race is made real (not mocked): a KubeCluster subclass changes the cluster with a real request right
after the LIST returns, and the plan must show the state the dry run saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from designer.adapters.registry import AdapterRegistry
from designer.cluster.inventory import with_ownership, write_inventory
from designer.cluster.kube import KubeCluster
from designer.cluster.kubeconfig import load_client
from designer.diffing.planner import plan_design
from designer.graph import build_graph
from designer.loading import load_paths
from designer.model import KubeObject, ObjectRef, RenderedObject
from designer.planning import Action, Plan
from designer.rendering import render
from designer.sandbox.runner import Sandbox

NAMES = ["a", "b", "c", "d"]
PREFIX = "/api/v1/namespaces/team"


def _design(tmp_path: Path, names: list[str]) -> list[RenderedObject]:
    lines = [
        "apiVersion: designer/v1",
        "kind: Design",
        "metadata: {name: team}",
        "components:",
        "- {name: ns, kind: Namespace, apiVersion: v1, objectName: team}",
    ]
    for name in names:
        lines.append(
            f"- {{name: cm-{name}, kind: ConfigMap, apiVersion: v1, namespace: team, objectName: {name},"
            f" settings: {{data: {{mode: fast}}}}}}"
        )
    lines.append(
        "- {name: pw, kind: Secret, apiVersion: v1, namespace: team, settings: {stringData: {p: x}}}"
    )
    path = tmp_path / "team.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (design,) = load_paths([path])
    return render(design, build_graph(design), AdapterRegistry.from_entry_points())


class Interleaving(KubeCluster):
    """A real KubeCluster that runs ``after_list`` (real requests) right after each LIST returns."""

    after_list: Callable[[], None] = staticmethod(lambda: None)

    def list(self, api_version: str, kind: str, **kwargs: Any) -> list[KubeObject]:
        items = super().list(api_version, kind, **kwargs)
        self.after_list()
        return items


@pytest.fixture
def team(sandbox: Sandbox) -> Iterator[Interleaving]:
    settings = load_client(sandbox.kubeconfig_path)
    cluster = Interleaving(settings.api_client, context_name=settings.context_name, retries=0)
    try:
        yield cluster
    finally:
        cluster.close()


def _apply_all(cluster: KubeCluster, objects: list[RenderedObject]) -> None:
    for obj in objects:
        cluster.apply(with_ownership(obj.body, "team"))


def _plan(
    cluster: KubeCluster,
    sandbox: Sandbox,
    objects: list[RenderedObject],
    *,
    meddled: frozenset[str] | set[str] = frozenset(),
) -> tuple[Plan, list[Any]]:
    """The plan and the requests sent meanwhile; fails if any write but ``meddled`` (METHOD path) was sent."""
    before = len(sandbox.requests)
    plan = plan_design(cluster, "team", objects, concurrency=4)
    sent = sandbox.requests[before:]
    writes = {f"{r.method} {r.path}" for r in sent if r.is_write and not r.dry_run}
    assert writes == meddled, "diff wrote to the cluster"
    return plan, sent


def _configmap(name: str, data: dict[str, str]) -> KubeObject:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "team"},
        "data": data,
    }


def test_one_list_per_group_and_drift_names_its_manager(
    team: Interleaving, sandbox: Sandbox, tmp_path: Path
) -> None:
    objects = _design(tmp_path, NAMES)
    _apply_all(team, objects)
    team.apply(_configmap("b", {"mode": "slow"}), field_manager="other-tool", force=True)
    plan, sent = _plan(team, sandbox, objects)

    gets = [(r.method, r.path) for r in sent if r.method == "GET" and r.path.startswith(PREFIX)]
    assert gets.count(("GET", f"{PREFIX}/configmaps")) == 1  # the 4 ConfigMaps: one LIST
    assert not [p for _, p in gets if p.startswith(f"{PREFIX}/configmaps/")]
    assert ("GET", f"{PREFIX}/secrets/pw") in gets  # a group of one keeps its GET
    dry_runs = [r for r in sent if r.method == "PATCH" and r.dry_run]
    assert len(dry_runs) == len(objects)  # the dry run stays per object

    by_name = {s.ref.name: s for s in plan.steps}
    assert by_name["b"].action is Action.UPDATE
    (change,) = by_name["b"].changes
    assert (change.path, change.before, change.after, change.manager) == (
        "data.mode",
        "slow",
        "fast",
        "other-tool",
    )
    assert {by_name[n].action for n in ("a", "c", "d", "pw")} == {Action.NOOP}


def test_deletes_come_from_the_inventory_not_from_the_listed_namespace(
    team: Interleaving, sandbox: Sandbox, tmp_path: Path
) -> None:
    objects = _design(tmp_path, NAMES)
    _apply_all(team, objects)
    write_inventory(team, "team", [obj.ref for obj in objects])
    team.apply(_configmap("someone-elses", {"x": "1"}), field_manager="kubectl")
    plan, sent = _plan(team, sandbox, _design(tmp_path, ["a", "b", "c"]))
    deletes = [s.ref for s in plan.steps if s.action is Action.DELETE]
    assert deletes == [ObjectRef("v1", "ConfigMap", "team", "d")]
    by_delete = next(s for s in plan.steps if s.action is Action.DELETE)
    assert by_delete.live is not None and by_delete.live["data"] == {"mode": "fast"}
    assert not [r for r in sent if r.method == "GET" and r.path.startswith(f"{PREFIX}/configmaps/")]
    assert "someone-elses" not in {s.ref.name for s in plan.steps}


def test_changes_after_the_list_are_read_again(team: Interleaving, sandbox: Sandbox, tmp_path: Path) -> None:
    """Between the LIST and the dry runs another tool changes b, creates c and deletes d: each of them
    is read again (its resourceVersion disagrees with the list's) and the plan shows the new state."""
    objects = _design(tmp_path, NAMES)
    _apply_all(team, [o for o in objects if o.ref.name != "c"])
    other = KubeCluster(load_client(sandbox.kubeconfig_path).api_client, context_name="other", retries=0)

    def meddle() -> None:
        team.after_list = staticmethod(lambda: None)
        other.apply(_configmap("b", {"mode": "slow"}), field_manager="other-tool", force=True)
        other.apply(with_ownership(_configmap("c", {"mode": "fast"}), "team"), field_manager="designer")
        other.delete(ObjectRef("v1", "ConfigMap", "team", "d"))

    team.after_list = staticmethod(meddle)
    try:
        plan, sent = _plan(
            team,
            sandbox,
            objects,
            meddled={
                f"PATCH {PREFIX}/configmaps/b",
                f"PATCH {PREFIX}/configmaps/c",
                f"DELETE {PREFIX}/configmaps/d",
            },
        )
    finally:
        other.close()
    by_name = {s.ref.name: s for s in plan.steps}
    assert by_name["b"].action is Action.UPDATE
    assert [(c.path, c.before, c.manager) for c in by_name["b"].changes] == [
        ("data.mode", "slow", "other-tool")
    ]
    assert by_name["c"].action is Action.NOOP  # absent from the list, present for the dry run
    assert by_name["d"].action is Action.CREATE  # listed, gone by the dry run
    assert by_name["a"].action is Action.NOOP
    reread = sorted(
        r.path.rsplit("/", 1)[1]
        for r in sent
        if r.method == "GET" and r.path.startswith(f"{PREFIX}/configmaps/")
    )
    assert reread == ["b", "c", "d"]
