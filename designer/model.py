"""The design model: frozen value objects shared by every layer. No I/O here.

A `Design` holds `Component`s; each component knows the file position it came from and, for any key
path inside the Kubernetes object it stands for, where that key sits in the file (`Component.locate`).
The graph keys nodes on component names (unique within a design); `ObjectRef` identifies a
Kubernetes object once rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from designer.errors import Location

KubeObject = dict[str, Any]
"""A raw Kubernetes object body (apiVersion, kind, metadata, …) as plain JSON-like data."""

DESIGNER_API_VERSION = "designer/v1"
"""apiVersion of designer's own kinds (Design, IstioMesh, LinkerdMesh, PerformanceProfile)."""

SHARED_METADATA = (
    "description",
    "type",
    "tags",
    "meshes",
    "labels",
    "annotations",
    "caveats",
    "license",
    "authors",
    "displayName",
    "created",
    "links",
)
"""The keys of a design's metadata that travel with it between formats (import, Meshery export)."""


@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    """Identity of a Kubernetes object: apiVersion, kind, namespace (None if cluster-scoped), name."""

    api_version: str
    kind: str
    namespace: str | None
    name: str

    @property
    def group(self) -> str:
        """The API group ('' for the core group)."""
        return self.api_version.rpartition("/")[0]

    def as_json(self) -> dict[str, str | None]:
        """The stable JSON shape used in every report."""
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }

    def __str__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> ObjectRef:
        """The ref of a raw object body."""
        meta = body.get("metadata") or {}
        return cls(
            api_version=str(body.get("apiVersion", "")),
            kind=str(body.get("kind", "")),
            namespace=meta.get("namespace") or None,
            name=str(meta.get("name", "")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Component:
    """One node of a design: a Kubernetes object, a mesh installation, or a performance profile.

    ``settings`` is the resource body without apiVersion/kind/metadata (Meshery's convention).
    ``positions`` maps key paths *of the rendered object* (``metadata.name``,
    ``spec.template.spec.containers[0].image``) to where the key is written in the file, so a
    finding on an object can point at the right line whatever format the design came in.
    """

    name: str
    kind: str
    api_version: str
    namespace: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    traits: Mapping[str, Any] = field(default_factory=dict)
    object_name: str | None = None
    location: Location
    key_path: str
    positions: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)
    review: Mapping[str, Any] | None = field(default=None, repr=False)
    """The admission request this component came from (an ``AdmissionReview`` document), or None.

    Gatekeeper constraints review such a component with this request as ``input.review`` (operation,
    userInfo, oldObject …) instead of a plain CREATE of the object.
    """

    @property
    def is_designer_kind(self) -> bool:
        """True for designer's own kinds, which adapters render rather than the API server."""
        return self.api_version == DESIGNER_API_VERSION

    @property
    def ref(self) -> ObjectRef:
        """The ref of the Kubernetes object this component stands for."""
        return ObjectRef(self.api_version, self.kind, self.namespace, self.object_name or self.name)

    def to_object(self) -> KubeObject:
        """The Kubernetes object this component stands for (a fresh, mutable copy)."""
        metadata: dict[str, Any] = {"name": self.object_name or self.name}
        if self.namespace:
            metadata["namespace"] = self.namespace
        if self.labels:
            metadata["labels"] = dict(self.labels)
        if self.annotations:
            metadata["annotations"] = dict(self.annotations)
        body: KubeObject = {"apiVersion": self.api_version, "kind": self.kind, "metadata": metadata}
        body.update(_deep_copy(self.settings))
        return body

    def locate(self, object_path: str | None = None) -> Location:
        """Where ``object_path`` (a key path of the rendered object) is written, or the nearest parent."""
        path = object_path or ""
        find = getattr(self.positions, "find", self.positions.get)  # loaders' positions: no KeyError
        while path:
            found = find(path)
            if isinstance(found, Location):
                return found
            path = _parent_path(path)
        return self.location

    def locate_dependency(self, index: int) -> Location:
        """Where the component names its ``index``-th dependency (its dependsOn entry), else where it starts.

        The loaders' positions know where each format writes dependencies (``dependsOn[i]``, Meshery's
        ``metadata.dependsOn[i]``, a manifest's annotation); positions without that answer None.
        """
        where = getattr(self.positions, "dependency", None)
        found = where(index) if callable(where) else None
        return found if isinstance(found, Location) else self.location

    def design_path(self, object_path: str | None = None) -> str:
        """The key path in the design file for ``object_path`` (best effort, for messages)."""
        return f"{self.key_path}.{object_path}" if object_path else self.key_path


@dataclass(frozen=True, slots=True, kw_only=True)
class Design:
    """A loaded design: its metadata, variables (resolved values) and components in file order."""

    name: str
    source_format: str  # "designer/v1" | "kubernetes" | "meshery-pattern" | "meshery-design"
    location: Location
    components: tuple[Component, ...]
    version: str | None = None
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)
    _by_name: dict[str, Component] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Rendering and validation look every component up by name: a scan per lookup made them
        # quadratic (100,000 components took two minutes). The first of a repeated name wins, as
        # the scan did.
        by_name: dict[str, Component] = {}
        for comp in self.components:
            by_name.setdefault(comp.name, comp)
        object.__setattr__(self, "_by_name", by_name)

    def component(self, name: str) -> Component:
        """The component called ``name`` (KeyError if absent)."""
        return self._by_name[name]

    @property
    def file(self) -> str:
        """The file the design came from."""
        return self.location.file


@dataclass(frozen=True, slots=True, order=True)
class Edge:
    """``dependency`` must be ready before ``dependent`` starts; ``reason`` says why."""

    dependency: str
    dependent: str
    reason: str
    explicit: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedObject:
    """A Kubernetes object produced from a component by its adapter."""

    component: Component
    body: KubeObject

    @property
    def ref(self) -> ObjectRef:
        """The object's identity."""
        return ObjectRef.of(self.body)


def _parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path.rpartition(".")[0]


def _deep_copy(value: Any) -> Any:
    """A fresh copy of JSON-like data that shares no container with ``value``.

    Through orjson when it can (C: 40 times faster than a Python walk, and it leaves no garbage for the
    collector to chase through a large design), else by hand: orjson refuses integers beyond 64 bits,
    non-string keys and mappings that are not dicts.
    """
    if type(value) is dict and value:
        try:
            copied: Any = orjson.loads(orjson.dumps(value))
        except (orjson.JSONEncodeError, TypeError):
            return _copied(value)
        return copied
    return _copied(value)


def _copied(value: Any) -> Any:
    # Exact type checks first: isinstance against the Mapping ABC costs microseconds per scalar.
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is dict or isinstance(value, Mapping):
        return {k: _copied(v) for k, v in value.items()}
    if kind is list or isinstance(value, list | tuple):
        return [_copied(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class ToolInput:
    """A file written for another tool (kustomize, istioctl) that designer checked as what it is.

    ``reads`` names the other files the check looked at (a Kustomization's listed resources): the
    result depends on them too.
    """

    kind: str
    tool: str
    location: Location
    fields: int  # top-level fields checked
    errors: int  # mistakes found (reported as errors beside it)
    reads: tuple[str, ...] = ()
