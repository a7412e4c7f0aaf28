"""The built-in Rego library: runs every Rego unit test and checks the library's structure.

Each ``test_*`` rule of policies/**/*_test.rego becomes one pytest case (named by its package and
rule), evaluated with the real regorus engine through designer.policy.rego_tests. The structure
tests enforce the contract shared with the evaluator: one check per file, package
``designer.checks.<file name>``, complete metadata, unique ids, and passing and failing cases.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from designer.policy import rego_tests
from designer.policy.backend import RegoEngine, RegoModule
from designer.policy.builtin import object_entry
from tests.conftest import ROOT

POLICIES = ROOT / "policies"
AREAS = {
    "security",
    "images",
    "resources",
    "reliability",
    "network",
    "references",
    "rbac",
    "metadata",
    "istio",
    "linkerd",
}
SEVERITIES = {"critical", "high", "medium", "low", "info"}

MODULES = rego_tests.collect_modules([POLICIES], with_library=False)
TESTS = rego_tests.discover(MODULES)
CHECK_FILES = sorted(
    p for p in POLICIES.glob("*/*.rego") if not p.name.endswith("_test.rego") and p.parent.name != "lib"
)


@pytest.fixture(scope="module")
def engine() -> RegoEngine:
    return rego_tests.load_engine(MODULES)


@pytest.fixture(scope="module")
def checks_engine() -> RegoEngine:
    """Only the checks and their library, as the evaluator loads them (no test packages)."""
    eng = RegoEngine()
    for module in MODULES:
        if not module.path.endswith("_test.rego") and not module.path.endswith("lib/testing.rego"):
            eng.add_module(module)
    return eng


@pytest.mark.parametrize("test", TESTS, ids=[t.test_id for t in TESTS])
def test_rego_unit_test(engine: RegoEngine, test: rego_tests.RegoTest) -> None:
    result = rego_tests.run_test(engine, test)
    assert result.outcome == "pass", f"{test.file}:{test.line}: {result.message}"


def test_library_has_at_least_40_checks() -> None:
    assert len(CHECK_FILES) >= 40, [p.name for p in CHECK_FILES]
    stems = [p.stem for p in CHECK_FILES]
    assert len(set(stems)) == len(stems), "two checks share a file name (and so a package)"


@pytest.mark.parametrize("path", CHECK_FILES, ids=[p.stem for p in CHECK_FILES])
def test_check_layout_and_cases(path: Path) -> None:
    """One check per file, in a known area, with a test file holding passing and failing cases."""
    assert path.parent.name in AREAS
    text = path.read_text(encoding="utf-8")
    assert re.search(rf"^package designer\.checks\.{path.stem}$", text, re.MULTILINE), path
    assert re.search(r"^findings contains f if", text, re.MULTILINE), path
    test_file = path.with_name(f"{path.stem}_test.rego")
    assert test_file.is_file(), f"{test_file.name} is missing"
    names = {t.name for t in TESTS if t.file == str(test_file)}
    assert any(n.startswith("test_pass_") for n in names), f"{test_file.name}: no test_pass_* case"
    assert any(n.startswith("test_fail_") for n in names), f"{test_file.name}: no test_fail_* case"


def _metadata(engine: RegoEngine) -> dict[str, dict[str, Any]]:
    return {p.stem: engine.eval_rule(f"data.designer.checks.{p.stem}.metadata") for p in CHECK_FILES}


def test_metadata_complete_and_ids_unique(checks_engine: RegoEngine) -> None:
    metadata = _metadata(checks_engine)
    ids: dict[str, str] = {}
    for name, meta in metadata.items():
        assert isinstance(meta, dict), f"{name}: metadata is not an object"
        for field in ("id", "title", "severity", "rationale", "remediation"):
            assert isinstance(meta.get(field), str) and meta[field].strip(), (
                f"{name}: metadata.{field} missing"
            )
        assert re.fullmatch(r"DSN-\d{3}", meta["id"]), f"{name}: bad id {meta['id']}"
        assert meta["severity"] in SEVERITIES, f"{name}: bad severity {meta['severity']}"
        assert isinstance(meta.get("kinds", []), list), f"{name}: kinds must be a list"
        assert meta["id"] not in ids, f"{name} reuses {meta['id']} of {ids.get(meta['id'])}"
        ids[meta["id"]] = name


def test_runner_reports_failures_and_errors(tmp_path: Path) -> None:
    """The runner must not call a false, undefined or crashing test a pass."""
    (tmp_path / "x_test.rego").write_text(
        "package x_test\n\n"
        "test_true if { 1 == 1 }\n\n"
        "test_false if { 1 == 2 }\n\n"
        'test_crash if { to_number("abc") == 1 }\n',
        encoding="utf-8",
    )
    results = {r.test.name: r for r in rego_tests.run([tmp_path], with_library=False)}
    assert {n: r.outcome for n, r in results.items()} == {
        "test_crash": "error",
        "test_false": "fail",
        "test_true": "pass",
    }
    assert "undefined" in results["test_false"].message


def test_runner_loads_library_for_user_tests(tmp_path: Path) -> None:
    """User tests can use the built-in fixtures and checks (the library is loaded beside them)."""
    (tmp_path / "mine_test.rego").write_text(
        "package mine_test\n\nimport rego.v1\n\n"
        "test_uses_library if {\n"
        "\tcount(data.designer.lib.testing.input_of([{}]).objects) == 1\n"
        "}\n",
        encoding="utf-8",
    )
    results = rego_tests.run([tmp_path])
    assert [(r.test.name, r.outcome) for r in results] == [("test_uses_library", "pass")]


def test_precomputed_identity_matches_the_rego_helpers() -> None:
    """designer precomputes each entry's kind, namespace and name; the unit tests' input_of computes
    them with the Rego helpers. Odd objects must come out the same both ways, or the Rego tests would
    not test what designer evaluates."""
    import json

    odd: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}},
        {"kind": 5, "metadata": {"name": 12, "namespace": 7}},
        {"metadata": None},
        {"kind": "Pod", "metadata": ["not", "a", "mapping"]},
        {},
    ]
    engine = RegoEngine()
    for module in rego_tests.collect_modules([], with_library=True):
        if module.path.startswith("policies/lib/") and not module.path.endswith("_test.rego"):
            engine.add_module(module)
    engine.set_input({})
    from_rego = engine.eval_query(f"data.designer.lib.testing.input_of({json.dumps(odd)})")[0]["objects"]
    fields = ("kind", "namespace", "name")
    expected = [{k: object_entry(i, "c", "f", 1, o)[k] for k in fields} for i, o in enumerate(odd)]
    assert [{k: e[k] for k in fields} for e in from_rego] == expected
    assert expected[1] == {"kind": "ConfigMap", "namespace": "default", "name": "c"}
    assert expected[2] == {"kind": "", "namespace": "default", "name": ""}


def test_module_paths_do_not_leak_machine_paths() -> None:
    """Built-in modules are named policies/<area>/<file> in errors, whatever the checkout path."""
    shown = {m.path for m in rego_tests.collect_modules([], with_library=True)}
    assert "policies/lib/k8s.rego" in shown
    assert all(p.startswith("policies/") for p in shown)


def test_findings_shape_on_a_mixed_design(checks_engine: RegoEngine) -> None:
    """One evaluation of data.designer.checks over a whole design: every finding is well formed."""
    design = mixed_design(40)
    eng = checks_engine.clone()
    eng.set_input(design)
    result = eng.eval_query("data.designer.checks")[0]
    names = {p.stem for p in CHECK_FILES}
    assert names <= set(result), sorted(names - set(result))
    total = 0
    for name in names:
        for finding in result[name].get("findings", []):
            assert set(finding) == {"index", "msg", "path"}, (name, finding)
            assert 0 <= finding["index"] < len(design["objects"])
            assert finding["msg"]
            total += 1
    assert total > 0


def test_module_loading_is_clean() -> None:
    """Every module parses (a parse error would raise here with its file:line)."""
    eng = RegoEngine()
    for module in MODULES:
        eng.add_module(RegoModule(module.path, module.text))
    assert len(eng.packages) == len(MODULES)


def mixed_design(n: int) -> dict[str, Any]:
    """A design input of about ``n`` objects: workloads, Services, ConfigMaps, Istio and RBAC objects.

    Groups of ten objects per app, spread over a few namespaces, some of them deliberately broken
    (missing references, latest tags, privileged containers) so every kind of rule does work.
    """
    objects: list[dict[str, Any]] = []
    app = 0
    while len(objects) < n:
        ns = f"ns{app % 5}"
        name = f"app{app}"
        labels = {"app": name, "app.kubernetes.io/name": name}
        meta = {"name": name, "namespace": ns, "labels": labels}
        container = {
            "name": "main",
            "image": f"registry.example.com/{name}:{'latest' if app % 3 == 0 else '1.0'}",
            "ports": [{"name": "http", "containerPort": 8080}],
            "securityContext": {"privileged": app % 7 == 0, "runAsNonRoot": True},
            "envFrom": [{"configMapRef": {"name": f"{name}-config" if app % 4 else "missing"}}],
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}},
            "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
        }
        pod_spec = {
            "containers": [container, dict(container, name="sidecar", ports=[])],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": f"{name}-data"}}],
            "serviceAccountName": name,
        }
        kind = ("Deployment", "StatefulSet", "DaemonSet")[app % 3]
        spec: dict[str, Any] = {
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": labels}, "spec": pod_spec},
        }
        if kind != "DaemonSet":
            spec["replicas"] = 1 + app % 3
        objects += [
            {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec},
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": meta,
                "spec": {
                    "selector": {"app": name if app % 5 else f"{name}-typo"},
                    "ports": [{"port": 80, "targetPort": "http" if app % 6 else "web"}],
                    "type": "NodePort" if app % 8 == 0 else "ClusterIP",
                },
            },
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": dict(meta, name=f"{name}-config"),
                "data": {},
            },
            {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
            {
                "apiVersion": "networking.istio.io/v1",
                "kind": "VirtualService",
                "metadata": meta,
                "spec": {
                    "hosts": [name],
                    "http": [{"route": [{"destination": {"host": name, "subset": "v1"}}]}],
                },
            },
            {
                "apiVersion": "networking.istio.io/v1",
                "kind": "DestinationRule",
                "metadata": meta,
                "spec": {"host": name, "subsets": [{"name": "v1" if app % 2 else "v2", "labels": labels}]},
            },
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": meta,
                "spec": {"selector": {"matchLabels": {"app": name}}, "maxUnavailable": 1},
            },
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": meta,
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
                    "maxReplicas": 3,
                },
            },
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": meta,
                "spec": None,
                "rules": [
                    {"apiGroups": [""], "resources": ["secrets" if app % 2 else "pods"], "verbs": ["get"]}
                ],
            },
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": meta,
                "spec": {"podSelector": {"matchLabels": {"app": name}}},
            },
        ]
        app += 1
    objects = objects[:n]
    return {
        "objects": [object_entry(i, f"c{i}", "design.yaml", i + 1, obj) for i, obj in enumerate(objects)],
        "edges": [],
    }


def test_one_evaluation_of_1000_objects_stays_fast(checks_engine: RegoEngine) -> None:
    """Acceptance: all checks over 1,000 objects in one evaluation in under 1 s (bounded at 3 s here
    so a loaded 2-core CI machine does not flake; a quadratic check would take far longer). CPU time,
    not wall time: other processes on a shared machine stretch the wall clock, not this one's CPU."""
    import json
    import time

    text = json.dumps(mixed_design(1000))
    eng = checks_engine.clone()
    started = time.process_time()
    eng.set_input_json(text)
    result = eng.eval_query("data.designer.checks")[0]
    elapsed = time.process_time() - started
    assert sum(len(v.get("findings", [])) for v in result.values()) > 1000
    assert elapsed < 3.0, f"one evaluation of 1,000 objects took {elapsed:.2f} s"


