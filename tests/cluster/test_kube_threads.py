"""KubeCluster used from many threads at once against the sandbox: discovery must hold.

DynamicClient's discoverer corrupts its cache when several threads miss it together (KeyError
'resources' / 'apis' on every round with 8 unsynchronized threads when this test was written);
KubeCluster serializes discovery itself, so callers (diff planner, apply engine) need no wrapper.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from designer.cluster import errors
from designer.cluster.kube import KubeCluster
from designer.cluster.kubeconfig import load_client
from designer.model import ObjectRef
from designer.sandbox.runner import Sandbox
from tests.crds import crd_body

THREADS = 12
KINDS = [
    ("v1", "ConfigMap", "configmaps"),
    ("v1", "Secret", "secrets"),
    ("v1", "Service", "services"),
    ("v1", "ServiceAccount", "serviceaccounts"),
    ("v1", "Namespace", "namespaces"),
    ("apps/v1", "Deployment", "deployments"),
    ("apps/v1", "StatefulSet", "statefulsets"),
    ("apps/v1", "DaemonSet", "daemonsets"),
    ("batch/v1", "Job", "jobs"),
    ("rbac.authorization.k8s.io/v1", "Role", "roles"),
    ("networking.k8s.io/v1", "Ingress", "ingresses"),
    ("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets"),
]
MISSING = [("example.com/v1", "Widget"), ("v1", "NoSuchKind")]


def _fresh(sandbox: Sandbox) -> KubeCluster:
    settings = load_client(sandbox.kubeconfig_path)
    return KubeCluster(settings.api_client, context_name=settings.context_name, retries=0)


def test_discovery_from_many_threads_with_invalidations(sandbox: Sandbox) -> None:
    """12 threads start together on a cold client, each resolving every kind in its own order (plus
    unknown kinds) and reading an object of it, while one thread keeps invalidating discovery."""
    for _ in range(3):  # a fresh, cold client each round: the race is on the first misses
        cluster = _fresh(sandbox)
        start = threading.Barrier(THREADS)

        def work(index: int, cluster: KubeCluster = cluster, start: threading.Barrier = start) -> list[str]:
            start.wait()
            seen: list[str] = []
            for step in range(len(KINDS) + len(MISSING)):
                pos = (index + step) % (len(KINDS) + len(MISSING))
                if pos >= len(KINDS):
                    api_version, kind = MISSING[pos - len(KINDS)]
                    with pytest.raises(errors.NotFoundError) as caught:
                        cluster.resource_info(api_version, kind)
                    assert caught.value.missing == "kind"
                    continue
                api_version, kind, plural = KINDS[pos]
                info = cluster.resource_info(api_version, kind)
                assert (info.plural, info.kind) == (plural, kind)
                namespace = "default" if info.namespaced else None
                assert cluster.get(ObjectRef(api_version, kind, namespace, "absent")) is None
                seen.append(kind)
                if index == 0 and step % 4 == 3:
                    cluster.invalidate_discovery()
            return seen

        try:
            with ThreadPoolExecutor(max_workers=THREADS) as pool:
                results = list(pool.map(work, range(THREADS)))
        finally:
            cluster.close()
        assert all(sorted(r) == sorted(k for _, k, _ in KINDS) for r in results)


def _wait_established(cluster: KubeCluster, name: str, timeout: float = 10.0) -> None:
    ref = ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conditions = ((cluster.get(ref) or {}).get("status") or {}).get("conditions") or []
        if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
            return
        time.sleep(0.02)
    raise AssertionError(f"CRD {name} not Established after {timeout}s")


def test_a_missing_kind_is_remembered_until_discovery_is_invalidated(sandbox: Sandbox) -> None:
    """A second lookup of an unknown kind sends no request; after invalidation the server is asked again
    and a CRD installed meanwhile is found."""
    cluster = _fresh(sandbox)
    crd = crd_body("example.com", "Widget", "widgets")
    try:
        with pytest.raises(errors.NotFoundError):
            cluster.resource_info("example.com/v1", "Widget")
        before = len(sandbox.requests)
        with pytest.raises(errors.NotFoundError):
            cluster.resource_info("example.com/v1", "Widget")
        assert len(sandbox.requests) == before
        cluster.apply(crd)
        _wait_established(cluster, "widgets.example.com")
        with pytest.raises(errors.NotFoundError):  # still remembered: nobody invalidated
            cluster.resource_info("example.com/v1", "Widget")
        asked_at = len(sandbox.requests)
        cluster.invalidate_discovery()
        info = cluster.resource_info("example.com/v1", "Widget")
        assert (info.plural, info.namespaced) == ("widgets", True)
        assert any(
            r.method == "GET" and r.path == "/apis/example.com/v1" for r in sandbox.requests[asked_at:]
        )
    finally:
        cluster.close()
