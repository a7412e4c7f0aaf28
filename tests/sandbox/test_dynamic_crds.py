"""CRDs registered at runtime and custom resources, through the DynamicClient (real HTTP, nothing mocked).

Marked ``cluster``: these also run against DESIGNER_TEST_KUBECONFIG when set (the CRD group is unique per
test run, and the CRD is deleted at the end).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from kubernetes.client import ApiClient
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import ConflictError, DynamicApiError, NotFoundError, ResourceNotFoundError

pytestmark = pytest.mark.cluster


def wait_for(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def dynamic(api_client: ApiClient) -> DynamicClient:
    return DynamicClient(api_client)


@pytest.fixture
def crd(dynamic: DynamicClient) -> Iterator[dict[str, str]]:
    """A namespaced CRD ``Widget`` in a unique group; yields its names once Established."""
    group = f"t{uuid.uuid4().hex[:6]}.example.com"
    body = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                }
            ],
        },
    }
    crds = dynamic.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    crds.create(body=body)

    def established() -> bool:
        conditions = crds.get(name=f"widgets.{group}").to_dict().get("status", {}).get("conditions") or []
        return {c["type"]: c["status"] for c in conditions}.get("Established") == "True"

    wait_for(established)
    try:
        yield {"group": group, "api_version": f"{group}/v1", "name": f"widgets.{group}"}
    finally:
        crds.delete(name=f"widgets.{group}")


def widget(name: str, **spec: object) -> dict[str, object]:
    return {"kind": "Widget", "metadata": {"name": name}, "spec": dict(spec)}


def test_crd_becomes_established_and_served(dynamic: DynamicClient, crd: dict[str, str]) -> None:
    crds = dynamic.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    status = crds.get(name=crd["name"]).to_dict()["status"]
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions == {"NamesAccepted": "True", "Established": "True"}
    dynamic.resources.invalidate_cache()
    widgets = dynamic.resources.get(api_version=crd["api_version"], kind="Widget")
    assert widgets.namespaced is True


def test_custom_resource_crud_and_apply(dynamic: DynamicClient, crd: dict[str, str], namespace: str) -> None:
    dynamic.resources.invalidate_cache()
    widgets = dynamic.resources.get(api_version=crd["api_version"], kind="Widget")
    body = {"apiVersion": crd["api_version"], **widget("w1", size=1, tags=["a"])}
    created = widgets.create(body=body, namespace=namespace)
    assert created.metadata.generation == 1 and created.spec.size == 1
    applied = widgets.server_side_apply(
        body={"apiVersion": crd["api_version"], **widget("w1", size=2, tags=["b"])},
        name="w1",
        namespace=namespace,
        field_manager="designer",
        force_conflicts=True,
    )
    assert applied.spec.size == 2 and list(applied.spec.tags) == ["b"]  # CR lists are atomic
    assert applied.metadata.generation == 2
    with pytest.raises(DynamicApiError) as exc:
        widgets.patch(
            body={"spec": {"size": 3}},
            name="w1",
            namespace=namespace,
            content_type="application/strategic-merge-patch+json",
        )
    assert exc.value.status == 415
    merged = widgets.patch(
        body={"spec": {"size": 3}},
        name="w1",
        namespace=namespace,
        content_type="application/merge-patch+json",
    )
    assert merged.spec.size == 3
    widgets.delete(name="w1", namespace=namespace)
    with pytest.raises(NotFoundError):
        widgets.get(name="w1", namespace=namespace)


def test_apply_conflict_on_custom_resource(
    dynamic: DynamicClient, crd: dict[str, str], namespace: str
) -> None:
    dynamic.resources.invalidate_cache()
    widgets = dynamic.resources.get(api_version=crd["api_version"], kind="Widget")
    body = {"apiVersion": crd["api_version"], **widget("w2", size=1)}
    widgets.server_side_apply(body=body, name="w2", namespace=namespace, field_manager="one")
    other = {"apiVersion": crd["api_version"], **widget("w2", size=5)}
    with pytest.raises(ConflictError) as exc:
        widgets.server_side_apply(body=other, name="w2", namespace=namespace, field_manager="two")
    assert exc.value.status == 409
    assert '"one"' in exc.value.summary() or "one" in str(exc.value.body)


def test_unknown_kind_is_not_found(dynamic: DynamicClient) -> None:
    with pytest.raises(ResourceNotFoundError):
        dynamic.resources.get(api_version="nothing.example.com/v1", kind="Nothing")