def hardened_design() -> list[dict[str, Any]]:
    """A small design that follows every recommendation of the library (no finding expected)."""
    labels = {"app": "web", "version": "v1", "app.kubernetes.io/name": "web"}

    def meta(name: str) -> dict[str, Any]:
        return {"name": name, "namespace": "shop", "labels": labels}

    container = {
        "name": "web",
        "image": "registry.example.com/web:1.4.2@sha256:" + "ab" * 32,
        "ports": [{"name": "http", "containerPort": 8080}],
        "envFrom": [{"configMapRef": {"name": "web-settings"}}],
        "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "resources": {
            "requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "1", "memory": "128Mi"},
        },
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
    }
    pod_spec = {
        "serviceAccountName": "web",
        "automountServiceAccountToken": False,
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "topologySpreadConstraints": [
            {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"}
        ],
        "containers": [container],
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}},
        },
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("web")},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("web-settings"), "data": {"MODE": "prod"}},
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta("db"),
            "stringData": {"password": "from-vault"},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta("web"),
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": labels}, "spec": pod_spec},
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta("web"),
            "spec": {
                "selector": {"app": "web"},
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta("web"),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}},
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": meta("web"),
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 3,
                "maxReplicas": 6,
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": meta("default-deny"),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": meta("web"),
            "spec": {
                "tls": [{"hosts": ["shop.example.com"], "secretName": "db"}],
                "rules": [
                    {
                        "host": "shop.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "web", "port": {"number": 80}}},
                                }
                            ]
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "VirtualService",
            "metadata": meta("web"),
            "spec": {
                "hosts": ["web"],
                "http": [{"timeout": "5s", "route": [{"destination": {"host": "web", "subset": "v1"}}]}],
            },
        },
        {
            "apiVersion": "networking.istio.io/v1",
            "kind": "DestinationRule",
            "metadata": meta("web"),
            "spec": {
                "host": "web.shop.svc.cluster.local",
                "subsets": [{"name": "v1", "labels": {"version": "v1"}}],
            },
        },
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "PeerAuthentication",
            "metadata": meta("default"),
            "spec": {"mtls": {"mode": "STRICT"}},
        },
        {
            "apiVersion": "security.istio.io/v1",
            "kind": "AuthorizationPolicy",
            "metadata": meta("web"),
            "spec": {"rules": [{"from": [{"source": {"namespaces": ["shop"]}}]}]},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta("web"),
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
        },
    ]


