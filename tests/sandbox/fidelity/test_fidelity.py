"""The differential fidelity suite: every scenario runs on the emulator and on the real control plane
at the same time, and the differences after normalization must be exactly the ones
designer/sandbox/FIDELITY.md lists (a new difference fails, and so does a listed one that is gone).

The real side is the test session's control plane (or DESIGNER_TEST_KUBECONFIG's cluster); without
the binaries these tests are skipped saying how to build them, and fail under CI. The emulator side is
started as ``design sandbox up`` starts it (controllers, TLS, a bearer token).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from designer.kubetypes import shapes
from designer.sandbox import discovery
from designer.sandbox.testing import EMULATOR, ENV_ENGINE, ENV_KUBECONFIG
from tests.sandbox.fidelity import compare, scenarios
from tests.sandbox.fidelity.client import Endpoint, endpoint
from tests.sandbox.fidelity.report import Result, differential, emulator, summary

ROOT = Path(__file__).resolve().parents[3]


def _load_types_generator() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("kube_types", ROOT / "scripts" / "kube-types.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def real(request: pytest.FixtureRequest) -> Iterator[Endpoint]:
    """The real Kubernetes API the emulator is compared with."""
    if os.environ.get(ENV_ENGINE, "").strip() == EMULATOR:
        pytest.skip(f"{ENV_ENGINE}=emulator: the differential suite needs the real control plane too")
    configured = os.environ.get(ENV_KUBECONFIG)
    if configured:
        target = endpoint("kube-apiserver", Path(configured))
    else:
        plane = request.getfixturevalue("_control_plane_session").get()
        assert plane.kubeconfig_path is not None
        target = endpoint("kube-apiserver", plane.kubeconfig_path)
    try:
        yield target
    finally:
        target.close()


@pytest.fixture(scope="module")
def result(real: Endpoint, tmp_path_factory: pytest.TempPathFactory) -> Result:
    with emulator(tmp_path_factory.mktemp("fidelity")) as sandbox:
        assert sandbox.kubeconfig_path is not None
        emulated = endpoint("emulator", sandbox.kubeconfig_path)
        try:
            return differential(emulated, real, scenarios.load_all())
        finally:
            emulated.close()


def test_scenario_files_load() -> None:
    loaded = scenarios.load_all()
    assert len(loaded) >= 30
    assert all(s.steps for s in loaded)


def test_a_bad_scenario_is_reported_with_where_and_what(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "- scenario: broken\n  steps:\n    - name: x\n      PATCH: /api/v1/x\n"
    )
    with pytest.raises(
        scenarios.ScenarioError, match=r"bad.yaml: scenario 'broken', step 'x': a PATCH needs 'as:'"
    ):
        scenarios.load_all(tmp_path)


def test_every_step_got_an_answer(result: Result) -> None:
    """No step failed in transport (connection refused, timeout): each engine answered each request."""
    for runs in (result.emulator, result.real):
        for run in runs.values():
            assert len(run.outcomes) == len(run.scenario.steps)
            broken = [o.step.name for o in run.outcomes if o.status < 0]
            assert not broken, f"{run.engine} {run.scenario.name}: no answer to {broken}"


def test_differences_are_exactly_the_listed_ones(result: Result) -> None:
    uncovered, unused = compare.reconcile(result.differences, compare.known())
    report = summary(result)
    assert not uncovered, (
        "differences FIDELITY.md does not list (fix the emulator or list them):\n"
        + "\n".join(
            f"  {d.scenario} / {d.step} / {d.path}: emulator {d.emulator}, real {d.real}" for d in uncovered
        )
        + f"\n{report}"
    )
    assert not unused, (
        "FIDELITY.md lists differences that no longer show (remove them):\n"
        + "\n".join(f"  {k.scenario} / {k.step} / {k.path}" for k in unused)
        + f"\n{report}"
    )
    print(report)


def test_the_known_differences_table_is_well_formed() -> None:
    table = compare.known()
    names = {s.name: {step.name for step in s.steps} for s in scenarios.load_all()}
    assert table, "no rows parsed from FIDELITY.md"
    for row in table:
        assert row.scenario in names, f"FIDELITY.md names no scenario {row.scenario!r}"
        assert row.step in names[row.scenario], f"{row.scenario} has no step {row.step!r}"
        assert len(row.reason) > 20, f"{row.scenario} / {row.step}: say why"


def test_the_types_file_is_the_servers(real: Endpoint) -> None:
    """data/types.json (the built-in kinds' shapes and discovery entries) is what the real server
    publishes: regenerate it with scripts/kube-types.py when the pinned version changes."""
    generator = _load_types_generator()
    version = real.session.get(f"{real.url}/version", timeout=30).json()["gitVersion"]
    recorded = json.loads(shapes.TYPES_FILE.read_text())
    if f"kube-apiserver {version}," not in recorded["source"]:
        pytest.skip(f"the real side is {version}; data/types.json records {recorded['source']}")
    made = generator.generate(real.session, real.url, version)
    assert made["kinds"] == recorded["kinds"]
    assert made["discovery"] == recorded["discovery"], "discovery changed: run scripts/kube-types.py"
    assert made["types"] == recorded["types"], "OpenAPI changed: run scripts/kube-types.py"


def test_storage_version_hashes_are_computed_as_the_server_does() -> None:
    """Custom resources' discovery entries carry a hash the emulator computes; the built-in entries
    the real server published check the function."""
    published = {
        key: entry
        for key, entry in json.loads(shapes.TYPES_FILE.read_text())["discovery"].items()
        if "storageVersionHash" in entry
    }
    assert len(published) >= 30
    stored_elsewhere = {"apiextensions.k8s.io/v1 customresourcedefinitions": "v1beta1"}  # kept at v1beta1
    for key, entry in published.items():
        group, _, version = key.partition(" ")[0].rpartition("/")
        version = stored_elsewhere.get(key, version)
        assert discovery.storage_version_hash(group, version, entry["kind"]) == entry["storageVersionHash"], (
            key
        )
    assert len(base64.b64decode(discovery.storage_version_hash("g", "v1", "K"))) == 8


def test_the_readme_links_the_table() -> None:
    assert "designer/sandbox/FIDELITY.md" in (ROOT / "README.md").read_text()
