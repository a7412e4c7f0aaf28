"""`design import`: turn manifests, Meshery designs, a Helm chart or a Compose file into a native design.

Writes YAML to stdout (or ``-o FILE``, which is never overwritten without ``--force``, as with
`design catalog pull`); on stderr, a ``warning:`` line for each thing a conversion left out (at its
file:line:column) and a summary.
"""

from __future__ import annotations

from pathlib import Path

import click

from designer.cli.files import check_target, write_file
from designer.errors import DesignerError
from designer.importing import converting, reading


@click.command("import")
@click.argument("source")
@click.option(
    "--from",
    "fmt",
    type=click.Choice(reading.FORMATS),
    default="auto",
    show_default=True,
    help="Input format (auto recognises manifests, Meshery and Compose files; helm needs the helm binary).",
)
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None, help="Write to FILE, not stdout.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option("--name", default=None, help="metadata.name of the design (default: from the input).")
@click.option(
    "--version", "version", default=None, help="metadata.version (semver; default: the input's, else 0.1.0)."
)
@click.option("--type", "type_", default=None, help="metadata.type (Deployment, Security, …).")
@click.option("--explicit-deps", is_flag=True, help="Also write inferred dependencies as dependsOn.")
@click.option("--release", default=None, help="Helm: release name (default: the chart name).")
@click.option("--namespace", default=None, help="Helm, Compose: namespace to render or put everything into.")
def import_design(
    source: str,
    fmt: str,
    out: Path | None,
    force: bool,
    name: str | None,
    version: str | None,
    type_: str | None,
    explicit_deps: bool,
    release: str | None,
    namespace: str | None,
) -> None:
    """Convert SOURCE (file, folder, http(s) URL, or Helm chart) into a native designer/v1 design."""
    if out is not None:
        check_target(out, force)  # before the input is read: a slow download is not wasted
    if namespace is not None and converting.dns_name(namespace) != namespace:
        raise DesignerError(f"--namespace {namespace!r} is not a namespace name", hint="use a DNS-1123 label")
    read = reading.read_input(source, fmt, release=release, namespace=namespace, name=name)
    designs = read.designs
    options = converting.ImportOptions(
        name=converting.dns_name(name) if name else None,
        version=version,
        type=type_,
        explicit_deps=explicit_deps,
        origin=source if reading.is_url(source) else Path(source).name,
    )
    text = converting.write_designs(designs, options)
    if out is None:
        click.echo(text, nl=False)
    else:
        write_file(out, text, force)
    for note in read.notes:
        click.echo(f"warning: {note}", err=True)
    comps = sum(len(d.components) for d in designs)
    left_out = f"; {len(read.notes)} warning(s) above name what was not converted" if read.notes else ""
    click.echo(f"imported {len(designs)} design(s), {comps} components from {source}{left_out}", err=True)
