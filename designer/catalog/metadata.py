"""What a native design file says about itself: the catalog metadata of a pattern.

The catalog needs only a design's metadata block (name, semver version, description, type, tags,
meshes); full loading and validation belong to designer.loading and `design validate`. Reading the
raw file here keeps packaging byte-exact: the archive carries the file as written, comments and all.
Callers: designer.catalog.packaging, designer.catalog.building.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from designer.catalog import files, names
from designer.errors import CatalogError, Location
from designer.model import DESIGNER_API_VERSION

TYPES = (
    "Deployment",
    "Observability",
    "Resiliency",
    "Scaling",
    "Security",
    "Traffic-management",
    "Troubleshooting",
    "Workloads",
)
"""Meshery's catalog types (meshery/schemas catalog_data `type`)."""

MAX_DESIGN_BYTES = 4 * 1024 * 1024
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True, kw_only=True)
class DesignInfo:
    """The catalog-relevant metadata of one design file, plus its bytes."""

    name: str
    version: str
    description: str
    type: str
    tags: tuple[str, ...]
    meshes: tuple[str, ...]
    file: str
    content: bytes

    def __post_init__(self) -> None:
        # Name, version and file name become paths: an info that holds a bad one cannot exist, so
        # no writer (pack, build, push, pull) can be handed one, whatever path it came by.
        for kind, value in (("name", self.name), ("version", self.version), ("file", self.file)):
            names.check(kind, value, origin="design metadata", path=f"metadata.{kind}")

    @property
    def content_digest(self) -> str:
        """sha256 of the design file itself (recorded in the package metadata)."""
        return "sha256:" + hashlib.sha256(self.content).hexdigest()

    def as_json(self) -> dict[str, Any]:
        """The package's metadata.json document."""
        return {
            "schema_version": 1,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "type": self.type,
            "tags": list(self.tags),
            "meshes": list(self.meshes),
            "file": self.file,
            "design_digest": self.content_digest,
        }


def read_design_info(path: Path) -> DesignInfo:
    """Read ``path`` (a native designer/v1 Design) and return its catalog metadata."""
    content = files.read_regular(path, limit=MAX_DESIGN_BYTES)
    return design_info(content, file=path.name, origin=str(path))


def design_info(content: bytes, *, file: str, origin: str) -> DesignInfo:
    """Catalog metadata of design text ``content``; ``origin`` names it in errors."""
    try:
        docs = [d for d in yaml.load_all(content, Loader=_Loader) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(origin, mark.line + 1, mark.column + 1) if mark is not None else None
        raise CatalogError("the design is not valid YAML", location=loc, hint="fix the YAML") from exc
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise CatalogError(f"{origin}: a catalog pattern is exactly one YAML document (a Design)")
    doc: dict[str, Any] = docs[0]
    if doc.get("apiVersion") != DESIGNER_API_VERSION or doc.get("kind") != "Design":
        raise CatalogError(
            f"{origin}: only native designs (apiVersion {DESIGNER_API_VERSION}, kind Design) can be packaged",
            hint="convert it first with `design import FILE --from kubernetes|meshery -o NAME.yaml`",
        )
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise CatalogError(f"{origin}: metadata.name is missing", path="metadata.name")
    for key in ("name", "version"):
        if not names.is_valid(key, meta.get(key)):
            names.check(
                key, meta.get(key), origin=origin, path=f"metadata.{key}", at=_at(content, origin, key)
            )
    names.check("file", file, origin=origin)
    kind = meta.get("type", "Deployment")
    if not isinstance(kind, str) or kind not in TYPES:
        shown = repr(kind) if isinstance(kind, str) else f"of type {type(kind).__name__}"
        raise CatalogError(
            f"type {shown} is not a catalog type",
            location=_at(content, origin, "type"),
            path="metadata.type",
            hint="one of " + ", ".join(TYPES),
        )
    return DesignInfo(
        name=meta["name"],
        version=meta["version"],
        description=_text(meta, "description", content, origin).strip(),
        type=kind,
        tags=_words(meta, "tags", content, origin),
        meshes=_words(meta, "meshes", content, origin),
        file=file,
        content=content,
    )


def _at(content: bytes, origin: str, key: str) -> Location:
    """Where ``metadata.<key>`` is in ``content`` (the document's first line when it is absent)."""
    node: Any = yaml.compose(content, Loader=_Loader)
    for step in ("metadata", key):
        found = None
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if getattr(k, "value", None) == step), None)
        if found is None:
            break
        node = found
    mark = node.start_mark if node is not None else None
    return Location(origin, mark.line + 1, mark.column + 1) if mark is not None else Location(origin, 1)


# Only strings are read, and values are never repr()'d in errors: str() of an alias-heavy YAML value
# (a "billion laughs" list in a hostile archive) would expand it.
def _text(meta: dict[str, Any], key: str, content: bytes, origin: str) -> str:
    value = meta.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        where = _at(content, origin, key)
        raise CatalogError(f"{key} must be text", location=where, path=f"metadata.{key}")
    return value


def _words(meta: dict[str, Any], key: str, content: bytes, origin: str) -> tuple[str, ...]:
    value = meta.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        where = _at(content, origin, key)
        raise CatalogError(f"{key} must be a list of strings", location=where, path=f"metadata.{key}")
    return tuple(value)
