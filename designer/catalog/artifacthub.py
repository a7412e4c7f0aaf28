"""Artifact Hub metadata for catalog designs: artifacthub-pkg.yml folders and OCI annotations.

Artifact Hub lists Meshery designs from a git repository, one folder per package version holding
``artifacthub-pkg.yml``, ``design.yml`` and ``README.md``, and OCI repositories from their manifest
annotations. `design catalog build` writes those folders under ``artifacthub/`` of the catalog (add
that folder to Artifact Hub as a "Meshery designs" repository); `design catalog push` to an OCI
source sets the annotations. Both hold only fields Artifact Hub documents
(schemas/artifacthub.schema.json) and both are functions of the design and the build options alone
(``metadata.created`` gives the date, never the clock), so the catalog build stays byte-reproducible.
Callers: designer.catalog.building, designer.catalog.sources.oci.
"""

from __future__ import annotations

import datetime
import json
import re
import textwrap
import urllib.parse
from dataclasses import dataclass
from typing import Any

import yaml

from designer.catalog import packaging, versions
from designer.errors import CatalogError

FOLDER = "artifacthub"
PKG_FILE = "artifacthub-pkg.yml"
DESIGN_FILE = "design.yml"
README_FILE = "README.md"
FILES = (PKG_FILE, DESIGN_FILE, README_FILE)
NO_DATE = "1970-01-01T00:00:00Z"
"""createdAt of a design without ``metadata.created`` (Artifact Hub requires one; the clock would
make every build differ)."""
_CATEGORIES = {
    "Security": "security",
    "Observability": "monitoring-logging",
    "Traffic-management": "networking",
}
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", re.ASCII)
_AUTHOR = re.compile(r"\s*(?P<name>[^<>]+?)\s*<(?P<email>[^<>@\s]+@[^<>\s]+)>\s*")
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """What Artifact Hub shows of one design version."""

    package: packaging.Package
    display_name: str
    created: str | None
    """RFC 3339, or None when the design does not say."""
    license: str
    caveats: str
    authors: tuple[str, ...]
    links: tuple[tuple[str, str], ...]

    @property
    def created_at(self) -> str:
        """Artifact Hub's createdAt."""
        return self.created or NO_DATE

    @property
    def description(self) -> str:
        """The design's description (Artifact Hub requires one: the display name stands in)."""
        return " ".join(self.package.info.description.split()) or self.display_name

    @property
    def keywords(self) -> list[str]:
        """Tags, then meshes (but "none"), then "designer": each once."""
        info = self.package.info
        words = [*info.tags, *(m for m in info.meshes if m != "none"), "designer"]
        return list(dict.fromkeys(words))

    @property
    def folder(self) -> str:
        """``artifacthub/NAME/VERSION``, relative to the catalog folder."""
        return f"{FOLDER}/{self.package.info.name}/{self.package.info.version}"

    def link(self, *names: str) -> str | None:
        """The URL of the first link called one of ``names`` (case-insensitive)."""
        wanted = {n.lower() for n in names}
        return next((url for name, url in self.links if name.lower() in wanted), None)


def listing(package: packaging.Package) -> Listing:
    """The Artifact Hub view of ``package``, from its design's metadata."""
    info = package.info
    meta = _metadata(info.content, info.file)
    display = _text(meta, "displayName", info.file) or " ".join(
        word.capitalize() for word in re.split(r"[-.]", info.name) if word
    )
    links = meta.get("links") or []
    if not isinstance(links, list) or not all(
        isinstance(x, dict) and isinstance(x.get("name"), str) and isinstance(x.get("url"), str)
        for x in links
    ):
        raise CatalogError(
            f"{info.file}: metadata.links must be a list of {{name, url}}", path="metadata.links"
        )
    authors = meta.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors):
        raise CatalogError(
            f"{info.file}: metadata.authors must be a list of strings", path="metadata.authors"
        )
    return Listing(
        package=package,
        display_name=display,
        created=_created(meta, info.file),
        license=_text(meta, "license", info.file),
        caveats=_text(meta, "caveats", info.file),
        authors=tuple(authors),
        links=tuple((x["name"], x["url"]) for x in links),
    )


def files(item: Listing, *, source_url: str | None = None) -> dict[str, bytes]:
    """The files of ``item``'s Artifact Hub folder, by path relative to the catalog folder."""
    package = item.package
    install = install_text(item, source_url)
    return {
        f"{item.folder}/{PKG_FILE}": _dump(package_metadata(item, install=install, source_url=source_url)),
        f"{item.folder}/{DESIGN_FILE}": package.info.content,
        f"{item.folder}/{README_FILE}": _readme(item, install).encode(),
    }


def package_metadata(item: Listing, *, install: str, source_url: str | None = None) -> dict[str, Any]:
    """The artifacthub-pkg.yml document (Artifact Hub's documented fields only, in its order)."""
    info = item.package.info
    doc: dict[str, Any] = {
        "version": info.version,
        "name": info.name.replace(".", "-"),  # Artifact Hub names hold letters, digits and dashes
        "displayName": item.display_name,
        "createdAt": item.created_at,
        "description": item.description,
    }
    if info.type in _CATEGORIES:
        doc["category"] = _CATEGORIES[info.type]
    doc["digest"] = item.package.digest
    if item.license:
        doc["license"] = item.license
    if versions.parse(info.version).is_prerelease:
        doc["prerelease"] = True
    doc["keywords"] = item.keywords
    links = [{"name": name, "url": url} for name, url in item.links]
    if source_url and urllib.parse.urlsplit(source_url).scheme in ("http", "https"):
        links.append({"name": "Catalog (designer source)", "url": source_url})
    if links:
        doc["links"] = links
    doc["install"] = install
    maintainers = [m.groupdict() for m in map(_AUTHOR.fullmatch, item.authors) if m]
    if maintainers:
        doc["maintainers"] = maintainers
    if item.authors:
        doc["provider"] = {"name": ", ".join(item.authors)}
    return doc


