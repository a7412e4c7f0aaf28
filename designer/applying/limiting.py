"""The engine's ``--concurrency``: at most N API requests in flight, whatever the thread count.

The engine runs more component threads than ``--concurrency`` (a component waiting for readiness
between two polls holds a thread but sends nothing), so the limit is on requests, not threads:
`limit_requests` wraps the cluster so that get/list/apply/delete each take a slot for the duration
of the call. It is the only thing this wrapper does: discovery safety belongs to the client
(`designer.cluster.kube.KubeCluster` serializes its discoverer itself). Watches hold no slot: they
are long-lived and would starve writes. Used by engine.py and deleting.py; the diff planner needs
no wrapper (its thread pool is the limit).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from designer.cluster.base import FIELD_MANAGER, Cluster, Propagation, ResourceInfo, WatchEvent
from designer.model import KubeObject, ObjectRef


class LimitedCluster:
    """Delegates to ``inner``; at most ``max_in_flight`` requests run at once."""

    def __init__(self, inner: Cluster, max_in_flight: int) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, not {max_in_flight}")
        self.inner = inner
        self._slots = threading.BoundedSemaphore(max_in_flight)

    @property
    def context_name(self) -> str:
        return self.inner.context_name

    @property
    def default_namespace(self) -> str:
        return self.inner.default_namespace

    def close(self) -> None:
        self.inner.close()

    def resource_info(self, api_version: str, kind: str) -> ResourceInfo:
        return self.inner.resource_info(api_version, kind)

    def is_namespaced(self, api_version: str, kind: str) -> bool:
        return self.inner.is_namespaced(api_version, kind)

    def invalidate_discovery(self) -> None:
        self.inner.invalidate_discovery()

    def get(self, ref: ObjectRef) -> KubeObject | None:
        with self._slots:
            return self.inner.get(ref)

    def list(
        self, api_version: str, kind: str, *, namespace: str | None = None, label_selector: str | None = None
    ) -> list[KubeObject]:
        with self._slots:
            return self.inner.list(api_version, kind, namespace=namespace, label_selector=label_selector)

    def apply(
        self,
        body: KubeObject,
        *,
        field_manager: str = FIELD_MANAGER,
        dry_run: bool = False,
        force: bool = False,
    ) -> KubeObject:
        with self._slots:
            return self.inner.apply(body, field_manager=field_manager, dry_run=dry_run, force=force)

    def delete(
        self, ref: ObjectRef, *, propagation: Propagation = "Background", dry_run: bool = False
    ) -> bool:
        with self._slots:
            return self.inner.delete(ref, propagation=propagation, dry_run=dry_run)

    def watch(self, api_version: str, kind: str, **kwargs: Any) -> Iterator[WatchEvent]:
        return self.inner.watch(api_version, kind, **kwargs)

    def list_resource_version(
        self, api_version: str, kind: str, *, namespace: str | None = None
    ) -> str | None:
        with self._slots:
            return self.inner.list_resource_version(api_version, kind, namespace=namespace)


def limit_requests(cluster: Cluster, max_in_flight: int) -> Cluster:
    """``cluster`` with at most ``max_in_flight`` requests at once (re-wrapping replaces the limit)."""
    inner = cluster.inner if isinstance(cluster, LimitedCluster) else cluster
    return LimitedCluster(inner, max_in_flight)


def workers(concurrency: int) -> int:
    """Threads for components: waits hold a thread but no request slot, so more than ``concurrency``."""
    return max(concurrency, min(concurrency * 8, 128))
