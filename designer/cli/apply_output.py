"""How `design apply` and `design delete` show their work: the plan, live progress, the summary.

Text mode: plans as `design diff` renders them, one progress line per event on stderr (a live rich
display with elapsed times on a terminal), then a summary table and the failures, skips and kept
objects on stdout. JSON mode: one JSON object per line on stdout, each run ending in its summary event.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from designer.applying.events import Event, EventKind, RunResult
from designer.cli.consoles import stdout_console
from designer.cli.diff import render_text
from designer.planning import SCHEMA_VERSION, Plan


class Output:
    """Renders plans, events and the summary as text (stderr progress, stdout tables) or JSON lines."""

    def __init__(self, fmt: str) -> None:
        self.json = fmt == "json"
        self.lock = threading.Lock()
        self.err = Console(file=sys.stderr, highlight=False, no_color=bool(os.environ.get("NO_COLOR")))
        self.started: dict[tuple[str, str, str], float] = {}
        # On a terminal: one live line per running component with its elapsed time; off it, plain lines.
        self.live: Progress | None = None
        self.tasks: dict[tuple[str, str, str], TaskID] = {}
        if not self.json and self.err.is_terminal:
            self.live = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=self.err,
                transient=True,
            )
            self.live.start()

    def close(self) -> None:
        """Stop the live display (idempotent)."""
        if self.live is not None:
            self.live.stop()
            self.live = None

    def plans(self, plans: Sequence[Plan]) -> None:
        if self.json:
            for plan in plans:
                self._line({"event": "plan", **plan.to_json()})
        else:
            render_text(plans, stdout_console())

    def emitter(self, cluster: str, design: str) -> Callable[[Event], None]:
        def emit(event: Event) -> None:
            if self.json:
                self._line({**event.as_json(), "cluster": cluster, "design": design})
            else:
                self._progress(cluster, design, event)

        return emit

    def _line(self, doc: dict[str, Any]) -> None:
        with self.lock:
            click.echo(json.dumps({"schema_version": SCHEMA_VERSION, **doc}, default=str))

    def _progress(self, cluster: str, design: str, event: Event) -> None:
        key = (cluster, design, event.component or "")
        now = time.monotonic()
        with self.lock:
            if event.kind is EventKind.STARTED:
                self.started[key] = now
                if self.live is not None:
                    self.tasks[key] = self.live.add_task(f"[{cluster}] {event.component}")
                return
            if event.kind is EventKind.WAITING and self.live is not None and key in self.tasks:
                self.live.update(
                    self.tasks[key], description=f"[{cluster}] {event.component}: {event.message}"
                )
            if event.kind in (EventKind.SUMMARY, EventKind.WAITING, EventKind.UNCHANGED):
                return
            if event.ref is None and self.live is not None and key in self.tasks:
                self.live.remove_task(self.tasks.pop(key))
            elapsed = now - self.started.get(key, now)
            what = str(event.ref) if event.ref else (event.component or "")
            style = {
                EventKind.FAILED: "red",
                EventKind.SKIPPED: "yellow",
                EventKind.READY: "green",
                EventKind.PRUNED: "magenta",
                EventKind.DELETED: "magenta",
                EventKind.UNCERTAIN: "red",
            }.get(event.kind, "")
            line = f"[{cluster}] {event.kind.value:<11} {what}"
            if event.ref is None and event.kind is EventKind.READY:
                line += f"  ({elapsed:.1f}s)"
            if event.message and event.kind is not EventKind.READY:
                line += f"  {event.message}"
            console = self.live.console if self.live is not None else self.err
            console.print(line, style=style, soft_wrap=True, markup=False)

    def finish(self, results: Sequence[tuple[str, Sequence[tuple[str, RunResult]]]]) -> None:
        self.close()
        if self.json:
            return  # every run already ended with its summary event
        console = stdout_console()
        table = Table(box=box.SIMPLE_HEAD if console.is_terminal else box.ASCII2, show_edge=False)
        for column in (
            "CLUSTER",
            "DESIGN",
            "APPLIED",
            "UNCHANGED",
            "FAILED",
            "SKIPPED",
            "PRUNED",
            "DELETED",
            "ROLLED BACK",
            "TIME",
        ):
            table.add_column(column)
        for cluster, per in results:
            for design, r in per:
                table.add_row(
                    cluster,
                    design,
                    str(len(r.applied)),
                    str(len(r.unchanged)),
                    str(len(r.failed)),
                    str(len(r.skipped) + len(r.cancelled)),
                    str(len(r.pruned)),
                    str(len(r.deleted)),
                    str(len(r.rolled_back)),
                    f"{r.elapsed:.1f}s",
                )
        console.print(table)
        for cluster, per in results:
            for _design, r in per:
                for f in r.failed:
                    reason = f" [{f.reason}{' ' + str(f.status) if f.status else ''}]" if f.reason else ""
                    console.print(
                        f"failed: {cluster} {f.component} {f.ref or ''}{reason}: {f.message}",
                        style="red",
                        soft_wrap=True,
                        markup=False,
                    )
                    for cause in f.causes:
                        console.print(f"  cause: {cause}", soft_wrap=True, markup=False)
                    if f.hint:
                        console.print(f"  hint: {f.hint}", soft_wrap=True, markup=False)
                for ref in r.uncertain:
                    console.print(
                        f"possibly changed: {cluster} {ref} (a write's answer was lost and the object "
                        "could not be re-read; check it, or run the command again)",
                        style="red",
                        soft_wrap=True,
                        markup=False,
                    )
                for name, because in sorted(r.skipped.items()):
                    console.print(
                        f"skipped: {cluster} {name} (depends on failed {because})",
                        style="yellow",
                        markup=False,
                    )
                for name in r.cancelled:
                    console.print(
                        f"not started: {cluster} {name} (the run stopped after a failure)", markup=False
                    )
                for ref in r.protected:
                    console.print(
                        f"kept: {cluster} {ref} (protected or not applied by designer)", markup=False
                    )
