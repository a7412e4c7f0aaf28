"""Sample applications the mesh adapters deploy as operations (Meshery's SAMPLE_APPLICATION).

Built in code rather than downloaded, so the operation works offline and is testable.
"""

from __future__ import annotations

from collections.abc import Mapping

from designer.model import KubeObject

HTTPBIN_IMAGE = "docker.io/kennethreitz/httpbin:latest"


def httpbin(
    namespace: str, labels: Mapping[str, str], annotations: Mapping[str, str] | None = None
) -> list[KubeObject]:
    """Namespace (labelled or annotated for injection), ServiceAccount, Service and Deployment of httpbin."""
    meta = {"name": "httpbin", "namespace": namespace, "labels": {"app": "httpbin"}}
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": namespace, "labels": dict(labels), "annotations": dict(annotations or {})},
        },
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": dict(meta)},
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": dict(meta),
            "spec": {
                "selector": {"app": "httpbin"},
                "ports": [{"name": "http", "port": 8000, "targetPort": 80}],
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": dict(meta),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "httpbin"}},
                "template": {
                    "metadata": {"labels": {"app": "httpbin"}},
                    "spec": {
                        "serviceAccountName": "httpbin",
                        "containers": [
                            {"name": "httpbin", "image": HTTPBIN_IMAGE, "ports": [{"containerPort": 80}]}
                        ],
                    },
                },
            },
        },
    ]
