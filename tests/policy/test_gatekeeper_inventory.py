"""`design validate --inventory` and AdmissionReview documents in designs, through the real command line.

fixtures/referential holds a referential template written for these tests (a host served by two
ingresses), a namespaceSelector constraint for the required-owner template of fixtures/gator, a design
and a `kubectl get -o yaml` List that stands for the cluster.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from designer.cli.main import run
from tests.policy.referential import DESIGN, FIXTURES, PROD_PODS, REFERENTIAL, UNIQUE_HOST


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = run(["validate", *args, "--no-builtin-policies", "-o", "json"])
    return code, json.loads(capsys.readouterr().out)


def _messages(doc: dict[str, Any]) -> list[str]:
    return [f["message"] for f in doc["findings"]]


def test_referential_template_sees_the_inventory(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = _validate(capsys, str(DESIGN), *UNIQUE_HOST)
    assert (code, _messages(doc)) == (0, [])  # alone in the design: nothing to collide with
    code, doc = _validate(capsys, str(DESIGN), *UNIQUE_HOST, "--inventory", str(REFERENTIAL / "cluster.yaml"))
    assert code == 1
    assert _messages(doc) == ["host shop.example.com is already served by ingress old-shop/legacy"]
    (finding,) = doc["findings"]
    assert Path(finding["file"]).resolve() == DESIGN and finding["line"] == 1


def test_design_objects_replace_the_cluster_objects_they_update(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The cluster already runs this very ingress (an older version): applying the design updates it,
    # so it does not collide with itself; a second design object with the host does collide.
    live = tmp_path / "live.yaml"
    live.write_text(DESIGN.read_text().split("---")[0])
    code, doc = _validate(capsys, str(DESIGN), *UNIQUE_HOST, "--inventory", str(live))
    assert (code, _messages(doc)) == (0, [])
    twin = tmp_path / "design.yaml"
    twin.write_text(
        DESIGN.read_text()
        + "---\n"
        + DESIGN.read_text().split("---")[0].replace("name: shop\n", "name: shop2\n", 1)
    )
    code, doc = _validate(capsys, str(twin), *UNIQUE_HOST, "--inventory", str(live))
    assert sorted(_messages(doc)) == [
        "host shop.example.com is already served by ingress shop/shop",
        "host shop.example.com is already served by ingress shop/shop2",
    ]


def test_inventory_files_folders_and_multi_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cluster"
    (folder / "nested").mkdir(parents=True)
    (folder / "nested" / "all.yml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: legacy, namespace: old-shop}\n"
        "spec: {rules: [{host: shop.example.com}]}\n"
        "---\n"
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {env: prod}}\n"
    )
    (folder / "README.md").write_text("not an inventory file\n")
    code, doc = _validate(capsys, str(DESIGN), *UNIQUE_HOST, *PROD_PODS, "--inventory", str(folder))
    assert code == 1
    assert sorted(_messages(doc)) == [
        "Pod <worker> has no label owner",
        "host shop.example.com is already served by ingress old-shop/legacy",
    ]


def test_namespace_selector_sees_the_inventorys_namespaces(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc = _validate(capsys, str(DESIGN), *PROD_PODS)
    assert (code, _messages(doc)) == (0, [])  # the namespace's labels are unknown: the selector cannot match
    code, doc = _validate(capsys, str(DESIGN), *PROD_PODS, "--inventory", str(REFERENTIAL / "cluster.yaml"))
    assert _messages(doc) == ["Pod <worker> has no label owner"]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            "apiVersion: v1\nkind: List\nitems:\n  - kind: Ingress\n    metadata: {name: x}\n",
            ":4:5: document[0].items[0].apiVersion: the object has no apiVersion",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: a\n",
            ":3:1: document[0].metadata.name: the ConfigMap has no metadata.name",
        ),
        ("items: [\n", ":2:1: invalid YAML"),
    ],
)
def test_broken_inventory_is_exit_3_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, wanted: str
) -> None:
    broken = tmp_path / "inventory.yaml"
    broken.write_text(text)
    assert run(["validate", str(DESIGN), *UNIQUE_HOST, "--inventory", str(broken)]) == 3
    assert f"error: {broken}{wanted}" in capsys.readouterr().err
    assert run(["validate", str(DESIGN), *UNIQUE_HOST, "--inventory", str(tmp_path / "absent.yaml")]) == 3


def test_inventory_without_gatekeeper_policies_is_noted(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            [
                "validate",
                str(DESIGN),
                "--no-builtin-policies",
                "--inventory",
                str(REFERENTIAL / "cluster.yaml"),
            ]
        )
        == 0
    )
    assert (
        "note: --inventory and --inventory-context only feed Gatekeeper templates" in capsys.readouterr().err
    )


def test_admission_reviews_in_a_design_are_review_requests(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objects = FIXTURES / "gator" / "objects"
    owner = [
        "--policy",
        str(FIXTURES / "gator" / "template.yaml"),
        "--policy",
        str(FIXTURES / "gator" / "constraint.yaml"),
    ]
    code, doc = _validate(capsys, str(objects / "delete-by-alice.yaml"), *owner)
    assert code == 1
    assert _messages(doc) == ["only system users may delete labelled, not <alice>"]
    assert doc["findings"][0]["object"] == {
        "apiVersion": "v1",
        "kind": "Pod",
        "namespace": "shop",
        "name": "labelled",
    }
    code, doc = _validate(capsys, str(objects / "delete-by-system.yaml"), *owner)
    assert (code, _messages(doc)) == (0, [])
    # The same object as a plain manifest is a CREATE: the label rule applies, the delete rule does not.
    manifest = tmp_path / "pod.yaml"
    manifest.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\n")
    code, doc = _validate(capsys, str(manifest), *owner)
    assert sorted(_messages(doc)) == ["Pod <p> has no label owner", "Pod <p> has no label team"]


@pytest.mark.parametrize(
    ("request_text", "wanted"),
    [
        (
            "  operation: DELETE\n  object: {apiVersion: v1, kind: Pod, metadata: {name: p}}\n",
            ":3:1: document[0].request.oldObject: a DELETE request needs oldObject",
        ),
        (
            "  operation: Update\n  object: {apiVersion: v1, kind: Pod, metadata: {name: p}}\n",
            "did you mean 'UPDATE'?",
        ),
        (
            "  operation: CREATE\n",
            ':3:1: document[0].request: the AdmissionRequest has neither an "object" nor an "oldObject"',
        ),
        (
            "  operation: CREATE\n  userInfo: {username: 7}\n  object: {kind: Pod}\n",
            ":5:14: document[0].request.userInfo.username: must be a string",
        ),
        (
            "  operation: CREATE\n  object: {apiVersion: v1, kind: Pod, metadata: {}}\n",
            "document[0].request.object.metadata.name: Pod has no metadata.name",
        ),
    ],
    ids=["delete-without-old-object", "lower-case-operation", "no-object", "wrong-type", "no-name"],
)
def test_broken_admission_reviews_are_exit_3_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], request_text: str, wanted: str
) -> None:
    review = tmp_path / "review.yaml"
    review.write_text("kind: AdmissionReview\napiVersion: admission.k8s.io/v1\nrequest:\n" + request_text)
    assert run(["validate", str(review)]) == 3
    err = capsys.readouterr().err
    assert wanted in err, err
    assert "Traceback" not in err
