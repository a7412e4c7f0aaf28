"""Lazy lookup of where a rendered object's key paths are written in the design file.

Each format maps object paths (``spec.replicas``) to where that key sits in its own layout
(``settings.spec.replicas`` in a native component); positions are computed on request from the YAML
nodes, so loading a 100,000-component design pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import yaml

from designer.errors import Location
from designer.loading.locating import KeyNormalizer, Walker, locate, node_location

Translate = Callable[[str], str]

_UNKNOWN = object()  # not looked up yet (None is a known miss)


class NodePositions(Mapping[str, Location]):
    """A read-only lookup from object key paths to file locations (lookup only; iterates empty)."""

    __slots__ = ("_cache", "_dependencies", "_file", "_node", "_normalize", "_translate", "_walker")

    def __init__(
        self,
        node: yaml.Node,
        file: str,
        translate: Translate,
        normalize: KeyNormalizer,
        dependencies: str = "dependsOn[{}]",
    ) -> None:
        self._node = node
        self._file = file
        self._translate = translate
        self._normalize = normalize
        self._dependencies = dependencies  # the component's own key path of its i-th dependency
        self._cache: dict[str, Location | None] = {}  # findings ask for the same paths many times
        self._walker: Walker | None = None  # made on the first lookup: most components get none

    def __getitem__(self, object_path: str) -> Location:
        found = self.find(object_path)
        if found is None:
            raise KeyError(object_path)
        return found

    def find(self, object_path: str) -> Location | None:
        """Where ``object_path`` is written, or None (a lookup without the cost of a KeyError)."""
        found = self._cache.get(object_path, _UNKNOWN)
        if found is not _UNKNOWN:
            return found  # type: ignore[return-value]
        if self._walker is None:
            self._walker = Walker(self._node, self._file, self._normalize)
        found = self._cache[object_path] = self._walker.locate(self._translate(object_path))
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def written(self, object_path: str) -> str:
        """The key path, in the component's own layout, where ``object_path`` is (or would be) written
        (``settings.spec.replicas`` in a native component)."""
        return self._translate(object_path)

    def dependency(self, index: int) -> Location | None:
        """Where the component writes its ``index``-th dependency (a path of its own layout)."""
        return locate(self._node, self._dependencies.format(index), self._file, self._normalize)

    def root(self) -> Location:
        """Where the component starts."""
        return node_location(self._node, self._file)


def identity(path: str) -> str:
    """Object paths are written as they are (plain Kubernetes manifests)."""
    return path


_METADATA_KEYS = {"name": "name", "namespace": "namespace", "labels": "labels", "annotations": "annotations"}


def component_layout(path: str) -> str:
    """Native and Meshery layout: metadata fields at the component's top level, the body in settings."""
    if path in ("apiVersion", "kind", ""):
        return path
    if path == "metadata":
        return "name"
    if path.startswith("metadata."):
        field, _, rest = path[len("metadata.") :].partition(".")
        top = _METADATA_KEYS.get(field.split("[")[0])
        if top is None:
            return "name"
        return f"{top}.{rest}" if rest else top
    return f"settings.{path}"
