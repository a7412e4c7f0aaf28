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

from designer.catalog import versions
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
    try:
        if path.stat().st_size > MAX_DESIGN_BYTES:
            raise CatalogError(f"{path}: larger than {MAX_DESIGN_BYTES} bytes", hint="split the design")
        content = path.read_bytes()
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: no such file", hint="give the path of a design file") from exc
    except IsADirectoryError as exc:
        raise CatalogError(f"{path} is a folder", hint="give one design file (NAME.yaml)") from exc
    except OSError as exc:
        raise CatalogError(f"cannot read {path}: {exc.strerror}") from exc
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
    version = meta.get("version")
    if not isinstance(version, str) or not versions.is_valid(version):
        raise CatalogError(
            f"{origin}: metadata.version {version!r} is not a semantic version",
            path="metadata.version",
            hint="catalog entries need a version such as 1.0.0",
        )
    kind = meta.get("type", "Deployment")
    if kind not in TYPES:
        raise CatalogError(
            f"{origin}: metadata.type {kind!r} is not a catalog type",
            path="metadata.type",
            hint="one of " + ", ".join(TYPES),
        )
    return DesignInfo(
        name=meta["name"],
        version=version,
        description=str(meta.get("description", "")).strip(),
        type=kind,
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        meshes=tuple(str(m) for m in meta.get("meshes") or ()),
        file=file,
        content=content,
    )
