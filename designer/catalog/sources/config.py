"""Named catalog sources: the user's sources file and opening a source by name.

Sources live in ``sources.json`` in the user's config folder (``$DESIGNER_CONFIG_DIR``, else
``$XDG_CONFIG_HOME/designer``, else ``~/.config/designer``). ``local`` is built in: the catalog
shipped with designer (catalog/ in a checkout). URL schemes pick the kind: a path or ``file://``
is a folder, ``http(s)://`` an HTTP index, ``oci://`` an OCI registry. Callers: designer.cli.catalog.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer import resources
from designer.catalog.sources import base, directory, http
from designer.errors import CatalogError
from designer.statepaths import user_dir

CONFIG_ENV = "DESIGNER_CONFIG_DIR"
SOURCES_FILE = "sources.json"
DEFAULT_SOURCE = "local"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A configured source: its name, URL and, for OCI, whether to use plain HTTP."""

    name: str
    url: str
    plain_http: bool | None = None
    builtin: bool = False

    @property
    def kind(self) -> str:
        """folder, http or oci."""
        scheme = urllib.parse.urlsplit(self.url).scheme
        if scheme in ("http", "https"):
            return "http"
        if scheme == "oci":
            return "oci"
        return "folder"

    def as_json(self) -> dict[str, Any]:
        """The JSON shape used in sources.json and `sources --output json`."""
        data: dict[str, Any] = {"name": self.name, "url": self.url, "kind": self.kind}
        if self.plain_http is not None:
            data["plain_http"] = self.plain_http
        return data


def config_dir() -> Path:
    """The user's designer config folder."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    return user_dir("config")


def _builtin() -> SourceSpec:
    return SourceSpec(DEFAULT_SOURCE, str(resources.catalog_dir()), builtin=True)


def load_specs() -> dict[str, SourceSpec]:
    """Every source: the built-in ``local`` and those in sources.json."""
    specs = {DEFAULT_SOURCE: _builtin()}
    path = config_dir() / SOURCES_FILE
    if not path.exists():
        return specs
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        for name, item in sorted(data.get("sources", {}).items()):
            specs[name] = SourceSpec(name, str(item["url"]), item.get("plain_http"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CatalogError(f"cannot read {path}: {exc}", hint="fix or delete the file") from exc
    return specs


def _save(specs: dict[str, SourceSpec]) -> Path:
    path = config_dir() / SOURCES_FILE
    data = {
        "schema_version": 1,
        "sources": {
            s.name: {k: v for k, v in s.as_json().items() if k not in ("name", "kind")}
            for s in specs.values()
            if not s.builtin
        },
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot write {path}: {exc.strerror}", hint=f"set {CONFIG_ENV}") from exc
    return path


def add_source(name: str, url: str, *, plain_http: bool | None = None) -> SourceSpec:
    """Add or replace source ``name``; folder paths are stored absolute."""
    if not _NAME.match(name):
        raise CatalogError(f"source name {name!r} is invalid", hint="use lowercase letters, digits and '-'")
    if name == DEFAULT_SOURCE:
        raise CatalogError(f"{DEFAULT_SOURCE!r} is the built-in catalog", hint="pick another name")
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("", "file", "http", "https", "oci"):
        raise CatalogError(f"unsupported source URL {url!r}", hint="use a folder path, http(s):// or oci://")
    if scheme == "oci" and not urllib.parse.urlsplit(url).netloc:
        raise CatalogError(f"OCI source {url!r} has no registry host", hint="oci://HOST[:PORT]/NAMESPACE")
    if scheme == "":
        url = str(Path(url).expanduser().resolve())
    spec = SourceSpec(name, url, plain_http)
    specs = load_specs()
    specs[name] = spec
    _save(specs)
    return spec


def remove_source(name: str) -> None:
    """Forget source ``name``."""
    specs = load_specs()
    if name not in specs or specs[name].builtin:
        raise CatalogError(f"no configured source named {name!r}", hint="see `design catalog sources`")
    del specs[name]
    _save(specs)


def open_source(name: str | None = None) -> base.CatalogSource:
    """The source called ``name`` (default ``local``)."""
    specs = load_specs()
    wanted = name or DEFAULT_SOURCE
    spec = specs.get(wanted)
    if spec is None:
        raise CatalogError(
            f"no catalog source named {wanted!r}",
            hint="add it with `design catalog add-source NAME URL`; known: " + ", ".join(sorted(specs)),
        )
    return open_spec(spec)


def open_spec(spec: SourceSpec) -> base.CatalogSource:
    """A source object for ``spec``."""
    if spec.kind == "http":
        return http.HttpSource(spec.name, spec.url)
    if spec.kind == "oci":
        from designer.catalog.sources import oci  # oras (with requests, jsonschema): ~80 ms

        return oci.OciSource(spec.name, spec.url, spec.plain_http)
    parsed = urllib.parse.urlsplit(spec.url)
    folder = Path(urllib.parse.unquote(parsed.path)) if parsed.scheme == "file" else Path(spec.url)
    return directory.DirectorySource(spec.name, folder, read_only=spec.builtin)
