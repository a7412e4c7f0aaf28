"""The evaluator end to end on a real design file: built-in-style checks (test checks under fixtures/checks,
so the test does not depend on the shipped library's contents), conftest and Gatekeeper policies,
annotation and file waivers, and the lines findings point at. Real loader, graph, renderer and regorus.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from designer.adapters.registry import AdapterRegistry
from designer.errors import PolicyError
from designer.graph import build_graph
from designer.loading import load_file
from designer.model import Edge, RenderedObject
from designer.policy.evaluator import PolicyOptions, PolicySet, load_user_policies, merge
from designer.policy.findings import Finding, Report, Severity

FIXTURES = Path(__file__).parent / "fixtures"
CHECKS = FIXTURES / "checks"


def _design(path: Path = FIXTURES / "design.yaml") -> tuple[list[RenderedObject], tuple[Edge, ...]]:
    design = load_file(path)[0]
    graph = build_graph(design)
    from designer.rendering import render

    return render(design, graph, AdapterRegistry.from_entry_points()), graph.edges


def _run(**options: object) -> Report:
    objects, edges = _design()
    opts = PolicyOptions(builtin_roots=(CHECKS,), **options)  # type: ignore[arg-type]
    return PolicySet.load(opts).evaluate(objects, edges)


def _by_id(report: Report, check_id: str) -> list[Finding]:
    return [f for f in report.findings if f.id == check_id]


def test_builtin_checks_map_findings_to_components_and_lines() -> None:
    report = _run(annotation_waivers=False)
    (privileged,) = _by_id(report, "TST-001")
    assert privileged.severity is Severity.CRITICAL
    assert privileged.component == "web"
    assert str(privileged.object) == "Deployment/shop/web"
    assert privileged.path == "spec.template.spec.containers[0].securityContext.privileged"
    text = (FIXTURES / "design.yaml").read_text().splitlines()
    assert privileged.line is not None
    assert text[privileged.line - 1].strip() == "privileged: true"
    (latest,) = _by_id(report, "TST-002")
    assert latest.line is not None
    assert text[latest.line - 1].strip() == "image: nginx"
    (dangling,) = _by_id(report, "TST-003")
    assert dangling.component == "web-svc"
    assert not any(f.waived for f in report.findings)


def test_annotation_waiver_applies_and_reasonless_annotation_is_a_finding() -> None:
    report = _run()
    (latest,) = _by_id(report, "TST-002")
    assert latest.waived
    assert latest.waiver_source == "annotation"
    assert "SHOP-12" in (latest.waiver_reason or "")
    (missing,) = _by_id(report, "WAIVER-001")
    assert missing.component == "web-svc"
    assert missing.line == 36  # the annotation's own line
    assert "TST-001" in missing.message
    assert report.check("WAIVER-001") is not None


def test_waiver_file_applies_until_expiry_and_reports_expired_entries() -> None:
    report = _run(waivers_file=FIXTURES / "waivers.yaml", today=dt.date(2030, 1, 1))
    (privileged,) = _by_id(report, "TST-001")
    assert privileged.waived
    assert "team-shop" in (privileged.waiver_reason or "")
    (dangling,) = _by_id(report, "TST-003")
    assert not dangling.waived  # its waiver expired in 2020
    (expired,) = _by_id(report, "WAIVER-002")
    assert expired.file is not None and expired.file.endswith("waivers.yaml")
    assert expired.line == 7
    # the same file after 2099: the first waiver has expired too
    later = _run(waivers_file=FIXTURES / "waivers.yaml", today=dt.date(2100, 1, 1))
    assert not _by_id(later, "TST-001")[0].waived
    assert len(_by_id(later, "WAIVER-002")) == 2


def test_failing_ignores_waived_findings() -> None:
    report = _run(waivers_file=FIXTURES / "waivers.yaml", today=dt.date(2030, 1, 1))
    failing = report.failing(Severity.HIGH)
    assert {f.id for f in failing} == {"TST-003", "WAIVER-001"}
    assert report.failing(None) == []
    assert report.summary()["waived"] == 2


def test_conftest_v1_policies_per_object() -> None:
    report = _run(builtin=False, annotation_waivers=False, policy_paths=(FIXTURES / "conftest",))
    assert {(f.id, f.component, f.severity) for f in report.findings} == {
        ("main.deny", "web", Severity.HIGH),
        ("main.violation_replicas", "web", Severity.HIGH),
        ("main.warn", "web-svc", Severity.MEDIUM),
    }
    deny = _by_id(report, "main.deny")[0]
    assert deny.message == "web must run as non-root"
    assert deny.line == 7  # the component's line in design.yaml
    info = report.check("main.deny")
    assert info is not None and info.policy_file is not None and info.policy_file.endswith("main.rego")


def test_conftest_v0_policies_are_read_in_v0_mode() -> None:
    report = _run(builtin=False, annotation_waivers=False, policy_paths=(FIXTURES / "conftest_v0",))
    assert [(f.id, f.message) for f in report.findings] == [
        ("kubernetes.legacy.deny", "web has no team label"),
    ]


def test_gatekeeper_constraint_selects_by_kind_and_namespace() -> None:
    report = _run(builtin=False, annotation_waivers=False, policy_paths=(FIXTURES / "gatekeeper",))
    (finding,) = report.findings
    assert finding.id == "K8sRequiredTeam.deployments-need-team"
    assert finding.message == "Deployment web must have label team"
    assert finding.severity is Severity.HIGH


def test_no_policies_means_no_findings_but_a_report() -> None:
    report = _run(builtin=False, annotation_waivers=False)
    assert report.findings == ()
    assert report.summary()["objects"] == 2


def test_merge_keeps_every_finding() -> None:
    one = _run(annotation_waivers=False)
    both = merge([one, one])
    assert len(both.findings) == 2 * len(one.findings)
    assert len({c.id for c in both.checks}) == len(both.checks)


def test_policy_path_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="does not exist"):
        load_user_policies([tmp_path / "nope"])
    stray = tmp_path / "notes.txt"
    stray.write_text("x")
    with pytest.raises(PolicyError, match="not a policy file"):
        load_user_policies([stray])
    plain = tmp_path / "cm.yaml"
    plain.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(PolicyError, match="no ConstraintTemplate"):
        load_user_policies([plain])
    # in a folder, non-policy files are ignored
    assert load_user_policies([tmp_path]) == ([], None)


def test_constraint_without_template_is_an_error(tmp_path: Path) -> None:
    doc = (FIXTURES / "gatekeeper" / "required-team.yaml").read_text().split("---\n")[1]
    (tmp_path / "c.yaml").write_text(doc)
    objects, edges = _design()
    policies = PolicySet.load(PolicyOptions(builtin=False, policy_paths=(tmp_path,)))
    with pytest.raises(PolicyError, match="no template defines it"):
        policies.evaluate(objects, edges)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("waivers:\n  - id: X\n    reason: r\n    owner: o\n    expires: 2030-01-01\n", 2),
        ("waivers:\n  - id: X\n    component: c\n    reason: r\n    owner: o\n    expires: soon\n", 2),
        ("waivers: [\n", 2),
    ],
)
def test_invalid_waiver_files(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError) as info:
        PolicySet.load(PolicyOptions(builtin=False, waivers_file=path))
    assert info.value.location is not None
    assert info.value.location.line == line


def test_adapter_contributed_files_join_the_builtin_checks(tmp_path: Path) -> None:
    extra = tmp_path / "mesh_check.rego"
    extra.write_text(
        "package designer.checks.fixture_adapter\nimport rego.v1\n\n"
        'metadata := {"id": "TST-900", "title": "t", "severity": "low", "rationale": "", "remediation": ""}\n'
        'findings contains {"index": o.index, "msg": "seen"} if {\n  some o in input.objects\n'
        '  o.object.kind == "Service"\n}\n'
    )
    (tmp_path / "mesh_check_test.rego").write_text("package ignored\nthis is not rego\n")
    objects, edges = _design()
    options = PolicyOptions(
        builtin_roots=(CHECKS,),
        adapter_policies=(extra, tmp_path / "mesh_check_test.rego", CHECKS / "latest.rego"),
        annotation_waivers=False,
    )
    report = PolicySet.load(options).evaluate(objects, edges)
    (seen,) = _by_id(report, "TST-900")
    assert seen.component == "web-svc"
    assert len(_by_id(report, "TST-002")) == 1  # a file under the roots is loaded once


def test_conftest_exceptions_waive_the_named_rules() -> None:
    report = _run(builtin=False, annotation_waivers=False, policy_paths=(FIXTURES / "conftest_exceptions",))
    states = {(f.id, f.component): (f.waived, f.waiver_source) for f in report.findings}
    assert states == {
        ("main.deny_no_team", "web"): (True, "conftest-exception"),
        ("main.deny", "web-svc"): (False, None),
    }


def test_design_wide_findings_point_at_the_design_file() -> None:
    objects, edges = _design()
    options = PolicyOptions(builtin_roots=(FIXTURES / "design_wide",), annotation_waivers=False)
    (finding,) = PolicySet.load(options).evaluate(objects, edges).findings
    assert finding.id == "TST-004"
    assert finding.object is None and finding.component is None
    assert finding.file is not None and finding.file.endswith("design.yaml")
    assert finding.line == 1


def test_reused_engine_does_not_leak_between_designs(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: lonely, namespace: x}\nspec:\n  selector: {a: b}\n"
    )
    policies = PolicySet.load(PolicyOptions(builtin_roots=(CHECKS,), annotation_waivers=False))
    first = policies.evaluate(*_design())
    lonely = policies.evaluate(*_design(other))
    again = policies.evaluate(*_design())
    assert [f.id for f in lonely.findings] == ["TST-003"]
    assert lonely.findings[0].component is not None and "lonely" in lonely.findings[0].message
    assert again.findings == first.findings


def test_catalog_taken_from_an_evaluation_equals_a_fresh_one() -> None:
    """The catalog is filled by the first evaluation (no extra one); it must match one built alone."""
    evaluated = PolicySet.load(PolicyOptions(builtin_roots=(CHECKS,)))
    evaluated.evaluate(*_design())
    assert evaluated.builtin is not None and evaluated.builtin._catalog is not None
    fresh = PolicySet.load(PolicyOptions(builtin_roots=(CHECKS,)))
    assert evaluated.checks() == fresh.checks()
    assert {c.id for c in evaluated.checks()} == {"TST-001", "TST-002", "TST-003"}
