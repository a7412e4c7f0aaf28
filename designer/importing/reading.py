"""Input side of `design import`: local files and folders, http(s) URLs, Helm charts, Compose files.

Everything but Compose ends in designer.loading, which recognises Kubernetes manifests and both
Meshery formats; this module only fetches bytes (size-bounded, one deadline per transfer:
designer.fetching), renders charts with the ``helm`` binary when it is installed, and hands Docker
Compose files (``--from compose``, or recognised by ``auto``) to designer.importing.compose, whose
notes (what was not converted) come back with the designs. Callers: designer.cli.importing.
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from designer import fetching
from designer.errors import DesignerError, DesignError, Location
from designer.importing.compose.converting import import_compose
from designer.importing.compose.document import looks_like_compose
from designer.importing.compose.notes import Note
from designer.loading import load_paths, load_text
from designer.loading.yamlnodes import MAX_FILE_BYTES
from designer.model import Design

FORMATS = ("auto", "kubernetes", "meshery", "helm", "compose")
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
"""The names Compose looks for in a folder, in its order."""
MAX_INPUT_BYTES = 16 * 1024 * 1024
HELM_TIMEOUT_S = 120.0

_EXPECTED = {
    "kubernetes": ("kubernetes",),
    "meshery": ("meshery-pattern", "meshery-design"),
}


def is_url(source: str) -> bool:
    """True for http(s) URLs."""
    return urllib.parse.urlsplit(source).scheme in ("http", "https")


@dataclass(frozen=True)
class Reading:
    """The designs an input holds, and the notes of what a conversion left out (Compose)."""

    designs: list[Design]
    notes: list[Note] = field(default_factory=list)


def read_input(
    source: str,
    fmt: str = "auto",
    *,
    release: str | None = None,
    namespace: str | None = None,
    name: str | None = None,
) -> Reading:
    """The designs in ``source`` read as ``fmt`` (auto: a Compose file, or what designer.loading
    recognises); ``namespace`` is the Helm release's or the Compose project's namespace."""
    compose = _compose_source(source, fmt)
    if compose is not None:
        raw, file, folder = compose
        converted = import_compose(raw, file, folder=folder, project=name, namespace=namespace)
        return Reading([converted.design], converted.notes)
    return Reading(read_designs(source, fmt, release=release, namespace=namespace))


def _compose_source(source: str, fmt: str) -> tuple[bytes, str, Path | None] | None:
    """(bytes, file name, project folder) when ``source`` is to be read as a Compose file."""
    if fmt not in ("auto", "compose"):
        return None
    if is_url(source):
        if fmt == "auto":
            return None  # read once, below, by designer.loading; --from compose for a Compose URL
        return fetch(source), Path(urllib.parse.urlsplit(source).path).name or "compose.yaml", None
    path = Path(source)
    if path.is_dir():
        found = next((path / n for n in COMPOSE_FILES if (path / n).is_file()), None)
        if found is None:
            if fmt == "compose":
                raise DesignError(
                    f"{source} holds no {' / '.join(COMPOSE_FILES)}",
                    location=Location.whole(source),
                    hint="pass the Compose file itself",
                )
            return None
        path = found
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    if fmt == "compose" or looks_like_compose(raw, str(path)):
        return raw, str(path), path.resolve().parent
    return None


def read_designs(
    source: str, fmt: str = "auto", *, release: str | None = None, namespace: str | None = None
) -> list[Design]:
    """The designs in ``source`` read as ``fmt`` (auto: whatever designer.loading recognises)."""
    if fmt == "helm":
        designs = [render_chart(source, release=release, namespace=namespace)]
    elif is_url(source):
        name = Path(urllib.parse.urlsplit(source).path).name or "imported.yaml"
        designs = load_text(fetch(source), name)
    else:
        designs = load_paths([source])
    if not designs:
        raise DesignError(f"{source} holds no design or manifest", hint="check the input")
    wanted = _EXPECTED.get(fmt)
    if wanted is not None:
        for design in designs:
            if design.source_format not in wanted:
                raise DesignError(
                    f"{design.file} is {design.source_format}, not {fmt}",
                    location=design.location,
                    hint=f"use --from {_format_option(design.source_format)} (or leave --from out)",
                )
    return designs


def _format_option(source_format: str) -> str:
    if source_format.startswith("meshery"):
        return "meshery"
    if source_format == "compose":
        return "compose"
    return "kubernetes" if source_format == "kubernetes" else "auto"


def fetch(url: str) -> bytes:
    """GET ``url``: at most MAX_INPUT_BYTES, within one deadline for the whole transfer."""
    return fetching.get(url, limit=MAX_INPUT_BYTES, agent="designer-import")


def render_chart(chart: str, *, release: str | None = None, namespace: str | None = None) -> Design:
    """Render a Helm chart (folder, .tgz, URL or repo/chart) with ``helm template``."""
    helm = shutil.which("helm")
    if helm is None:
        raise DesignerError(
            "importing a Helm chart needs the helm binary, which is not on PATH",
            hint="install helm 3 (https://helm.sh/docs/intro/install/), or run `helm template` "
            "yourself and import the output with --from kubernetes",
        )
    name = release or _chart_name(chart)
    command = [helm, "template", name, chart]
    if namespace:
        command += ["--namespace", namespace]
    try:
        done = subprocess.run(command, capture_output=True, timeout=HELM_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DesignerError(f"helm template {chart} failed: {exc}", hint="check the chart") from exc
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise DesignerError(
            f"helm template {chart} failed: {message[-1] if message else 'exit ' + str(done.returncode)}",
            hint="check the chart path or reference (helm template must succeed on its own)",
        )
    designs = load_text(done.stdout, f"{name}.yaml")
    if len(designs) != 1:
        raise DesignError(f"helm template {chart} rendered no Kubernetes objects", hint="check the chart")
    return designs[0]


def _chart_name(chart: str) -> str:
    base = Path(urllib.parse.urlsplit(chart).path.rstrip("/")).name or "release"
    for suffix in (".tgz", ".tar.gz"):
        base = base.removesuffix(suffix)
    return base.rsplit("-", 1)[0] if base[-1:].isdigit() and "-" in base else base
