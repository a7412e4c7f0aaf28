"""`design catalog`: build, pack, verify, list, search, show, pull and push patterns; manage sources.

Parses options, calls designer.catalog, renders text or JSON (stdout, ``schema_version`` 1).
Every subcommand that reads a catalog takes ``--source NAME`` (default: the built-in ``local``).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from designer import resources
from designer.catalog import building, entries, files, indexfile, packaging, pulling
from designer.catalog.sources import base, config
from designer.errors import CatalogError, ExitCode

F = TypeVar("F", bound=Callable[..., Any])


def _output(func: F) -> F:
    return click.option(
        "--output", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
    )(func)


def _source(func: F) -> F:
    return click.option("--source", "-s", default=None, help="Catalog source name (default: local).")(func)


def _emit_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps({"schema_version": 1, **data}, indent=2, ensure_ascii=False))


def _table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _summary(text: str, width: int = 60) -> str:
    """``text`` on one line, cut at a word boundary (with an ellipsis) when longer than ``width``."""
    return textwrap.shorten(text, width=width, placeholder=" …", break_on_hyphens=False)


def _entry_rows(found: list[entries.CatalogEntry]) -> list[list[str]]:
    return [[e.name, e.version, e.type, ",".join(e.meshes) or "-", _summary(e.description)] for e in found]


def _open(name: str | None) -> base.CatalogSource:
    """Open source ``name``; when the command ends, warn about every index entry it had to skip."""
    src = config.open_source(name)

    def warn() -> None:
        for line in src.skipped():
            click.echo(f"warning: {line}", err=True)

    click.get_current_context().call_on_close(warn)
    return src


@click.group()
def catalog() -> None:
    """Share designs: a pattern catalog with local, HTTP and OCI sources."""


@catalog.command()
@click.option("--patterns", type=click.Path(path_type=Path), default=None, help="Patterns folder.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Catalog folder to write.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the catalog is stale.")
@click.option(
    "--source-url",
    default=None,
    help="Where the catalog is published (http(s) index or oci://); used in Artifact Hub's install text.",
)
@_output
@click.pass_context
def build(
    ctx: click.Context,
    patterns: Path | None,
    out: Path | None,
    check: bool,
    source_url: str | None,
    output: str,
) -> None:
    """Package every pattern; write index.json, archives/ and artifacthub/ (reproducible)."""
    src = patterns or resources.patterns_dir()
    dest = out or resources.catalog_dir()
    shown = _shown(dest)
    if check:
        problems = building.check(src, dest, source_url=source_url)
        if output == "json":
            _emit_json({"catalog": str(dest.resolve()), "current": not problems, "problems": problems})
        else:
            for problem in problems:
                click.echo(f"stale: {shown}/{problem}")
            if not problems:
                click.echo(f"{shown}: current")
            else:
                given = (("patterns", patterns), ("out", out), ("source-url", source_url))
                options = "".join(f" --{k} {v}" for k, v in given if v)
                click.echo(f"run `design catalog build{options}` to refresh it", err=True)
        ctx.exit(int(ExitCode.FINDINGS if problems else ExitCode.OK))
    result = building.build(src, dest, source_url=source_url)
    for name in result.undated:
        click.echo(f"warning: {name} has no metadata.created: Artifact Hub will date it 1970-01-01", err=True)
    if output == "json":
        _emit_json({"catalog": str(dest.resolve()), "entries": [e.as_json() for e in result.index.entries]})
        return
    for entry in result.index.entries:
        click.echo(f"{entry.ref:<48} {entry.digest}")
    click.echo(f"wrote {len(result.index.entries)} entries to {shown}/{indexfile.INDEX_FILE}", err=True)


def _shown(folder: Path) -> str:
    """``folder`` as the user knows it: the real folder (not designer's internal link to it),
    relative to the current one when inside it."""
    real = folder.resolve()
    try:
        return str(real.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(real)


@catalog.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path(), help="Output folder.")
@_output
def pack(path: Path, out: Path, output: str) -> None:
    """Package one design file as NAME-VERSION.tar.gz (same bytes for the same input)."""
    package = packaging.pack(path)
    target = packaging.write_package(package, out)
    if output == "json":
        _emit_json({"archive": str(target), "digest": package.digest, "size": len(package.data)})
    else:
        click.echo(f"{target}  {package.digest}")


@catalog.command()
@_source
@_output
@click.pass_context
def verify(ctx: click.Context, source: str | None, output: str) -> None:
    """Check every archive of a source against the digest its index promises."""
    src = config.open_source(source)
    results: list[dict[str, Any]] = []
    for entry in src.index().entries:
        try:
            base.verified(src, entry)
            results.append({"ref": entry.ref, "ok": True, "digest": entry.digest})
        except CatalogError as exc:
            results.append({"ref": entry.ref, "ok": False, "error": str(exc)})
    # Entries the index holds but no command can use are failures of the source, not warnings.
    results.extend({"ref": None, "ok": False, "error": line} for line in src.skipped())
    failed = [r for r in results if not r["ok"]]
    if output == "json":
        _emit_json({"source": src.name, "results": results, "ok": not failed})
    else:
        for r in results:
            click.echo(f"ok    {r['ref']}" if r["ok"] else f"FAIL  {r['ref'] or 'index'}: {r['error']}")
        click.echo(f"{len(results) - len(failed)} ok, {len(failed)} failed", err=True)
    ctx.exit(int(ExitCode.FINDINGS if failed else ExitCode.OK))


def _render_entries(found: list[entries.CatalogEntry], output: str, source: str) -> None:
    if output == "json":
        _emit_json({"source": source, "entries": [e.as_json() for e in found]})
    elif found:
        _table(_entry_rows(found), ["NAME", "VERSION", "TYPE", "MESHES", "DESCRIPTION"])
    else:
        click.echo("no matching patterns", err=True)


@catalog.command("list")
@_source
@click.option("--all-versions", is_flag=True, help="List every version, not only the latest.")
@_output
def list_(source: str | None, all_versions: bool, output: str) -> None:
    """List the patterns of a source (latest version of each)."""
    src = _open(source)
    index = src.index()
    _render_entries(list(index.entries) if all_versions else index.latest_entries(), output, src.name)


@catalog.command()
@click.argument("query", nargs=-1)
@click.option("--type", "type_", default=None, help="Only this type (e.g. Security).")
@click.option("--tag", default=None, help="Only patterns with this tag.")
@click.option("--mesh", default=None, help="Only patterns for this mesh (istio, linkerd, none).")
@click.option("--all-versions", is_flag=True, help="Match every version, not only the latest.")
@_source
@_output
def search(
    query: tuple[str, ...],
    type_: str | None,
    tag: str | None,
    mesh: str | None,
    all_versions: bool,
    source: str | None,
    output: str,
) -> None:
    """Search by name, description, tag, type and mesh; words like tag:X, type:X, mesh:X filter."""
    src = _open(source)
    found = src.index().search(" ".join(query), type=type_, tag=tag, mesh=mesh, all_versions=all_versions)
    _render_entries(found, output, src.name)


@catalog.command()
@click.argument("ref")
@_source
@_output
def show(ref: str, source: str | None, output: str) -> None:
    """Show one pattern (NAME, NAME@latest or NAME@VERSION) and its versions."""
    src = _open(source)
    entry = src.resolve(ref)
    all_versions = src.versions(entry.name) or [entry.version]
    if output == "json":
        _emit_json({"source": src.name, "entry": entry.as_json(), "versions": all_versions})
        return
    fields = [
        ("name", entry.name),
        ("version", entry.version),
        ("type", entry.type),
        ("tags", ", ".join(entry.tags) or "-"),
        ("meshes", ", ".join(entry.meshes) or "-"),
        ("digest", entry.digest),
        ("size", str(entry.size)),
        ("versions", ", ".join(all_versions)),
        ("description", entry.description),
    ]
    for key, value in fields:
        click.echo(f"{key + ':':<13}{value}")


@catalog.command()
@click.argument("ref")
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path(), help="Folder to write into.")
@click.option("--archive", is_flag=True, help="Write the verified .tar.gz instead of the design file.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@_source
@_output
def pull(ref: str, out: Path, archive: bool, force: bool, source: str | None, output: str) -> None:
    """Download a pattern, verify its digest and contents, and write it (nothing on failure)."""
    src = _open(source)
    entry, package = base.pull(src, ref)
    target = pulling.write(package, out, archive=archive, force=force)
    if output == "json":
        _emit_json({"source": src.name, "entry": entry.as_json(), "path": str(target)})
    else:
        click.echo(f"{entry.ref} -> {target}  ({entry.digest})")


@catalog.command()
@click.argument("path", type=click.Path(path_type=Path))
@_source
@_output
def push(path: Path, source: str | None, output: str) -> None:
    """Publish a design file (packed on the fly) or a .tar.gz package to a source."""
    if path.name.endswith(".tar.gz"):
        data = files.read_regular(path, limit=packaging.MAX_ARCHIVE_BYTES)
        package = packaging.read_package(data, origin=str(path))
    else:
        package = packaging.pack(path)
    src = _open(source)
    entry = src.push(package)
    if output == "json":
        _emit_json({"source": src.name, "entry": entry.as_json()})
    else:
        click.echo(f"pushed {entry.ref} to {src.name} ({entry.digest})")


@catalog.command("add-source")
@click.argument("name")
@click.argument("url")
@click.option("--plain-http/--tls", default=None, help="OCI: plain HTTP (default only for localhost).")
def add_source(name: str, url: str, plain_http: bool | None) -> None:
    """Add a source: a folder path, an http(s):// index, or oci://HOST/NAMESPACE."""
    spec = config.add_source(name, url, plain_http=plain_http)
    click.echo(f"added {spec.kind} source {spec.name}: {spec.url}")


@catalog.command("remove-source")
@click.argument("name")
def remove_source(name: str) -> None:
    """Forget a configured source."""
    config.remove_source(name)
    click.echo(f"removed source {name}")


@catalog.command()
@_output
def sources(output: str) -> None:
    """List catalog sources (the built-in `local` plus your config file's)."""
    specs = config.load_specs()
    if output == "json":
        _emit_json({"sources": [s.as_json() for s in specs.values()]})
        return
    _table([[s.name, s.kind, s.url] for s in specs.values()], ["NAME", "KIND", "URL"])
