"""Many designs in one evaluation of the built-in library: each design gets exactly the findings it
gets alone. Real loader, renderer, shipped policies/ library, and both Rego engines (regorus, OPA).

The corpus is built so that any index crossing designs would show: fixtures/related.yaml (objects
that refer to each other in every way the cross-object checks follow) whole, twice (duplicates), and
each of its objects as a design of its own (references the whole copy would resolve), plus every
shipped pattern whole and in parts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from designer.adapters.registry import AdapterRegistry
from designer.errors import PolicyError
from designer.graph import build_graph
from designer.loading import load_file
from designer.policy.builtin import BuiltinChecks, DesignObjects
from designer.policy.engine import use_engine
from designer.policy.evaluator import PolicyOptions, PolicySet
from designer.rendering import render
from designer.validation import validate_files
from tests import engines
from tests.conftest import PATTERNS

FIXTURES = Path(__file__).parent / "fixtures"
REGISTRY = AdapterRegistry.from_entry_points()

# The checks that relate objects to each other: on related.yaml, each of them reports something
# different for the whole design than for its objects one by one, so a leak across designs would
# change its findings in the batch (DSN-066: duplicate Ingress hosts; the others resolve references,
# selectors, HPA targets, meshed namespaces and hosts).
CROSS_OBJECT_CHECKS = {
    "DSN-012", "DSN-052", "DSN-054", "DSN-060", "DSN-066", "DSN-070", "DSN-072", "DSN-073", "DSN-074",
    "DSN-075", "DSN-076", "DSN-077", "DSN-078", "DSN-100", "DSN-101", "DSN-102", "DSN-103", "DSN-106",
    "DSN-110", "DSN-111", "DSN-120", "DSN-122", "DSN-123",
}  # fmt: skip


def _designs(path: Path) -> list[DesignObjects]:
    found: list[DesignObjects] = []
    for design in load_file(path):
        graph = build_graph(design)
        found.append((render(design, graph, REGISTRY), graph.edges))
    return found


def _parts(design: DesignObjects) -> list[DesignObjects]:
    """Each object of ``design`` as a design of its own."""
    return [([item], ()) for item in design[0]]


@pytest.fixture(scope="module", params=engines.ENGINES)
def policies(request: pytest.FixtureRequest) -> PolicySet:
    """The shipped library on each Rego engine: batching must hold whichever engine evaluates."""
    with use_engine(engines.require(request.param)):
        return PolicySet.load(PolicyOptions(annotation_waivers=False))


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every evaluation of the library, as the input it is given (whichever engine runs it;
    the real engine answers)."""
    inputs: list[object] = []
    real = BuiltinChecks._set_input

    def counted(self: BuiltinChecks, document: Mapping[str, Any]) -> None:
        inputs.append(document)
        real(self, document)

    monkeypatch.setattr(BuiltinChecks, "_set_input", counted)
    return inputs


def test_a_batch_gives_each_design_its_findings_alone(
    policies: PolicySet, monkeypatch: pytest.MonkeyPatch
) -> None:
    (related,) = _designs(FIXTURES / "related.yaml")
    patterns = [d for path in sorted(PATTERNS.glob("*.yaml")) for d in _designs(path)]
    designs = [related, related, *_parts(related)]
    for pattern in patterns:
        designs += [pattern, *_parts(pattern)]
    alone = [policies.evaluate(objects, edges) for objects, edges in designs]

    queries = _counting(monkeypatch)
    batched = policies.evaluate_many(designs)

    assert policies.builtin is not None and policies.builtin.batches
    assert len(queries) == 1  # every design in one evaluation
    assert batched == alone
    assert sum(len(r.findings) for r in batched) > 300


def test_the_corpus_exercises_every_cross_object_check(policies: PolicySet) -> None:
    """Without this, the equality above could hold because no cross-object check fired."""
    (related,) = _designs(FIXTURES / "related.yaml")
    whole = {f.id for f in policies.evaluate(*related).findings}
    parts = {f.id for part in _parts(related) for f in policies.evaluate(*part).findings}
    assert whole ^ parts == CROSS_OBJECT_CHECKS


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "example/web:1", ports: [{containerPort: 8080}]}]
"""


def test_a_service_in_one_file_never_selects_the_pods_of_another(tmp_path: Path, policies: PolicySet) -> None:
    (tmp_path / "a-service.yaml").write_text(SERVICE)
    (tmp_path / "b-deployment.yaml").write_text(DEPLOYMENT)
    (tmp_path / "c-both.yaml").write_text(SERVICE + "---\n" + DEPLOYMENT)
    files = sorted(tmp_path.glob("*.yaml"))

    run = validate_files(files, {}, policies, REGISTRY, jobs=1)

    selects_nothing = [f for f in run.report.findings if f.id == "DSN-070"]
    assert [Path(f.file or "").name for f in selects_nothing] == ["a-service.yaml"]
    assert len(run.designs) == 3 and not run.errors


DESIGN_WIDE = """\
package designer.checks.batch_design_wide

import rego.v1

metadata := {"id": "TST-104", "title": "Designs have a NetworkPolicy", "severity": "low"}

findings contains {"design": d, "msg": "the design has no NetworkPolicy"} if {
	some entry in input.objects
	d := entry.design
	not _has_policy(d)
}

_has_policy(d) if {
	some entry in input.objects
	entry.design == d
	entry.kind == "NetworkPolicy"
}
"""

NO_DESIGN = """\
package designer.checks.batch_no_design

import rego.v1

metadata := {"id": "TST-105", "title": "Always", "severity": "low"}

findings contains {"msg": "somewhere"} if count(input.objects) > 0
"""


def _checks(tmp_path: Path, source: str) -> BuiltinChecks:
    root = tmp_path / "checks"
    root.mkdir(exist_ok=True)
    (root / "check.rego").write_text(source)
    return BuiltinChecks([root])


def _two_designs(tmp_path: Path) -> list[DesignObjects]:
    (tmp_path / "with.yaml").write_text(
        DEPLOYMENT + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n"
    )
    (tmp_path / "without.yaml").write_text(DEPLOYMENT)
    return [*_designs(tmp_path / "with.yaml"), *_designs(tmp_path / "without.yaml")]


def test_other_check_roots_are_evaluated_design_by_design(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rego that designer did not ship may relate objects without the design key: never batched."""
    checks = _checks(tmp_path, DESIGN_WIDE)
    assert not checks.batches
    queries = _counting(monkeypatch)
    found = checks.evaluate_many(_two_designs(tmp_path))
    assert len(queries) == 2
    assert [[f.file for f in fs] for fs in found] == [[], [str(tmp_path / "without.yaml")]]


def test_design_wide_findings_of_a_batch_go_to_the_design_they_name(tmp_path: Path) -> None:
    checks = _checks(tmp_path, DESIGN_WIDE)
    checks.batches = True  # as if shipped: the check keys its finding by design
    found = checks.evaluate_many(_two_designs(tmp_path))
    assert [[(f.id, f.file, f.line) for f in fs] for fs in found] == [
        [],
        [("TST-104", str(tmp_path / "without.yaml"), 1)],
    ]


def test_a_design_wide_finding_that_names_no_design_in_a_batch_is_a_policy_error(tmp_path: Path) -> None:
    checks = _checks(tmp_path, NO_DESIGN)
    designs: Sequence[DesignObjects] = _two_designs(tmp_path)
    assert [len(fs) for fs in checks.evaluate_many(designs[:1])] == [1]  # alone, it is the design's
    checks.batches = True
    with pytest.raises(PolicyError, match=r"TST-105.*neither an object index nor a design"):
        checks.evaluate_many(designs)
