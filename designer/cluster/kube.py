"""`KubeCluster`: the `Cluster` protocol on the official kubernetes client's DynamicClient.

Created by `designer.cluster.connecting.connect` (imported lazily, so commands that never reach a
cluster do not load the kubernetes package). Discovery is designer's own, per group-version
(`designer.cluster.discovery`: a kind is looked up in its own group's document only, and "not
served" is said only when the server surely said so); DynamicClient only sends the requests, with
the `Resource` objects discovery built. `invalidate_discovery` is called once a CRD became
Established.

Thread safety: the diff planner and the apply engine call one KubeCluster from many threads.
Discovery serializes its own fetches (and lets cached kinds skip the lock); requests run in
parallel. How many requests are in flight is the caller's business (the planner's pool size, the
engine's ``--concurrency``), not the client's.

Every call goes through `designer.cluster.retrying.Retrier`: throttling (429), server errors (5xx),
connection failures and timeouts are retried with backoff; other API errors become the typed
errors of `designer.cluster.errors`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, cast

import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient
from kubernetes.watch import Watch

from designer.cluster import errors
from designer.cluster.access import Caller
from designer.cluster.base import FIELD_MANAGER, Propagation, ResourceInfo, WatchEvent
from designer.cluster.discovery import Discovery
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


class _NoDiscoverer:
    """Stands in for DynamicClient's discoverer, which designer does not use (see discovery.py):
    constructing the default one would read /version and /apis for nothing."""

    def __init__(self, client: Any, cache_file: str | None) -> None:
        self.version: dict[str, Any] = {}


class KubeCluster:
    """A Kubernetes API reached through a configured ``kubernetes.client.ApiClient``.

    Args:
        api_client: the configured ApiClient (see `designer.cluster.kubeconfig.load_client`).
        context_name: the kubeconfig context, for display.
        default_namespace: namespace for namespaced objects that name none.
        retries: extra attempts for retryable failures (429, 5xx, timeouts, connection errors).
        backoff: first backoff delay in seconds; doubles per attempt, capped at 5 s.
        request_timeout: per-request timeout in seconds.
        renew: after a 401, gets a fresh credential; True when the request is worth sending again
            (`designer.cluster.credentials.Credentials.renew`).
        caller: who sends the requests, for the hints of refusals (`designer.cluster.access`).
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
        renew: Callable[[], bool] | None = None,
        caller: Caller | None = None,
    ) -> None:
        self._api_client = api_client
        self._context_name = context_name
        self._default_namespace = default_namespace
        self._retrier = Retrier(
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            renew=renew,
            caller=caller or Caller(context=context_name),
        )
        self._timeout = request_timeout
        self._dynamic: Any = None
        self._found: Discovery | None = None
        self._setup_lock = threading.RLock()

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
        """Release the HTTP pool."""
        self._api_client.close()

    def __enter__(self) -> KubeCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- discovery -----------------------------------------------------------------------------

    def resource_info(self, api_version: str, kind: str) -> ResourceInfo:
        """Discover ``kind`` (cached); NotFoundError(missing="kind") when the server surely lacks it."""
        return self._resource(api_version, kind)[0]

    def is_namespaced(self, api_version: str, kind: str) -> bool:
        """Whether ``kind`` is namespaced."""
        return self.resource_info(api_version, kind).namespaced

    def invalidate_discovery(self) -> None:
        """Forget discovery; the next lookups ask the server again."""
        self._discovery().invalidate()

    def _client(self) -> Any:
        dynamic = self._dynamic
        if dynamic is not None:  # set once, never reset while open: no lock on the hot path
            return dynamic
        with self._setup_lock:
            if self._dynamic is None:
                self._dynamic = DynamicClient(  # type: ignore[no-untyped-call]
                    self._api_client, discoverer=_NoDiscoverer
                )
            return self._dynamic

    def _discovery(self) -> Discovery:
        found = self._found
        if found is not None:
            return found
        with self._setup_lock:
            if self._found is None:
                self._found = Discovery(self._client(), self._fetch, self._retrier)
            return self._found

    def _fetch(self, path: str) -> dict[str, Any]:
        return _as_dict(self._client().request("GET", path, serialize=False, _request_timeout=self._timeout))

    def _resource(self, api_version: str, kind: str) -> tuple[ResourceInfo, Any]:
        return self._discovery().find(api_version, kind)

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
                    raise translate(exc, "watch", target, dry_run=False, caller=self._retrier.caller) from exc
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
