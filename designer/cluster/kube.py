"""`KubeCluster`: the `Cluster` protocol on the official kubernetes client's DynamicClient.

Created by `designer.cluster.connecting.connect` (imported lazily, so commands that never reach a
cluster do not load the kubernetes package). Discovery goes through DynamicClient, whose on-disk
cache lives in a private temp dir; on top of it a per-process map of (apiVersion, kind) to
resource (and of kinds the server lacks), which `invalidate_discovery` clears once a CRD became
Established.

Thread safety: the diff planner and the apply engine call one KubeCluster from many threads.
DynamicClient's discoverer is not thread-safe: two threads missing its cache at once rebuild it
concurrently and corrupt it (KeyError 'resources' / 'apis'; reproduced with 8 threads), so every
discovery — first lookup, miss, invalidation — runs under one lock, and the per-kind map lets the
common case skip the lock entirely. Requests run in parallel: they use the resolved resource and
never touch the discoverer. How many requests are in flight is the caller's business (the
planner's pool size, the engine's ``--concurrency``), not the client's.

Every call goes through `designer.cluster.retrying.Retrier`: throttling (429), server errors (5xx),
connection failures and timeouts are retried with backoff; other API errors become the typed
errors of `designer.cluster.errors`.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient
from kubernetes.dynamic.exceptions import ResourceNotFoundError, ResourceNotUniqueError
from kubernetes.watch import Watch

from designer.cluster import errors
from designer.cluster.base import FIELD_MANAGER, Propagation, ResourceInfo, WatchEvent
from designer.cluster.retrying import Retrier, translate
from designer.errors import ClusterError
from designer.model import KubeObject, ObjectRef

_SERVER_OWNED_META = (
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "selfLink",
)


class KubeCluster:
    """A Kubernetes API reached through a configured ``kubernetes.client.ApiClient``.

    Args:
        api_client: the configured ApiClient (see `designer.cluster.kubeconfig.load_client`).
        context_name: the kubeconfig context, for display.
        default_namespace: namespace for namespaced objects that name none.
        retries: extra attempts for retryable failures (429, 5xx, timeouts, connection errors).
        backoff: first backoff delay in seconds; doubles per attempt, capped at 5 s.
        request_timeout: per-request timeout in seconds.
    """

    def __init__(
        self,
        api_client: Any,
        *,
        context_name: str,
        default_namespace: str = "default",
        retries: int = 4,
        backoff: float = 0.2,
        request_timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._api_client = api_client
        self._context_name = context_name
        self._default_namespace = default_namespace
        self._retrier = Retrier(retries=retries, backoff=backoff, sleep=sleep)
        self._timeout = request_timeout
        self._cache_dir: str | None = None
        self._dynamic: Any = None
        self._resources: dict[tuple[str, str], tuple[ResourceInfo, Any]] = {}
        # kinds the server lacks, remembered until invalidate_discovery: each miss would otherwise
        # make DynamicClient re-read all of discovery (a design's CRs before their CRD exists)
        self._missing: set[tuple[str, str]] = set()  # a fresh error is raised for each miss
        # serializes every use of DynamicClient's discoverer (see the module docstring)
        self._discovery_lock = threading.RLock()

    # -- protocol properties -------------------------------------------------------------------

    @property
    def context_name(self) -> str:
        """The kubeconfig context in use."""
        return self._context_name

    @property
    def default_namespace(self) -> str:
        """The namespace for namespaced objects that name none."""
        return self._default_namespace

    def close(self) -> None:
        """Release the HTTP pool and the discovery cache directory."""
        self._api_client.close()
        if self._cache_dir is not None:
            shutil.rmtree(self._cache_dir, ignore_errors=True)
            self._cache_dir = None

    def __enter__(self) -> KubeCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- discovery -----------------------------------------------------------------------------

    def resource_info(self, api_version: str, kind: str) -> ResourceInfo:
        """Discover ``kind`` (cached); NotFoundError(missing="kind") when the server lacks it."""
        return self._resource(api_version, kind)[0]

    def is_namespaced(self, api_version: str, kind: str) -> bool:
        """Whether ``kind`` is namespaced."""
        return self.resource_info(api_version, kind).namespaced

    def invalidate_discovery(self) -> None:
        """Forget discovery (ours and DynamicClient's); the next lookup asks the server again."""
        with self._discovery_lock:
            self._resources.clear()
            self._missing.clear()
            if self._dynamic is not None:
                self._retrier.call(self._dynamic.resources.invalidate_cache, "discover", "API resources")

    def _client(self) -> Any:
        dynamic = self._dynamic
        if dynamic is not None:  # set once, never reset while open: no lock on the hot path
            return dynamic
        with self._discovery_lock:
            return self._client_locked()

    def _client_locked(self) -> Any:
        if self._dynamic is None:
            # DynamicClient caches discovery in a file; keep it private to this client (a shared
            # file in /tmp keyed by host would outlive a sandbox and be read by the next one).
            self._cache_dir = tempfile.mkdtemp(prefix="designer-discovery-")
            weakref.finalize(self, shutil.rmtree, self._cache_dir, True)
            cache_file = str(Path(self._cache_dir) / "discovery.json")
            self._dynamic = self._retrier.call(
                lambda: self._new_dynamic(cache_file), "discover", "API groups"
            )
        return self._dynamic

    def _new_dynamic(self, cache_file: str) -> Any:
        return DynamicClient(self._api_client, cache_file=cache_file)  # type: ignore[no-untyped-call]

    def _resource(self, api_version: str, kind: str) -> tuple[ResourceInfo, Any]:
        cached = self._resources.get((api_version, kind))
        if cached is not None:
            return cached
        with self._discovery_lock:
            return self._discover(api_version, kind)

    def _discover(self, api_version: str, kind: str) -> tuple[ResourceInfo, Any]:
        key = (api_version, kind)
        cached = self._resources.get(key)
        if cached is not None:
            return cached
        if key in self._missing:
            raise self._kind_missing(api_version, kind)
        try:
            found = self._lookup(api_version, kind)
        except errors.NotFoundError as exc:
            if exc.missing == "kind":
                self._missing.add(key)
            raise
        self._resources[key] = found
        return found

    def _lookup(self, api_version: str, kind: str) -> tuple[ResourceInfo, Any]:
        dyn = self._client_locked()
        target = f"{kind} in {api_version}"
        try:
            resource = self._retrier.call(
                lambda: dyn.resources.get(api_version=api_version, kind=kind), "discover", target
            )
        except ResourceNotUniqueError:
            found = [
                r
                for r in self._retrier.call(
                    lambda: dyn.resources.search(api_version=api_version, kind=kind), "discover", target
                )
                if "/" not in r.name
            ]
            if not found:
                raise self._kind_missing(api_version, kind) from None
            resource = found[0]
        except ResourceNotFoundError as exc:
            raise self._kind_missing(api_version, kind) from exc
        info = ResourceInfo(
            api_version=api_version,
            kind=kind,
            plural=str(resource.name),
            namespaced=bool(resource.namespaced),
            verbs=tuple(str(v) for v in (resource.verbs or ())),
            subresources=tuple(sorted(str(s) for s in (resource.subresources or {}))),
        )
        return info, resource

    @staticmethod
    def _kind_missing(api_version: str, kind: str) -> errors.NotFoundError:
        return errors.NotFoundError(
            f"the server has no kind {kind} in {api_version}",
            missing="kind",
            hint="install the CRD that defines it (and wait until it is Established), "
            "or check apiVersion and kind",
        )

    def _scoped(self, ref: ObjectRef) -> tuple[Any, str | None]:
        info, resource = self._resource(ref.api_version, ref.kind)
        namespace = (ref.namespace or self._default_namespace) if info.namespaced else None
        return resource, namespace

    # -- reads ---------------------------------------------------------------------------------

    def get(self, ref: ObjectRef) -> KubeObject | None:
        """The live object, or None when it or its namespace is absent."""
        resource, namespace = self._scoped(ref)
        try:
            found = self._retrier.call(
                lambda: resource.get(
                    name=ref.name, namespace=namespace, serialize=False, _request_timeout=self._timeout
                ),
                "get",
                str(ref),
            )
        except errors.NotFoundError:
            return None
        return _as_dict(found)

    def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
    ) -> list[KubeObject]:
        """Objects of ``kind`` sorted by (namespace, name), apiVersion/kind filled in."""
        listed = self._list(api_version, kind, namespace=namespace, label_selector=label_selector)
        items = [dict(item) for item in listed.get("items") or []]
        for item in items:
            item.setdefault("apiVersion", api_version)
            item.setdefault("kind", kind)
        items.sort(key=lambda i: ((i.get("metadata") or {}).get("namespace") or "", i["metadata"]["name"]))
        return items

    def list_resource_version(
        self, api_version: str, kind: str, *, namespace: str | None = None
    ) -> str | None:
        """The collection's resourceVersion, to start a watch after a list."""
        listed = self._list(api_version, kind, namespace=namespace, label_selector=None)
        value = (listed.get("metadata") or {}).get("resourceVersion")
        return str(value) if value else None

    def _list(
        self, api_version: str, kind: str, *, namespace: str | None, label_selector: str | None
    ) -> KubeObject:
        info, resource = self._resource(api_version, kind)
        ns = namespace if info.namespaced else None
        target = f"{info.plural}" + (f" in namespace {ns}" if ns else "")
        try:
            found = self._retrier.call(
                lambda: resource.get(
                    namespace=ns,
                    label_selector=label_selector or None,
                    serialize=False,
                    _request_timeout=self._timeout,
                ),
                "list",
                target,
            )
        except errors.NotFoundError as exc:
            if exc.missing == "namespace":
                return {"items": []}
            raise
        return _as_dict(found)

    # -- writes --------------------------------------------------------------------------------

    def apply(
        self,
        body: KubeObject,
        *,
        field_manager: str = FIELD_MANAGER,
        dry_run: bool = False,
        force: bool = False,
    ) -> KubeObject:
        """Server-side apply ``body``; with ``dry_run`` nothing is stored."""
        ref = ObjectRef.of(body)
        resource, namespace = self._scoped(ref)
        payload = _apply_payload(body, namespace)
        params: dict[str, Any] = {
            "field_manager": field_manager,
            "serialize": False,
            "_request_timeout": self._timeout,
        }
        if dry_run:
            params["dry_run"] = "All"
        if force:
            params["force_conflicts"] = "true"
        dyn = self._client()
        result = self._retrier.call(
            lambda: dyn.server_side_apply(
                resource, body=payload, name=ref.name, namespace=namespace, **params
            ),
            "dry-run apply" if dry_run else "apply",
            str(ObjectRef(ref.api_version, ref.kind, namespace, ref.name)),
            dry_run=dry_run,
        )
        return _as_dict(result)

    def delete(
        self,
        ref: ObjectRef,
        *,
        propagation: Propagation = "Background",
        dry_run: bool = False,
    ) -> bool:
        """Delete the object; False when it was already gone."""
        resource, namespace = self._scoped(ref)
        params: dict[str, Any] = {"propagation_policy": propagation, "_request_timeout": self._timeout}
        if dry_run:
            params["dry_run"] = "All"
        try:
            self._retrier.call(
                lambda: resource.delete(name=ref.name, namespace=namespace, **params),
                "delete",
                str(ref),
                dry_run=dry_run,
            )
        except errors.NotFoundError:
            return False
        return True

    # -- watch ---------------------------------------------------------------------------------

    def watch(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        name: str | None = None,
        label_selector: str | None = None,
        resource_version: str | None = None,
        timeout_seconds: int = 60,
    ) -> Iterator[WatchEvent]:
        """Events until ``timeout_seconds``; a too-old version yields one ERROR (410) event."""
        info, resource = self._resource(api_version, kind)
        ns = namespace if info.namespaced else None
        watcher = Watch()  # type: ignore[no-untyped-call]
        target = f"{info.plural}" + (f" in namespace {ns}" if ns else "")
        stream = self._client().watch(
            resource,
            namespace=ns,
            name=name,
            label_selector=label_selector,
            resource_version=resource_version,
            timeout=timeout_seconds,
            watcher=watcher,
        )
        try:
            while True:
                try:
                    event = next(stream)
                except StopIteration:
                    return
                except ApiException as exc:
                    if exc.status == 410:
                        yield WatchEvent(
                            type="ERROR",
                            object={
                                "kind": "Status",
                                "code": 410,
                                "reason": "Expired",
                                "message": str(exc.reason),
                            },
                        )
                        return
                    raise translate(exc, "watch", target, dry_run=False) from exc
                except urllib3.exceptions.HTTPError as exc:
                    raise errors.unreachable(target, exc) from exc
                raw = event.get("raw_object")
                if raw is None:
                    raw = _as_dict(event["object"])
                yield WatchEvent(type=event["type"], object=dict(raw))
        finally:
            watcher.stop()  # type: ignore[no-untyped-call]


def _apply_payload(body: KubeObject, namespace: str | None) -> KubeObject:
    """The body as an apply intent: no server-owned metadata, no status, namespace matching the URL."""
    payload = {k: v for k, v in body.items() if k != "status"}
    meta = {k: v for k, v in (body.get("metadata") or {}).items() if k not in _SERVER_OWNED_META}
    if namespace is None:
        meta.pop("namespace", None)
    else:
        meta["namespace"] = namespace
    payload["metadata"] = meta
    return payload


def _as_dict(value: Any) -> KubeObject:
    """A response as a plain dict: raw JSON bodies (``serialize=False``: skips DynamicClient's
    ResourceInstance wrapping, measurably faster for large lists) or already-wrapped instances."""
    if isinstance(value, dict):
        return value
    data = getattr(value, "data", None)
    if isinstance(data, bytes | str):
        decoded = json.loads(data) if data else {}
        if not isinstance(decoded, dict):
            raise ClusterError(f"unexpected API answer: {str(decoded)[:200]}")
        return decoded
    to_dict = getattr(value, "to_dict", None)
    if to_dict is None:
        raise ClusterError(f"unexpected API answer of type {type(value).__name__}")
    return cast(KubeObject, to_dict())
