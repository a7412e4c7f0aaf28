"""Pluggable control-plane installers shared by the mesh adapters (istio, linkerd).

A mesh component's ``settings.installer`` picks how its control plane becomes Kubernetes objects:

- ``{manifest: PATH}``: a YAML file or a folder of them, relative to the design file;
- ``{helm: {chart: CHART, release: NAME, values: {...}}}`` (or a list of those): ``helm template``;
- ``{<mesh cli>: {...}}`` (``istioctl`` or ``linkerd``): the mesh's own manifest generator;
- absent: the mesh CLI if it is on PATH, else an AdapterError that says what to install or set.

The mesh adapters call `render_control_plane`; subprocess and YAML failures become AdapterError here.
What it renders depends on more than the design file (other files, helm, what is on PATH): callers
that keep results per file (designer.validation's cache) learn it through `external_inputs`, and a
caller that may read only some folders (`design ui`) sets them with `confined_to`.
"""

from __future__ import annotations

import contextlib
import contextvars
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from designer.errors import AdapterError
from designer.model import Component, KubeObject

CliCommands = Callable[[Mapping[str, Any], Mapping[str, Any]], list[list[str]]]
"""(component settings, installer options) → argv lists whose outputs are concatenated."""

_TIMEOUT_S = 120
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader where PyYAML has it: a mesh's real CRDs are about a megabyte of YAML (Istio's take
4 s to parse with the pure-Python loader, 1 s with libyaml's)."""

_external: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("external_inputs", default=None)
_confined: contextvars.ContextVar[tuple[Path, ...] | None] = contextvars.ContextVar("confined", default=None)


@contextlib.contextmanager
def external_inputs() -> Iterator[list[str]]:
    """A list that names each control plane rendered inside the block (its objects come from outside
    the design file)."""
    found: list[str] = []
    token = _external.set(found)
    try:
        yield found
    finally:
        _external.reset(token)


@contextlib.contextmanager
def confined_to(roots: Sequence[Path]) -> Iterator[None]:
    """Inside the block a manifest installer reads only files whose real path lies under ``roots``
    (real paths), and the helm and mesh-CLI installers, which read files of their own choosing, are
    refused: `design ui` promises to read nothing outside the paths it was given."""
    token = _confined.set(tuple(roots))
    try:
        yield
    finally:
        _confined.reset(token)


def render_control_plane(component: Component, *, cli: str, cli_commands: CliCommands) -> list[KubeObject]:
    """The control-plane objects of a mesh component, through the installer its settings select."""
    recording = _external.get()
    if recording is not None:
        recording.append(f"the control plane of {component.kind} {component.name!r}")
    installer = component.settings.get("installer")
    confined = _confined.get()
    if confined is not None and not (isinstance(installer, Mapping) and set(installer) == {"manifest"}):
        raise AdapterError(
            f"component {component.name!r}: its {component.kind} control plane is rendered by helm or "
            f"{cli}, which read files outside the paths given: not run here",
            location=component.location,
            path=component.design_path("settings.installer"),
            hint="use `design validate` or `design render` for it, or installer: {manifest: PATH} "
            "with PATH inside the folders given",
        )
    if installer is None:
        if shutil.which(cli) is None:
            raise AdapterError(
                f"component {component.name!r}: no installer for {component.kind}: `{cli}` is not on PATH",
                location=component.location,
                path=component.design_path("settings.installer"),
                hint=f"install {cli}, or set settings.installer to {{manifest: PATH}} (a YAML file or folder "
                "relative to the design) or {helm: {chart: ...}}",
            )
        installer = {cli: {}}
    if not isinstance(installer, Mapping) or len(installer) != 1:
        raise AdapterError(
            f"component {component.name!r}: settings.installer must have exactly one of "
            f"manifest, helm, {cli}",
            location=component.location,
            path=component.design_path("settings.installer"),
            hint=f"e.g. installer: {{manifest: manifests/{cli}.yaml}}",
        )
    ((kind, options),) = installer.items()
    if kind == "manifest":
        return _from_manifest(component, str(options))
    if kind == "helm":
        charts = options if isinstance(options, list) else [options]
        return [obj for chart in charts for obj in _run(component, _helm_argv(component, chart))]
    if kind == cli:
        opts = options if isinstance(options, Mapping) else {}
        binary = str(opts.get("path", cli))
        if shutil.which(binary) is None:
            raise AdapterError(
                f"component {component.name!r}: `{binary}` is not on PATH",
                location=component.location,
                hint=f"install {cli} or use installer: {{manifest: PATH}}",
            )
        commands = cli_commands(component.settings, opts)
        return [obj for argv in commands for obj in _run(component, [binary, *argv])]
    raise AdapterError(
        f"component {component.name!r}: unknown installer {kind!r}",
        location=component.location,
        path=component.design_path("settings.installer"),
        hint=f"use one of: manifest, helm, {cli}",
    )


