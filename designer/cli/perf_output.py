"""What `design perf run` (and `design apply --perf`) show: live load progress on stderr, and result
records as text tables, JSON, SMP or Fortio JSON on stdout.

Split from designer.cli.perf, which parses options and picks exit codes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from designer.cli.consoles import stdout_console
from designer.perf import exporting
from designer.perf.engine.builtin import Progress as LoadProgress
from designer.perf.engine.builtin import ProgressFn
from designer.perf.results import Record


@contextmanager
def progress_display() -> Iterator[ProgressFn | None]:
    """A live bar on stderr when it is a terminal; one line per run otherwise."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield _plain_progress()
        return
    columns = (TextColumn("load"), BarColumn(), TextColumn("{task.fields[stats]}"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("load", total=1.0, stats="")

        def update(p: LoadProgress) -> None:
            stats = f"{p.sent} sent  {p.completed} done  {p.errors} errors  {p.elapsed_s:5.1f}/{p.total_s:g}s"
            bar.update(task, completed=min(1.0, p.elapsed_s / p.total_s) if p.total_s else 1.0, stats=stats)

        yield update


def _plain_progress() -> ProgressFn:
    """Off a terminal (CI logs): a plain stderr line at each quarter of the run, at most every 5 s.

    A fixed 5 s step showed nothing for a short run but its empty first second.
    """
    next_at = [-1.0]

    def update(p: LoadProgress) -> None:
        step = max(0.5, min(5.0, p.total_s / 4)) if p.total_s else 5.0
        if next_at[0] < 0:
            next_at[0] = step
            return
        if p.elapsed_s >= next_at[0]:
            next_at[0] = p.elapsed_s + step
            click.echo(
                f"load: {p.elapsed_s:.1f}/{p.total_s:g} s, {p.sent} sent, {p.completed} done, {p.errors} errors",
                err=True,
            )

    return update


def emit_records(records: list[Record], output: str) -> None:
    """Print result records as text, JSON, SMP or Fortio JSON (also used by `design apply --perf`)."""
    if output == "json":
        data: Any = records[0] if len(records) == 1 else {"schema_version": 1, "results": records}
        click.echo(json.dumps(data, indent=2))
    elif output in ("smp", "fortio"):
        convert = exporting.to_smp if output == "smp" else exporting.to_fortio
        docs = [convert(r) for r in records]
        click.echo(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
    else:
        console = stdout_console()
        for record in records:
            _render_record(console, record)


def _render_record(console: Console, r: Record) -> None:
    target = f"{r['target_rate']:g} req/s" if r.get("target_rate") else "max (closed loop)"
    state = "[bold red]SATURATED[/]" if r["saturated"] else "held"
    console.print(
        f"[bold]{r['profile']}[/] {r['id']}  engine {r['engine']} ({r['mode']} loop"
        f"{', CO-corrected' if r['co_corrected'] else ''})  target {target}  achieved "
        f"{r['achieved_rate']:.1f} req/s  {state if r.get('target_rate') else ''}"
    )
    console.print(
        f"  requests {r['requests']}  errors {r['errors']}  dropped {r['dropped']}  "
        f"urls {', '.join(r['target']['urls'])}"
    )
    table = Table(box=None, padding=(0, 2))
    table.add_column("latency ms")
    for name in ("min", "p50", "p90", "p95", "p99", "p99_9", "max"):
        table.add_column(name.replace("_", "."), justify="right")
    for title, key in (("corrected", "latency_ms"), ("raw", "raw_latency_ms")):
        values = r[key]
        table.add_row(
            title, *(f"{values[n]:.3f}" for n in ("min", "p50", "p90", "p95", "p99", "p99_9", "max"))
        )
    console.print(table)
    for reason in r["saturation_reasons"]:
        console.print(f"  [red]saturated:[/] {reason}")
    for warning in r["warnings"]:
        console.print(f"  [yellow]warning:[/] {warning}")
    for verdict in r["slos"]:
        mark = "[green]pass[/]" if verdict["passed"] else "[red]FAIL[/]"
        console.print(f"  SLO {mark}  {verdict['expr']}  (observed {verdict['observed']})")
