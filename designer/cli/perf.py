"""`design perf run|history|show|compare|report`: performance profiles from the command line.

The work happens in designer.perf (engines, records, history, comparison, charts); this module parses
options, hands records to designer.cli.perf_output (live progress, text/JSON/SMP/Fortio) and
picks the exit code: 1 when an SLO fails or `compare` finds a regression, 3 for bad input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from designer.cli.consoles import stdout_console
from designer.cli.options import parse_sets
from designer.cli.perf_output import emit_records, progress_display
from designer.errors import ExitCode, ProfileError
from designer.perf import comparing, running
from designer.perf.engine.builtin import ProgressFn
from designer.perf.history import FILTERS, History
from designer.perf.profile import ENGINES, Profile, Target, check_url, parse_duration
from designer.perf.results import Record, RunContext

_history_option = click.option(
    "--history",
    "history_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="DESIGNER_PERF_DB",
    help="SQLite history file [default: user data dir; env DESIGNER_PERF_DB].",
)


@click.group()
def perf() -> None:
    """Run performance profiles, keep their history, compare runs and chart them."""


@perf.command()
@click.argument("path", required=False, type=click.Path(exists=True))
@click.option(
    "--url", "urls", multiple=True, help="Load this URL instead of a design's profiles (repeatable)."
)
@click.option("--profile", "only", help="Run only this PerformanceProfile of the design.")
@click.option("--rate", type=float, help="Total requests per second, open loop (default 100).")
@click.option("--closed", is_flag=True, help="Closed loop: max throughput, no rate (labelled 'closed').")
@click.option("-c", "--connections", type=int, help="Connections (default 50).")
@click.option("-d", "--duration", help="Measured duration, e.g. 30s (default 10s).")
@click.option("--warmup", help="Warm-up before measuring, e.g. 2s.")
@click.option("--engine", type=click.Choice(ENGINES), help="Load generator (default builtin).")
@click.option("--processes", type=int, help="Built-in engine worker processes (default 1).")
@click.option(
    "--precise", is_flag=True, default=None, help="Sub-ms send timing (built-in; keeps a core busy)."
)
@click.option("-X", "--method", help="HTTP method for --url (default GET).")
@click.option(
    "-H", "--header", "headers", multiple=True, metavar="NAME: VALUE", help="Request header (repeatable)."
)
@click.option("--body", help="Request body for --url.")
@click.option(
    "--slo", "slos", multiple=True, help="SLO like 'p(99) < 250ms' (repeatable; replaces the profile's SLOs)."
)
@click.option("--set", "sets", multiple=True, metavar="NAME=VALUE", help="Override a design variable.")
@click.option("--label", "labels", multiple=True, metavar="NAME=VALUE", help="Label stored with the result.")
@click.option("--version", "version", help="Version under test (recorded; defaults to the design's).")
@click.option("--mesh", help="Mesh under test (recorded; defaults to the design's).")
@_history_option
@click.option("--no-save", is_flag=True, help="Do not store the result in the history.")
@click.option(
    "-o", "--output", type=click.Choice(["text", "json", "smp", "fortio"]), default="text", show_default=True
)
@click.pass_context
def run(
    ctx: click.Context, /, path: str | None, urls: tuple[str, ...], only: str | None, **opts: Any
) -> None:
    """Run PATH's PerformanceProfile components, or load --url; exit 1 when an SLO fails."""
    if bool(path) == bool(urls):
        raise click.UsageError("give a design PATH or --url (not both)")
    if opts["rate"] is not None and opts["closed"]:
        raise click.UsageError("--rate and --closed exclude each other")
    overrides = _overrides(opts)
    labels = parse_sets(opts["labels"])
    history = None if opts["no_save"] else History(opts["history_path"])
    try:
        with progress_display() as progress:
            if urls:
                profile = Profile(
                    name=only or "adhoc",
                    targets=tuple(Target(url=check_url(u)) for u in urls),
                    method=(opts["method"] or "GET").upper(),
                    headers=_headers(opts["headers"]),
                    body=(opts["body"] or "").encode(),
                ).with_overrides(**overrides)
                context = RunContext(version=opts["version"], mesh=opts["mesh"], labels=labels)
                records = [running.run_profile(profile, context, progress=progress, history=history)]
            else:
                records = _run_design(str(path), only, overrides, labels, opts, progress, history)
    finally:
        if history is not None:
            history.close()
    emit_records(records, opts["output"])
    failed = any(r.get("slo_passed") is False for r in records)
    ctx.exit(int(ExitCode.FINDINGS if failed else ExitCode.OK))


def _run_design(
    path: str,
    only: str | None,
    overrides: dict[str, Any],
    labels: dict[str, str],
    opts: dict[str, Any],
    progress: ProgressFn | None,
    history: History | None,
) -> list[Record]:
    from designer.loading import load_paths  # lazy: only PATH runs need the loader

    records: list[Record] = []
    for design in load_paths([path], parse_sets(opts["sets"])):
        records += running.run_design_profiles(
            design,
            overrides=overrides,
            history=history,
            progress=progress,
            labels=labels,
            only=only,
            version=opts["version"],
            mesh=opts["mesh"],
        )
    return records


def _overrides(opts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "connections": opts["connections"],
        "engine": opts["engine"],
        "processes": opts["processes"],
        "precise": opts["precise"],
        "duration_s": parse_duration(opts["duration"]) if opts["duration"] else None,
        "warmup_s": parse_duration(opts["warmup"], what="warmup") if opts["warmup"] else None,
        "rate": opts["rate"],
    }
    if opts["slos"]:
        out["slos"] = tuple(opts["slos"])
    if opts["closed"]:
        out["closed"] = True
    return out


