"""`design apply PATH` and `design delete PATH`: put a design on one or more clusters, or take it off.

apply: load → graph → render → plan (the Plan `design diff` shows) → show it → confirm (``--yes``,
or a prompt on a terminal; refused off a terminal) → execute with designer.applying on every
``--context`` in parallel → summary. ``--dry-run`` stops after the plan. Progress goes to stderr
(rich, one line per running component with elapsed time) or, with ``--output json``, one JSON
event per line on stdout ending with a ``summary`` event per design and cluster.
Exit status: 0 all applied and ready, 1 a step failed (or was skipped), 2 usage, 3 bad input.

Injection (tests, embedding): ``ctx.obj["cluster_factory"]`` (as for `design diff`) and
``ctx.obj["registry"]`` (an AdapterRegistry). Extension point: ``ctx.obj["after_ready"]`` (an `designer.applying.engine.AfterReady`) runs after
each component is ready — `design apply --perf` plugs its profile runner in there.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from designer.adapters.registry import AdapterRegistry
from designer.applying import session
from designer.applying.deleting import delete_design
from designer.applying.engine import AfterReady, ApplyOptions
from designer.applying.events import Event, EventKind, RunResult
from designer.applying.traits import parse_duration
from designer.cli.diff import render_text
from designer.cli.options import output_option, parse_sets, set_option
from designer.cluster.base import Cluster
from designer.cluster.connecting import connect
from designer.cluster.inventory import DEFAULT_NAMESPACE
from designer.errors import DesignerError, ExitCode
from designer.loading import load_paths
from designer.planning import SCHEMA_VERSION, Plan

ClusterFactory = Callable[[str | None, str | None], Cluster]


def _cluster_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.argument("path", type=click.Path(path_type=str)),
            set_option,
            click.option(
                "--kubeconfig", type=click.Path(dir_okay=False, path_type=str), help="Kubeconfig file."
            ),
            click.option(
                "--context",
                "contexts",
                multiple=True,
                help="Kubeconfig context; repeat for several clusters (run in parallel).",
            ),
            click.option(
                "--concurrency",
                default=8,
                show_default=True,
                type=click.IntRange(1, 64),
                help="Components worked on at once.",
            ),
            click.option(
                "--timeout",
                default="300s",
                show_default=True,
                help="Readiness (or deletion) timeout per component; traits.wait.timeout overrides.",
            ),
            click.option(
                "--inventory-namespace",
                default=DEFAULT_NAMESPACE,
                show_default=True,
                help="Namespace of designer's inventory ConfigMap.",
            ),
            click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation."),
            output_option("text", "json"),
        ]
    ):
        func = option(func)
    return func


@click.command()
@_cluster_options
@click.option("--dry-run", is_flag=True, help="Show the plan and stop.")
@click.option("--prune", is_flag=True, help="Delete objects designer applied before that left the design.")
@click.option("--rollback-on-failure", is_flag=True, help="On failure, restore what this run changed.")
@click.option("--force-conflicts", is_flag=True, help="Take ownership of fields other managers own.")
@click.option("--keep-going", is_flag=True, help="After a failure, keep running independent components.")
@click.option("--no-wait", is_flag=True, help="Do not wait for readiness (dependents still start in order).")
@click.pass_context
def apply(
    ctx: click.Context,
    path: str,
    sets: tuple[str, ...],
    kubeconfig: str | None,
    contexts: tuple[str, ...],
    concurrency: int,
    timeout: str,
    inventory_namespace: str,
    yes: bool,
    output: str,
    dry_run: bool,
    prune: bool,
    rollback_on_failure: bool,
    force_conflicts: bool,
    keep_going: bool,
    no_wait: bool,
) -> None:
    """Apply the designs in PATH in dependency order, waiting for each component to be ready."""
    options = ApplyOptions(
        concurrency=concurrency,
        timeout=parse_duration(timeout, where="--timeout"),
        wait=not no_wait,
        force_conflicts=force_conflicts,
        prune=prune,
        rollback_on_failure=rollback_on_failure,
        keep_going=keep_going,
        inventory_namespace=inventory_namespace,
        after_ready=_after_ready(ctx),
    )
    registry = _registry(ctx)
    prepared = [session.prepare(d, registry) for d in load_paths([path], parse_sets(sets))]
    clusters = _connect(ctx, kubeconfig, contexts)
    out = Output(output)
    try:
        plans = {
            cluster.context_name: [
                session.plan(cluster, p, inventory_namespace=inventory_namespace, concurrency=concurrency)
                for p in prepared
            ]
            for cluster in clusters
        }
        out.plans([plan for per in plans.values() for plan in per])
        if dry_run:
            return
        if any(plan.has_changes for per in plans.values() for plan in per) and not yes:
            confirm("apply these changes?")

        def run_cluster(cluster: Cluster) -> list[tuple[str, RunResult]]:
            results = []
            for prep, plan in zip(prepared, plans[cluster.context_name], strict=True):
                emit = out.emitter(cluster.context_name, prep.design.name)
                results.append((prep.design.name, session.run(cluster, prep, plan, options, emit)))
            return results

        results = _in_parallel(clusters, run_cluster)
    finally:
        out.close()
        for cluster in clusters:
            cluster.close()
    out.finish(results)
    if any(not r.ok or r.skipped or r.cancelled for _, per in results for _, r in per):
        ctx.exit(int(ExitCode.FINDINGS))


@click.command()
@_cluster_options
@click.pass_context
def delete(
    ctx: click.Context,
    path: str,
    sets: tuple[str, ...],
    kubeconfig: str | None,
    contexts: tuple[str, ...],
    concurrency: int,
    timeout: str,
    inventory_namespace: str,
    yes: bool,
    output: str,
) -> None:
    """Delete the designs in PATH in reverse dependency order and wait until everything is gone.

    Only objects designer applied for the design (ownership labels) are deleted.
    """
    seconds = parse_duration(timeout, where="--timeout")
    registry = _registry(ctx)
    prepared = [session.prepare(d, registry) for d in load_paths([path], parse_sets(sets))]
    clusters = _connect(ctx, kubeconfig, contexts)
    out = Output(output)
    try:
        if not yes:
            names = ", ".join(p.design.name for p in prepared)
            where = ", ".join(c.context_name for c in clusters)
            confirm(f"delete {names} from {where}?")

        def run_cluster(cluster: Cluster) -> list[tuple[str, RunResult]]:
            return [
                (
                    prep.design.name,
                    delete_design(
                        cluster,
                        prep.design.name,
                        prep.objects,
                        dependencies=prep.dependencies,
                        concurrency=concurrency,
                        timeout=seconds,
                        inventory_namespace=inventory_namespace,
                        emit=out.emitter(cluster.context_name, prep.design.name),
                    ),
                )
                for prep in reversed(prepared)
            ]

        results = _in_parallel(clusters, run_cluster)
    finally:
        out.close()
        for cluster in clusters:
            cluster.close()
    out.finish(results)
    if any(not r.ok or r.skipped for _, per in results for _, r in per):
        ctx.exit(int(ExitCode.FINDINGS))


def _registry(ctx: click.Context) -> AdapterRegistry:
    injected = (ctx.obj or {}).get("registry")
    return injected if isinstance(injected, AdapterRegistry) else AdapterRegistry.from_entry_points()


def _after_ready(ctx: click.Context) -> AfterReady | None:
    hook = (ctx.obj or {}).get("after_ready")
    return hook if callable(hook) else None


def _connect(ctx: click.Context, kubeconfig: str | None, contexts: Sequence[str]) -> list[Cluster]:
    factory: ClusterFactory = (ctx.obj or {}).get("cluster_factory") or connect
    clusters: list[Cluster] = []
    try:
        names: list[str | None] = [*dict.fromkeys(contexts)] or [None]
        for name in names:
            clusters.append(factory(kubeconfig, name))
    except DesignerError:
        for cluster in clusters:
            cluster.close()
        raise
    return clusters


def confirm(question: str) -> None:
    if not sys.stdin.isatty():
        raise click.UsageError(
            "refusing to change the cluster without confirmation: pass --yes (not a terminal)"
        )
    if not click.confirm(question, default=False, err=True):
        raise click.Abort()


def _in_parallel(
    clusters: Sequence[Cluster], work: Callable[[Cluster], list[tuple[str, RunResult]]]
) -> list[tuple[str, list[tuple[str, RunResult]]]]:
    if len(clusters) == 1:
        return [(clusters[0].context_name, work(clusters[0]))]
    with ThreadPoolExecutor(max_workers=len(clusters), thread_name_prefix="designer-cluster") as pool:
        futures = [(c.context_name, pool.submit(work, c)) for c in clusters]
        return [(name, future.result()) for name, future in futures]


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
            render_text(plans, _stdout_console())

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
        console = _stdout_console()
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


def _stdout_console() -> Console:
    return Console(
        file=sys.stdout,
        highlight=False,
        width=None if sys.stdout.isatty() else 200,
        no_color=bool(os.environ.get("NO_COLOR")),
    )