def install_text(item: Listing, source_url: str | None) -> str:
    """Markdown: how to pull the design with designer and apply it."""
    info = item.package.info
    if source_url:
        source = _source_name(source_url)
        commands = [
            f"design catalog add-source {source} {source_url}",
            f"design catalog pull {info.name}@{info.version} --source {source}",
        ]
    else:
        commands = [f"design catalog pull {info.name}@{info.version}  # --source NAME: the catalog it is in"]
    commands += [f"design validate {info.file}", f"design apply {info.file}"]
    body = "\n".join(commands)
    return f"Pull the design with designer, check it, then apply it:\n\n```sh\n{body}\n```\n"


def oci_annotations(package: packaging.Package) -> dict[str, str]:
    """OCI manifest annotations Artifact Hub (and registries' own UIs) read, all strings."""
    item = listing(package)
    info = package.info
    notes = {
        "org.opencontainers.image.title": item.display_name,
        "org.opencontainers.image.description": textwrap.shorten(item.description, 512, placeholder=" …"),
        "org.opencontainers.image.version": info.version,
        "org.opencontainers.image.created": item.created_at,
        "io.artifacthub.package.keywords": ",".join(item.keywords),
        "io.artifacthub.package.prerelease": str(versions.parse(info.version).is_prerelease).lower(),
    }
    if info.type in _CATEGORIES:
        notes["io.artifacthub.package.category"] = _CATEGORIES[info.type]
    if item.license:
        notes["org.opencontainers.image.licenses"] = item.license
        notes["io.artifacthub.package.license"] = item.license
    if item.authors:
        notes["org.opencontainers.image.authors"] = ", ".join(item.authors)
    maintainers = [m.groupdict() for m in map(_AUTHOR.fullmatch, item.authors) if m]
    if maintainers:
        notes["io.artifacthub.package.maintainers"] = json.dumps(maintainers, separators=(",", ":"))
    for key, names in (
        ("io.artifacthub.package.readme-url", ("readme",)),
        ("org.opencontainers.image.source", ("source",)),
        ("org.opencontainers.image.documentation", ("documentation", "docs")),
        ("org.opencontainers.image.url", ("home", "homepage")),
    ):
        url = item.link(*names)
        if url:
            notes[key] = url
    return notes


def _metadata(content: bytes, origin: str) -> dict[str, Any]:
    # The content was read once already (designer.catalog.metadata): it is one mapping document.
    doc = yaml.load(content, Loader=_Loader)
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    if not isinstance(meta, dict):
        raise CatalogError(f"{origin}: metadata is missing", path="metadata")
    return meta


def _text(meta: dict[str, Any], key: str, origin: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CatalogError(f"{origin}: metadata.{key} must be text", path=f"metadata.{key}")
    return value.strip()


def _created(meta: dict[str, Any], origin: str) -> str | None:
    """``metadata.created`` as RFC 3339 (a date alone is midnight UTC; no offset means UTC)."""
    value = meta.get("created")
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        text = value.isoformat()
    elif isinstance(value, datetime.date):
        text = value.isoformat() + "T00:00:00Z"
    elif isinstance(value, str):
        text = value.strip().replace(" ", "T", 1)
        text = text + "T00:00:00Z" if len(text) == 10 else text
    else:
        text = ""
    if text and _RFC3339.fullmatch(text) is None and _RFC3339.fullmatch(text + "Z"):
        text += "Z"
    if _RFC3339.fullmatch(text) is None:
        raise CatalogError(
            f"{origin}: metadata.created is not a date",
            path="metadata.created",
            hint="use YYYY-MM-DD or an RFC 3339 time such as 2025-01-31T12:00:00Z",
        )
    return text


def _source_name(url: str) -> str:
    """A source name for the install text: the URL's last path segment (or host), DNS-safe."""
    parts = urllib.parse.urlsplit(url)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1] or parts.hostname or "catalog"
    name = re.sub(r"[^a-z0-9]+", "-", last.lower()).strip("-")
    return name or "catalog"


def _readme(item: Listing, install: str) -> str:
    info = item.package.info
    facts = [f"Type: {info.type}"]
    meshes = [m for m in info.meshes if m != "none"]
    facts.append(f"Meshes: {', '.join(meshes)}" if meshes else "No service mesh needed")
    if item.license:
        facts.append(f"License: {item.license}")
    parts = [f"# {item.display_name}", item.description, " · ".join(facts)]
    if item.caveats:
        parts += ["## Caveats", " ".join(item.caveats.split())]
    parts += ["## Install", install.rstrip()]
    return "\n\n".join(parts) + "\n"


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text (the install instructions), so the file reads as written."""


def _text_style(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text_style)


def _dump(doc: dict[str, Any]) -> bytes:
    header = (
        "# Artifact Hub package metadata, written by `design catalog build`: edit the design, not this.\n"
    )
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return (header + body).encode()
