"""Discovery: which kinds the server serves, read from each kind's own group-version document.

Used by `designer.cluster.kube.KubeCluster` (its only caller). A core kind (``v1``) is looked up in
``/api/v1`` only, a group's kind in ``/apis/<group>/<version>`` only, so one group's trouble never
changes the answer for another. (DynamicClient's discoverer searches "v1" through every group's
document: one custom group answering 404 for a moment, as when its CRD is deleted, made Namespace
"not served" and `design delete` took that as "already gone"; it also reads a 503 as "no kinds".)

A kind is reported missing (`NotFoundError` with ``missing == "kind"``) only when the server said so
for sure: its group-version document answered without it, or the group-version is not listed in
``/api`` or ``/apis``. A 404 from a document that the list still names (the group is changing), a
5xx or a dropped connection is retried with the client's backoff and then becomes an
`UnreachableError`: a kind whose discovery failed is "not known", never "not served". Sure misses are
remembered until `invalidate` (a design's custom resources are looked up before their CRD exists);
failures are not.

Thread safety: documents are fetched under one lock (two threads missing the same group fetch it
once); the per-kind map is read without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from kubernetes.dynamic import Resource

from designer.cluster import errors
from designer.cluster.base import ResourceInfo
from designer.cluster.retrying import Retrier

Found = tuple[ResourceInfo, Any]  # (what designer needs, the DynamicClient Resource for requests)
Fetch = Callable[[str], dict[str, Any]]  # GET a discovery path, the answer decoded


class Discovery:
    """Per group-version discovery with a per-kind cache.

    Args:
        dynamic: the DynamicClient whose ``Resource`` objects will send the requests.
        fetch: GETs a discovery path (``/api/v1``) and returns the decoded JSON, raising the
            client's ``ApiException`` or urllib3 errors (the retrier translates them).
        retrier: the client's retry policy (its backoff paces the retries of a changing group).
    """

    def __init__(self, dynamic: Any, fetch: Fetch, retrier: Retrier) -> None:
        self._dynamic = dynamic
        self._fetch = fetch
        self._retrier = retrier
        self._kinds: dict[tuple[str, str], Found] = {}
        self._documents: dict[str, dict[str, Found]] = {}  # api_version -> kind -> found
        self._missing: set[tuple[str, str]] = set()  # sure misses only
        self._lock = threading.RLock()

    def find(self, api_version: str, kind: str) -> Found:
        """``kind`` in ``api_version``; NotFoundError(missing="kind") only when surely not served."""
        found = self._kinds.get((api_version, kind))
        if found is not None:
            return found
        with self._lock:
            return self._find_locked(api_version, kind)

    def invalidate(self) -> None:
        """Forget everything (a CRD became Established or was deleted): the next lookups ask again."""
        with self._lock:
            self._kinds.clear()
            self._documents.clear()
            self._missing.clear()

    def _find_locked(self, api_version: str, kind: str) -> Found:
        key = (api_version, kind)
        found = self._kinds.get(key)
        if found is not None:
            return found
        if key in self._missing:
            raise kind_missing(api_version, kind)
        document = self._documents.get(api_version)
        if document is None:
            document = self._document(api_version)
            self._documents[api_version] = document
        found = document.get(kind)
        if found is None:
            self._missing.add(key)
            raise kind_missing(api_version, kind)
        self._kinds[key] = found
        return found

    def _document(self, api_version: str) -> dict[str, Found]:
        """The kinds of one group-version ({} when the server surely does not serve it)."""
        path = _path(api_version)
        attempt = 0
        while True:
            try:
                answer = self._retrier.call(lambda: self._fetch(path), "discover", api_version)
            except errors.NotFoundError as exc:
                if not self._listed(api_version):
                    return {}
                if attempt >= self._retrier.retries:
                    raise errors.UnreachableError(
                        f"discover {api_version}: {path} answered 404 although the server lists "
                        f"{api_version}: the API group is changing (a CRD being installed or deleted?)",
                        hint="run the command again when the API group is settled",
                        status=404,
                        reason="NotFound",
                    ) from exc
                self._retrier.pause(attempt)
                attempt += 1
                continue
            return self._parse(api_version, answer)

    def _listed(self, api_version: str) -> bool:
        """Whether ``/api`` (core) or ``/apis`` (groups) names ``api_version`` right now."""
        if "/" not in api_version:
            listing = self._retrier.call(lambda: self._fetch("/api"), "discover", "API versions")
            return api_version in (listing.get("versions") or [])
        listing = self._retrier.call(lambda: self._fetch("/apis"), "discover", "API groups")
        return any(
            version.get("groupVersion") == api_version
            for group in listing.get("groups") or []
            for version in group.get("versions") or []
        )

    def _parse(self, api_version: str, answer: dict[str, Any]) -> dict[str, Found]:
        group, _, version = api_version.rpartition("/")
        entries = [e for e in answer.get("resources") or [] if isinstance(e, dict) and "name" in e]
        subresources: dict[str, dict[str, Any]] = {}
        for entry in entries:
            base, slash, sub = str(entry["name"]).partition("/")
            if slash:
                subresources.setdefault(base, {})[sub] = entry
        kinds: dict[str, Found] = {}
        for entry in entries:
            name = str(entry["name"])
            if "/" in name or not entry.get("kind") or entry["kind"] in kinds:
                continue  # subresources belong to their resource; the first of a kind wins
            fields = {
                k: v
                for k, v in entry.items()
                if k not in ("prefix", "group", "api_version", "client", "preferred")
            }
            resource = Resource(  # type: ignore[no-untyped-call]
                prefix="apis" if group else "api",
                group=group,
                api_version=version,
                client=self._dynamic,
                preferred=True,
                subresources=subresources.get(name),
                **fields,
            )
            info = ResourceInfo(
                api_version=api_version,
                kind=str(entry["kind"]),
                plural=name,
                namespaced=bool(entry.get("namespaced")),
                verbs=tuple(str(v) for v in entry.get("verbs") or ()),
                subresources=tuple(sorted(subresources.get(name, {}))),
            )
            kinds[info.kind] = (info, resource)
        return kinds


def _path(api_version: str) -> str:
    return f"/apis/{api_version}" if "/" in api_version else f"/api/{api_version}"


def kind_missing(api_version: str, kind: str) -> errors.NotFoundError:
    """The error for a kind the server surely does not serve."""
    return errors.NotFoundError(
        f"the server has no kind {kind} in {api_version}",
        missing="kind",
        hint="install the CRD that defines it (and wait until it is Established), "
        "or check apiVersion and kind",
    )