def test_hardened_design_has_no_finding(checks_engine: RegoEngine) -> None:
    """No false positive across the whole library on a design that does everything right."""
    objects = hardened_design()
    eng = checks_engine.clone()
    eng.set_input(
        {
            "objects": [object_entry(i, f"c{i}", "design.yaml", 1, o) for i, o in enumerate(objects)],
            "edges": [],
        }
    )
    result = eng.eval_query("data.designer.checks")[0]
    found = {name: body["findings"] for name, body in result.items() if body.get("findings")}
    assert found == {}
    checks = [
        p
        for p in (ROOT / "policies").rglob("*.rego")
        if not p.name.endswith("_test.rego") and p.parent.name != "lib"
    ]
    assert len(result) == len(checks) >= 70  # every check ran (an empty library would find nothing too)


def test_runner_discovers_rule_forms_and_filters(tmp_path: Path) -> None:
    """`test_x if` and `test_x :=` heads are tests; a second `test_x` of a package runs too, as
    `test_x#01` (as in `opa test`); match filters by id."""
    (tmp_path / "forms_test.rego").write_text(
        "package forms_test\n\nimport rego.v1\n\n"
        "test_if_form if { true }\n\n"
        "test_assign_form := true\n\n"
        "test_if_form if { false }\n\n"
        "helper_test_not_a_test if { true }\n",
        encoding="utf-8",
    )
    results = rego_tests.run([tmp_path], with_library=False)
    assert sorted((r.test.name, r.test.line, r.outcome) for r in results) == [
        ("test_assign_form", 7, "pass"),
        ("test_if_form", 5, "pass"),
        ("test_if_form#01", 9, "fail"),
    ]
    only = rego_tests.run([tmp_path], with_library=False, match="assign")
    assert [r.test.name for r in only] == ["test_assign_form"]


def test_runner_reports_missing_path(tmp_path: Path) -> None:
    from designer.errors import PolicyError

    with pytest.raises(PolicyError, match="no such policy file or folder"):
        rego_tests.run([tmp_path / "absent"])
