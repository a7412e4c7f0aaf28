"""A CustomResourceDefinition body for tests: one served, stored version that keeps any field."""

from __future__ import annotations

from typing import Any


def crd_body(group: str, kind: str, plural: str, *, list_kind: bool = False, **names: Any) -> dict[str, Any]:
    """A namespaced CRD for ``kind`` in ``group`` (``v1``); ``names`` adds to spec.names (shortNames…)."""
    spec_names: dict[str, Any] = {"plural": plural, "singular": kind.lower(), "kind": kind, **names}
    if list_kind:
        spec_names["listKind"] = f"{kind}List"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": spec_names,
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                }
            ],
        },
    }
