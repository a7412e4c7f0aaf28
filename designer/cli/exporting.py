"""`design export DESIGN --to meshery|kubernetes`: hand a design to Meshery, or to kubectl as plain
manifests.

``--to meshery`` writes a v1beta1 design (``--format v1beta1``, the default) or a legacy pattern
(``--format pattern``), one YAML document per design; `design import` reads either back into the same
design. ``--to kubernetes`` writes what `design render` prints: to ``-o FILE`` as one multi-document
file, or to ``-o DIR/`` (an existing folder, or a name ending in ``/``) as one file per object,
numbered in apply order. Nothing is overwritten without ``--force``.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from designer.cli.files import check_target, write_file
from designer.cli.options import parse_sets, set_option
from designer.cli.reviews import cluster_designs
from designer.errors import DesignerError
from designer.exporting import meshery
from designer.loading import load_paths
from designer.loading.writing import dump_documents
from designer.model import Design, KubeObject


@click.command("export")
@click.argument("path", type=click.Path(path_type=str))
@click.option(
    "--to",
    "target",
    type=click.Choice(["meshery", "kubernetes"]),
    required=True,
    help="Meshery, or plain manifests.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(meshery.FORMATS),
    default="v1beta1",
    show_default=True,
    help="Meshery: a v1beta1 design, or a legacy pattern (services: map).",
)
@click.option("-o", "--out", default=None, help="Write to FILE (or, for kubernetes, DIR/), not stdout.")
@click.option("--force", is_flag=True, help="Overwrite what -o names.")
@set_option
def export(path: str, target: str, fmt: str, out: str | None, force: bool, sets: tuple[str, ...]) -> None:
    """Write the designs in PATH in another tool's format (variables resolved)."""
    if out is not None and not _is_folder(out):
        check_target(Path(out), force)
    designs = cluster_designs(load_paths([path], parse_sets(sets)), "exported")
    if target == "kubernetes":
        _kubernetes(designs, out, force)
        return
    writer = meshery.to_v1beta1 if fmt == "v1beta1" else meshery.to_pattern
    text = dump_documents([writer(d) for d in designs])
    for design in designs:
        for name in meshery.unknown_models(design):
            click.echo(
                f"warning: {design.file}: component {name!r} is one of designer's own kinds: Meshery has no "
                "model for it (designer reads it back)",
                err=True,
            )
    _emit(text, out, force)
    click.echo(f"exported {len(designs)} design(s) as Meshery {fmt}", err=True)


def _kubernetes(designs: list[Design], out: str | None, force: bool) -> None:
    from designer.adapters.registry import AdapterRegistry
    from designer.graph import build_graph
    from designer.rendering import render

    registry = AdapterRegistry.from_entry_points()
    bodies = [obj.body for d in designs for obj in render(d, build_graph(d), registry)]
    if out is None or not _is_folder(out):
        _emit(dump_documents(bodies), out, force)
        return
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise DesignerError(f"{folder} is not a folder", hint="name a folder (ending in /) or a file")
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / _file_name(i, body) for i, body in enumerate(bodies, start=1)]
    for file in files:
        check_target(file, force)  # every refusal before the first write
    for file, body in zip(files, bodies, strict=True):
        write_file(file, dump_documents([body]), force)
    click.echo(f"wrote {len(files)} manifest(s) to {folder}", err=True)


def _file_name(index: int, body: KubeObject) -> str:
    meta = body.get("metadata") or {}
    parts = [str(body.get("kind", "object")), str(meta.get("namespace") or ""), str(meta.get("name", ""))]
    stem = "-".join(re.sub(r"[^a-z0-9.-]+", "-", p.lower()).strip("-.") for p in parts if p)
    return f"{index:03d}-{stem[:100]}.yaml"


def _is_folder(out: str) -> bool:
    return out.endswith("/") or Path(out).is_dir()


def _emit(text: str, out: str | None, force: bool) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        write_file(Path(out), text, force)
