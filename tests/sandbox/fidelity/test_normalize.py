"""The differential suite's own logic, without servers: normalization keeps what must be compared and
replaces only what is server-specific; differences are located at the first path where answers part."""

from __future__ import annotations

from tests.sandbox.fidelity import compare
from tests.sandbox.fidelity.normalize import Normalizer
from tests.sandbox.fidelity.runner import Outcome, Run
from tests.sandbox.fidelity.scenarios import Scenario, Step

UID_A = "0a1b2c3d-0000-4000-8000-000000000001"
UID_B = "0a1b2c3d-0000-4000-8000-000000000002"


def _run(*bodies: object, saved: dict[str, object] | None = None) -> Run:
    steps = tuple(Step(name=f"s{n}", method="GET", path="/") for n, _ in enumerate(bodies))
    run = Run(Scenario("x", "", steps, "t.yaml"), "emulator", "fid-abc123", "abc123", saved=dict(saved or {}))
    run.outcomes = [Outcome(step, 200, body, []) for step, body in zip(steps, bodies, strict=True)]
    return run


def test_uids_are_numbered_by_first_appearance_so_references_still_compare() -> None:
    owner = {"metadata": {"uid": UID_A}}
    dependent = {"metadata": {"uid": UID_B, "ownerReferences": [{"uid": UID_A}]}}
    normalizer = Normalizer(_run(owner, dependent))
    out = [normalizer.outcome(o)["body"] for o in normalizer.run.outcomes]
    assert out[0]["metadata"]["uid"] == "<uid:1>"
    assert out[1]["metadata"]["uid"] == "<uid:2>"
    assert out[1]["metadata"]["ownerReferences"][0]["uid"] == "<uid:1>"


def test_saved_resource_versions_keep_their_name_and_others_are_masked() -> None:
    run = _run(
        {"metadata": {"resourceVersion": "41"}},
        {"metadata": {"resourceVersion": "57"}},
        saved={"first": "41"},
    )
    normalizer = Normalizer(run)
    bodies = [normalizer.outcome(o)["body"] for o in run.outcomes]
    assert bodies[0]["metadata"]["resourceVersion"] == "<rv:first>"
    assert bodies[1]["metadata"]["resourceVersion"] == "<rv>"


def test_times_names_addresses_and_certificates_are_replaced_values_are_not() -> None:
    body = {
        "metadata": {"name": "web", "namespace": "fid-abc123", "creationTimestamp": "2026-01-02T03:04:05Z"},
        "spec": {"clusterIP": "10.96.0.11", "clusterIPs": ["10.96.0.11"], "replicas": 3},
        "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"},
        "message": f"group g-abc123.example.com, uid {UID_A}",
    }
    normalized = Normalizer(_run(body)).outcome(_run(body).outcomes[0])["body"]
    assert normalized["metadata"] == {"name": "web", "namespace": "{ns}", "creationTimestamp": "<time>"}
    assert normalized["spec"] == {"clusterIP": "<ip>", "clusterIPs": ["<ip>"], "replicas": 3}
    assert normalized["data"] == {"ca.crt": "<certificate>"}
    assert normalized["message"] == "group g-{id}.example.com, uid <uid:1>"


def test_managed_fields_are_compared_in_an_order_that_ignores_the_clock() -> None:
    entries = [
        {"manager": "zeta", "operation": "Apply", "time": "2026-01-01T00:00:02Z"},
        {"manager": "alpha", "operation": "Apply", "time": "2026-01-01T00:00:03Z"},
        {"manager": "beta", "operation": "Update", "time": "2026-01-01T00:00:01Z"},
    ]
    body = {"metadata": {"managedFields": entries}}
    normalized = Normalizer(_run(body)).outcome(_run(body).outcomes[0])["body"]
    assert [e["manager"] for e in normalized["metadata"]["managedFields"]] == ["alpha", "zeta", "beta"]


def test_differences_name_the_first_path_where_answers_part() -> None:
    emulator = {"step": {"status": 200, "body": {"a": {"b": 1, "c": [1, 2]}, "d": 1}}}
    real = {"step": {"status": 200, "body": {"a": {"b": 2, "c": [1, 2, 3]}, "e": 1}}}
    found = {d.path for d in compare.differences("s", emulator, real)}
    assert found == {"body.a.b", "body.a.c", "body.d", "body.e"}


def test_a_known_row_covers_its_path_and_what_is_below_it_only() -> None:
    row = compare.Known("s", "step", "body.items[0]", "why")
    assert row.covers(compare.Difference("s", "step", "body.items[0].metadata.name"))
    assert row.covers(compare.Difference("s", "step", "body.items[0]"))
    assert not row.covers(compare.Difference("s", "step", "body.items[01]"))
    assert not row.covers(compare.Difference("s", "other", "body.items[0]"))
    uncovered, unused = compare.reconcile([compare.Difference("s", "step", "status")], [row])
    assert [d.path for d in uncovered] == ["status"] and unused == [row]