def _headers(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not 'Name: value'", param_hint="--header")
        out[name.strip()] = value.strip()
    return out


@perf.command()
@click.option("--profile")
@click.option("--design")
@click.option("--version")
@click.option("--mesh")
@click.option("--engine")
@click.option("--limit", type=int, default=20, show_default=True)
@_history_option
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def history(limit: int, history_path: Path | None, output: str, **filters: str | None) -> None:
    """List stored results, newest first."""
    with History(history_path) as store:
        records = store.query(limit=limit, **filters)
    if output == "json":
        rows = [{k: v for k, v in r.items() if k != "histograms"} for r in records]
        click.echo(json.dumps({"schema_version": 1, "results": rows}, indent=2))
        return
    table = Table(box=None, padding=(0, 2))
    for col in (
        "id",
        "profile",
        "version",
        "mesh",
        "engine",
        "mode",
        "target",
        "achieved",
        "p50",
        "p99",
        "slo",
    ):
        table.add_column(col)
    for r in records:
        slo = {None: "-", True: "pass", False: "FAIL"}[r.get("slo_passed")]
        table.add_row(
            r["id"],
            str(r.get("profile")),
            str(r.get("version") or "-"),
            str(r.get("mesh") or "-"),
            r["engine"],
            r["mode"] + (" SAT" if r["saturated"] else ""),
            f"{r['target_rate']:g}" if r.get("target_rate") else "max",
            f"{r['achieved_rate']:.1f}",
            f"{r['latency_ms']['p50']:.3f}",
            f"{r['latency_ms']['p99']:.3f}",
            slo,
        )
    stdout_console().print(table)


@perf.command()
@click.argument("run_id")
@_history_option
@click.option(
    "-o", "--output", type=click.Choice(["text", "json", "smp", "fortio"]), default="text", show_default=True
)
def show(run_id: str, history_path: Path | None, output: str) -> None:
    """Show one stored result (or export it as SMP or Fortio JSON)."""
    with History(history_path) as store:
        record = store.get(run_id)
    emit_records([record], output)


@perf.command()
@click.argument("baseline")
@click.argument("candidate")
@click.option(
    "--min-effect",
    default="10%",
    show_default=True,
    help="Smallest typical shift of the deciles (p10…p90) that counts.",
)
@_history_option
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def compare(
    ctx: click.Context, baseline: str, candidate: str, min_effect: str, history_path: Path | None, output: str
) -> None:
    """Compare CANDIDATE against BASELINE; exit 1 on a regression.

    Each is a result id, or a selector such as version=1.2.0 or mesh=istio,profile=p (latest match).
    """
    try:
        effect = float(min_effect.rstrip("%")) / (100 if min_effect.endswith("%") else 1)
    except ValueError:
        raise click.BadParameter(
            f"{min_effect!r} is not a fraction or percentage", param_hint="--min-effect"
        ) from None
    with History(history_path) as store:
        a, fields_a = _select(store, baseline)
        b, fields_b = _select(store, candidate)
    ignore = tuple(sorted(set(fields_a) | set(fields_b)))
    result = comparing.compare(a, b, min_effect=effect, ignore_key=ignore)
    if output == "json":
        click.echo(json.dumps(result.as_json(), indent=2))
    else:
        console = stdout_console()
        console.print(f"[bold]{result.verdict}[/]: {b['id']} vs baseline {a['id']}")
        table = Table(box=None, padding=(0, 2))
        for col in ("ms", "baseline", "candidate", "change"):
            table.add_column(col, justify="right")
        for name, row in result.percentiles.items():
            table.add_row(
                name.replace("_", "."),
                f"{row['baseline']:.3f}",
                f"{row['candidate']:.3f}",
                f"{row['change']:+.1%}",
            )
        console.print(table)
        for line in result.reasons:
            console.print(f"  {line}")
        for line in result.warnings:
            console.print(f"  [yellow]warning:[/] {line}")
    ctx.exit(int(ExitCode.FINDINGS if result.verdict == "regression" else ExitCode.OK))


def _select(store: History, spec: str) -> tuple[Record, list[str]]:
    if "=" not in spec:
        return store.get(spec), []
    filters = dict(item.split("=", 1) for item in spec.split(",") if "=" in item)
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise ProfileError(f"unknown selector field {unknown[0]!r}", hint=f"one of {', '.join(FILTERS)}")
    found = store.query(limit=1, **filters)
    if not found:
        raise ProfileError(f"no stored result matches {spec!r}", hint="see design perf history")
    return found[0], list(filters)


@perf.command()
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("perf-report")
)
@click.option("--id", "ids", multiple=True, help="Chart these results (repeatable).")
@click.option("--profile")
@click.option("--design")
@click.option("--limit", type=int, default=30, show_default=True)
@_history_option
def report(
    out_dir: Path,
    ids: tuple[str, ...],
    profile: str | None,
    design: str | None,
    limit: int,
    history_path: Path | None,
) -> None:
    """Write SVG charts: latency percentile curves and latency history over time."""
    from designer.perf.charts import write_report  # lazy: pygal is only needed here

    with History(history_path) as store:
        records = (
            [store.get(i) for i in ids] if ids else store.query(limit=limit, profile=profile, design=design)
        )
    for written in write_report(records, out_dir):
        click.echo(str(written))