def _from_manifest(component: Component, raw: str) -> list[KubeObject]:
    base = Path(component.location.file).parent
    path = Path(raw) if Path(raw).is_absolute() else base / raw
    confined = _confined.get()
    if confined is not None and not _inside(path, confined):
        raise AdapterError(
            f"component {component.name!r}: manifest {raw!r} lies outside the paths given: not read",
            location=component.location,
            path=component.design_path("settings.installer.manifest"),
            hint="keep the manifest beside the design, inside a folder passed to `design ui`",
        )
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"})
    elif path.is_file():
        files = [path]
    else:
        raise AdapterError(
            f"component {component.name!r}: manifest {raw!r} does not exist (looked in {base})",
            location=component.location,
            path=component.design_path("settings.installer.manifest"),
            hint="paths are relative to the design file",
        )
    if confined is not None:  # a link inside the folder may point out of it
        files = [f for f in files if _inside(f, confined)]
    objects: list[KubeObject] = []
    for file in files:
        objects.extend(_parse(component, file.read_text(encoding="utf-8"), str(file)))
    return objects


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    real = path.resolve()
    return any(real == root or real.is_relative_to(root) for root in roots)


def _helm_argv(component: Component, chart: Any) -> list[str]:
    if not isinstance(chart, Mapping) or "chart" not in chart:
        raise AdapterError(
            f"component {component.name!r}: installer.helm needs a chart",
            location=component.location,
            hint="installer: {helm: {chart: ./charts/istiod, release: istiod}}",
        )
    if shutil.which("helm") is None:
        raise AdapterError("helm is not on PATH", hint="install helm or use installer: {manifest: PATH}")
    ref = str(chart["chart"])
    base = Path(component.location.file).parent
    if (base / ref).exists():
        ref = str(base / ref)
    namespace = str(component.settings.get("namespace") or component.namespace or "default")
    argv = ["helm", "template", str(chart.get("release", Path(ref).name)), ref, "--namespace", namespace]
    if chart.get("version"):
        argv += ["--version", str(chart["version"])]
    for key, value in sorted((chart.get("values") or {}).items()):
        argv += ["--set", f"{key}={value}"]
    return argv


def _run(component: Component, argv: Sequence[str]) -> list[KubeObject]:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AdapterError(
            f"component {component.name!r}: `{' '.join(argv)}` could not run: {exc}",
            location=component.location,
            hint="check the installer binary",
        ) from exc
    if done.returncode != 0:
        raise AdapterError(
            f"component {component.name!r}: `{' '.join(argv)}` exited {done.returncode}: "
            f"{done.stderr.strip()[:500]}",
            location=component.location,
            hint="run the command by hand to see the full output",
        )
    return _parse(component, done.stdout, argv[0])


def _parse(component: Component, text: str, source: str) -> list[KubeObject]:
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        raise AdapterError(
            f"component {component.name!r}: {source} is not valid YAML: {exc}",
            location=component.location,
            hint="fix the manifest",
        ) from exc
    objects: list[KubeObject] = []
    for doc in docs:
        if not doc:
            continue
        if not isinstance(doc, dict) or "kind" not in doc or "apiVersion" not in doc:
            raise AdapterError(
                f"component {component.name!r}: {source} holds a document that is not a Kubernetes object",
                location=component.location,
                hint="every document needs apiVersion, kind and metadata",
            )
        if doc["kind"] == "List":
            objects.extend(item for item in doc.get("items") or [] if isinstance(item, dict))
        else:
            objects.append(doc)
    return objects
