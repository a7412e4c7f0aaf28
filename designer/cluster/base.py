"""The `Cluster` protocol: every way designer reads or writes a Kubernetes API.

Callers: `designer.diffing`/`designer.cli.diff` (get, list and dry-run apply only) and the apply
engine (apply, delete, watch). The implementation on the official client is
`designer.cluster.kube.KubeCluster`; tests run it against the sandbox API emulator or a real cluster.

Implementations are called from several threads at once (the diff planner's pool, the apply
engine's component threads) and must be safe for that, discovery included: `KubeCluster` serializes
its discovery itself. Limiting how many requests are in flight is the caller's job.

Every method raises `designer.errors.ClusterError` (usually one of the subclasses in
`designer.cluster.errors`, which carry the HTTP status, the Kubernetes reason and the causes) and
never a third-party exception. Bodies going in and out are plain JSON-like dicts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from designer.model import KubeObject, ObjectRef

FIELD_MANAGER = "designer"
"""The one stable field manager designer uses for server-side apply (kube-api.md section 6)."""

Propagation = Literal["Foreground", "Background", "Orphan"]
WatchEventType = Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceInfo:
    """What discovery says about one kind: its URL plural, scope and verbs.

    ``namespaced`` is False for cluster-scoped kinds (Namespace, CRD, ClusterRole …); an
    ``ObjectRef`` of such a kind must have ``namespace=None``.
    """

    api_version: str
    kind: str
    plural: str
    namespaced: bool
    verbs: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()

    @property
    def group(self) -> str:
        """The API group ('' for core)."""
        return self.api_version.rpartition("/")[0]


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchEvent:
    """One watch event. For ``ERROR`` events ``object`` is the Status body (e.g. 410 Gone)."""

    type: WatchEventType
    object: KubeObject = field(default_factory=dict)

    @property
    def resource_version(self) -> str | None:
        """The event object's resourceVersion, to resume a watch from."""
        meta = self.object.get("metadata") or {}
        value = meta.get("resourceVersion")
        return str(value) if value else None


@runtime_checkable
class Cluster(Protocol):
    """A Kubernetes API designer talks to.

    Objects are identified by `ObjectRef`; the namespace of a namespaced ref must be set (callers
    default it before). Reads return plain dicts including ``apiVersion`` and ``kind``.
    """

    @property
    def context_name(self) -> str:
        """The kubeconfig context in use (shown in plans and logs)."""
        ...

    @property
    def default_namespace(self) -> str:
        """The namespace for namespaced objects that name none (the context's, else "default")."""
        ...

    def resource_info(self, api_version: str, kind: str) -> ResourceInfo:
        """Discover ``kind`` in ``api_version`` (cached).

        Raises:
            designer.cluster.errors.NotFoundError: with ``missing == "kind"`` when the server does
                not serve the kind (e.g. its CRD is not installed or not yet Established).
        """
        ...

    def is_namespaced(self, api_version: str, kind: str) -> bool:
        """Whether objects of ``kind`` live in namespaces (discovery, cached)."""
        ...

    def invalidate_discovery(self) -> None:
        """Forget cached discovery; call after a CRD became Established."""
        ...

    def get(self, ref: ObjectRef) -> KubeObject | None:
        """The live object, or None when it (or its namespace) does not exist.

        An unknown kind still raises `NotFoundError` (``missing == "kind"``): absence of an
        object and absence of its type are different answers.
        """
        ...

    def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
    ) -> list[KubeObject]:
        """Objects of ``kind``, in one namespace or (``namespace=None``) all of them.

        ``label_selector`` uses the Kubernetes syntax (``a=b,c!=d,e in (f,g),!h``). Items are
        returned sorted by (namespace, name), each with ``apiVersion`` and ``kind`` filled in.
        """
        ...

    def apply(
        self,
        body: KubeObject,
        *,
        field_manager: str = FIELD_MANAGER,
        dry_run: bool = False,
        force: bool = False,
    ) -> KubeObject:
        """Server-side apply ``body`` (PATCH application/apply-patch+yaml); returns the result.

        ``dry_run=True`` sends ``dryRun=All``: the server runs defaulting, admission, validation
        and conflict detection and returns the object it *would* store, persisting nothing.
        ``force=True`` takes ownership of fields other managers own.

        Raises:
            designer.cluster.errors.ConflictError: 409; ``conflicts`` lists field and manager.
            designer.cluster.errors.InvalidError: 422; ``immutable`` when a field is immutable.
            designer.cluster.errors.NotFoundError: 404; namespace or kind missing.
            designer.cluster.errors.ForbiddenError: 403.
            designer.cluster.errors.DryRunUnsupportedError: a webhook cannot handle dry run.
        """
        ...

    def delete(
        self,
        ref: ObjectRef,
        *,
        propagation: Propagation = "Background",
        dry_run: bool = False,
    ) -> bool:
        """Delete the object; False when it was already gone. Does not wait for finalizers."""
        ...

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
        """Stream events until ``timeout_seconds`` pass or the caller stops iterating.

        Starting from ``resource_version`` replays later events in order; a too-old version gives
        an ``ERROR`` event with a 410 Status (re-list, then watch from the list's version).
        """
        ...

    def close(self) -> None:
        """Release connections and caches; the cluster object is unusable afterwards."""
        ...

    def list_resource_version(
        self, api_version: str, kind: str, *, namespace: str | None = None
    ) -> str | None:
        """The collection's resourceVersion (for list-then-watch)."""
        ...


def namespaced_ref(ref: ObjectRef, default_namespace: str, *, namespaced: bool) -> ObjectRef:
    """``ref`` with its namespace fixed for its scope: defaulted if namespaced, dropped if not."""
    if not namespaced:
        return ObjectRef(ref.api_version, ref.kind, None, ref.name)
    if ref.namespace:
        return ref
    return ObjectRef(ref.api_version, ref.kind, default_namespace, ref.name)


def labels_of(body: Mapping[str, object]) -> dict[str, str]:
    """The labels of a raw object (empty when none)."""
    meta = body.get("metadata")
    if not isinstance(meta, Mapping):
        return {}
    labels = meta.get("labels")
    if not isinstance(labels, Mapping):
        return {}
    return {str(k): str(v) for k, v in labels.items()}
