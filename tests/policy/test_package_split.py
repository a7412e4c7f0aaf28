"""One large evaluation of the built-in checks shared out over forked children (designer.policy.package_split):
the findings, their order and the catalog are those of a single evaluation, children really run, a
child that dies has its packages evaluated by the parent, and what must not fork does not.

Real loader, renderer, shipped policies/ library and regorus; `SPLIT_OBJECTS` is lowered so that the
shipped patterns (tens of objects) are large enough to split.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import designer.policy.package_split as package_split
from designer.adapters.registry import AdapterRegistry
from designer.errors import PolicyError
from designer.graph import build_graph
from designer.loading import load_file
from designer.policy.builtin import BuiltinChecks, DesignObjects
from designer.policy.engine import use_engine
from designer.policy.package_split import package_groups
from designer.rendering import render
from tests import engines
from tests.conftest import PATTERNS

REGISTRY = AdapterRegistry.from_entry_points()
CHECKS = BuiltinChecks()


def _designs() -> list[DesignObjects]:
    """Every shipped pattern's designs: one batch of several designs, so findings must also go back
    to the right design."""
    found: list[DesignObjects] = []
    for path in sorted(PATTERNS.glob("*.yaml")):
        for design in load_file(path):
            graph = build_graph(design)
            found.append((render(design, graph, REGISTRY), graph.edges))
    return found


DESIGNS = _designs()


@pytest.fixture
def small_split(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Split from one object on; returns the pids of the children forked for package groups."""
    monkeypatch.setattr(package_split, "SPLIT_OBJECTS", 1)
    started: list[int] = []
    real = package_split.fork_pickled

    def recording(work: object) -> package_split.Pending:
        child = real(work)  # type: ignore[arg-type]
        started.append(child.pid)
        return child

    monkeypatch.setattr(package_split, "fork_pickled", recording)
    return started


@pytest.mark.parametrize("jobs", [2, 3, 7])
def test_a_split_evaluation_gives_the_single_evaluations_findings(small_split: list[int], jobs: int) -> None:
    single = CHECKS.evaluate_many(DESIGNS, jobs=1)
    assert small_split == []
    assert sum(map(len, single)) > 30  # the comparison is not between empty results
    split = CHECKS.evaluate_many(DESIGNS, jobs=jobs)
    assert len(small_split) == jobs - 1  # the parent evaluates the first group itself
    assert split == single  # every design's findings, in the same order


def test_a_child_that_dies_has_its_packages_evaluated_by_the_parent(
    small_split: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    single = CHECKS.evaluate_many(DESIGNS, jobs=1)
    parent = os.getpid()
    real = BuiltinChecks._package_findings

    def die_in_a_child(self: BuiltinChecks, *args: object) -> object:
        if os.getpid() != parent:
            os._exit(9)  # killed mid-evaluation: nothing reaches the parent
        return real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(BuiltinChecks, "_package_findings", die_in_a_child)
    assert CHECKS.evaluate_many(DESIGNS, jobs=3) == single
    assert len(small_split) == 2


def test_a_package_without_metadata_is_refused_as_in_a_single_evaluation(
    small_split: list[int], tmp_path: Path
) -> None:
    """A package of helpers only may leave its group's query undefined: the group then comes from
    the whole tree, so the package is named exactly as an unsplit evaluation names it."""
    root = tmp_path / "checks"
    root.mkdir()
    (root / "helpers.rego").write_text(
        "package designer.checks.helpers\n\nimport rego.v1\n\ntwice(x) := 2 * x\n"
    )
    (root / "check.rego").write_text(
        'package designer.checks.always\n\nimport rego.v1\n\nmetadata := {"id": "TST-1", "severity": "low"}\n\n'
        'findings contains {"index": e.index, "msg": "seen"} if some e in input.objects\n'
    )
    checks = BuiltinChecks([root])
    checks.batches = True
    errors = []
    for jobs in (1, 2):
        with pytest.raises(PolicyError) as raised:
            checks.evaluate_many(DESIGNS[:2], jobs=jobs)
        errors.append(str(raised.value))
    assert errors[0] == errors[1] and "designer.checks.helpers has no metadata" in errors[0]


def test_groups_deal_packages_round_robin_within_the_bounds() -> None:
    names = [f"p{i:02}" for i in range(7)]
    assert package_groups(names, objects=10 * package_split.SPLIT_OBJECTS, jobs=3) == [
        ["p00", "p03", "p06"],
        ["p01", "p04"],
        ["p02", "p05"],
    ]
    assert package_groups(names, objects=package_split.SPLIT_OBJECTS * 2, jobs=8) == [
        names[0::2],
        names[1::2],
    ]  # at most one group per SPLIT_OBJECTS objects
    assert package_groups(names, objects=package_split.SPLIT_OBJECTS - 1, jobs=8) == [names]
    assert package_groups(names, objects=10**6, jobs=1) == [names]
    assert len(package_groups(names[:2], objects=10**6, jobs=8)) == 2  # at most one per package


def test_a_process_running_other_threads_evaluates_in_one_group() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert package_groups(["a", "b"], objects=10**6, jobs=2) == [["a", "b"]]
    finally:
        stop.set()
        thread.join()


def test_an_engine_that_talks_to_a_server_never_splits(small_split: list[int]) -> None:
    """OPA's engine evaluates in `opa run --server` over one connection, which a child must not share."""
    with use_engine(engines.require("opa")):
        checks = BuiltinChecks()
    single = checks.evaluate_many(DESIGNS[:3], jobs=1)
    assert checks.evaluate_many(DESIGNS[:3], jobs=3) == single
    assert small_split == []
