"""A `Cluster` wrapper that makes discovery safe for the engine's worker threads.

The kubernetes client's DynamicClient rebuilds its discovery cache on a miss, and two threads doing
that at once corrupt it (KeyError 'api' / 'resources' seen with 8 workers). The wrapper resolves
each kind once, one discovery at a time, before the first request for it (a missing kind is
remembered too), so the client's own calls only hit warm caches; `invalidate_discovery` (after a CRD
is Established) waits until no request is in flight. Requests themselves run in parallel, up to
``max_in_flight`` at once: that is the engine's ``--concurrency`` (components waiting for readiness
between two polls hold no slot). Used by engine.py and deleting.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from designer.cluster.base import Cluster, Propagation, ResourceInfo, WatchEvent
from designer.cluster.errors import NotFoundError
from designer.model import KubeObject, ObjectRef

T = TypeVar("T")


class _ReadWriteLock:
    """Many readers or one writer; a waiting writer goes before new readers (no starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class ThreadSafeCluster:
    """Delegates to ``inner``; discovery is serialized, requests are not."""

    def __init__(self, inner: Cluster, max_in_flight: int | None = None) -> None:
        self.inner = inner
        self._slots = threading.BoundedSemaphore(max_in_flight) if max_in_flight else None
        self._lock = _ReadWriteLock()  # requests read; invalidating discovery writes
        self._discovering = threading.Lock()  # one discovery at a time
        self._known: dict[tuple[str, str], ResourceInfo] = {}
        self._missing: dict[tuple[str, str], NotFoundError] = {}

    @property
    def context_name(self) -> str:
        return self.inner.context_name

    @property
    def default_namespace(self) -> str:
        return self.inner.default_namespace

    def close(self) -> None:
        self.inner.close()

    def resource_info(self, api_version: str, kind: str) -> ResourceInfo:
        key = (api_version, kind)
        found = self._known.get(key)
        if found is not None:
            return found
        with self._discovering:
            found = self._known.get(key)
            if found is not None:
                return found
            missing = self._missing.get(key)
            if missing is not None:
                raise missing  # remembered until discovery is invalidated (a CRD became Established)
            try:
                found = self.inner.resource_info(api_version, kind)
            except NotFoundError as exc:
                self._missing[key] = exc
                raise
            self._known[key] = found
            return found

    def is_namespaced(self, api_version: str, kind: str) -> bool:
        return self.resource_info(api_version, kind).namespaced

    def invalidate_discovery(self) -> None:
        with self._lock.write(), self._discovering:
            self._known.clear()
            self._missing.clear()
            self.inner.invalidate_discovery()

    def _request(self, api_version: str, kind: str, call: Callable[[], T]) -> T:
        self.resource_info(api_version, kind)
        with self._lock.read():
            if self._slots is None:
                return call()
            with self._slots:
                return call()

    def get(self, ref: ObjectRef) -> KubeObject | None:
        return self._request(ref.api_version, ref.kind, lambda: self.inner.get(ref))

    def list(
        self, api_version: str, kind: str, *, namespace: str | None = None, label_selector: str | None = None
    ) -> list[KubeObject]:
        return self._request(
            api_version,
            kind,
            lambda: self.inner.list(api_version, kind, namespace=namespace, label_selector=label_selector),
        )

    def apply(
        self, body: KubeObject, *, field_manager: str = "designer", dry_run: bool = False, force: bool = False
    ) -> KubeObject:
        ref = ObjectRef.of(body)
        return self._request(
            ref.api_version,
            ref.kind,
            lambda: self.inner.apply(body, field_manager=field_manager, dry_run=dry_run, force=force),
        )

    def delete(
        self, ref: ObjectRef, *, propagation: Propagation = "Background", dry_run: bool = False
    ) -> bool:
        return self._request(
            ref.api_version,
            ref.kind,
            lambda: self.inner.delete(ref, propagation=propagation, dry_run=dry_run),
        )

    def watch(self, api_version: str, kind: str, **kwargs: Any) -> Iterator[WatchEvent]:
        self.resource_info(api_version, kind)
        return self.inner.watch(api_version, kind, **kwargs)

    def list_resource_version(
        self, api_version: str, kind: str, *, namespace: str | None = None
    ) -> str | None:
        return self._request(
            api_version,
            kind,
            lambda: self.inner.list_resource_version(api_version, kind, namespace=namespace),
        )


def thread_safe(cluster: Cluster, max_in_flight: int | None = None) -> Cluster:
    """``cluster`` wrapped for use from several threads, with at most ``max_in_flight`` requests at once."""
    inner = cluster.inner if isinstance(cluster, ThreadSafeCluster) else cluster
    return ThreadSafeCluster(inner, max_in_flight)
