"""`design apply PATH` and `design delete PATH`: put a design on one or more clusters, or take it off.

apply: load → graph → render → plan (the Plan `design diff` shows) → show it → confirm (``--yes``,
or a prompt on a terminal; refused off a terminal) → execute with designer.applying on every
``--context`` in parallel → summary. ``--dry-run`` stops after the plan. Progress goes to stderr
(rich, one line per running component with elapsed time) or, with ``--output json``, one JSON
event per line on stdout ending with a ``summary`` event per design and cluster.
Exit status: 0 all applied and ready, 1 a step failed (or was skipped), 2 usage, 3 bad input, or the
credentials were refused (401) or lack a right (403): the environment, not the design, is wrong.

Injection (tests, embedding): ``ctx.obj["cluster_factory"]`` (as for `design diff`) and
``ctx.obj["registry"]`` (an AdapterRegistry). Extension point: ``ctx.obj["after_ready"]`` (an `designer.applying.engine.AfterReady`) runs after
each component is ready — `design apply --perf` plugs its profile runner in there.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import click

from designer.adapters.registry import AdapterRegistry
from designer.applying import session
from designer.applying.deleting import delete_design
from designer.applying.engine import AfterReady, ApplyOptions
from designer.applying.events import RunResult
from designer.applying.traits import parse_duration
from designer.cli.apply_output import Output
from designer.cli.options import output_option, parse_sets, set_option
from designer.cli.reviews import cluster_designs
from designer.cluster.access import Caller, writes_refused
from designer.cluster.base import Cluster
from designer.cluster.connecting import connect
from designer.cluster.inventory import DEFAULT_NAMESPACE
from designer.errors import DesignerError, ExitCode
from designer.kinds import PROFILE_KIND
from designer.loading import load_paths
from designer.model import Design
from designer.planning import Plan

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
                help="API requests in flight at once (components waiting for readiness hold none).",
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
@click.option(
    "--perf",
    is_flag=True,
    help="After everything is applied and ready, run the design's PerformanceProfiles (exit 1 when an SLO fails).",
)
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
    perf: bool,
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
    designs = cluster_designs(load_paths([path], parse_sets(sets)), "applied")
    prepared = [session.prepare(d, registry) for d in designs]
    clusters = _connect(ctx, kubeconfig, contexts, "apply")
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
        _refuse_forbidden_writes(kubeconfig, plans)
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
    _exit_if_refused(ctx, results)
    if any(not r.ok or r.skipped or r.cancelled for _, per in results for _, r in per):
        ctx.exit(int(ExitCode.FINDINGS))
    if perf and not _run_profiles([p.design for p in prepared], output):
        ctx.exit(int(ExitCode.FINDINGS))


def _run_profiles(designs: Sequence[Design], output: str) -> bool:
    """Run every PerformanceProfile of ``designs`` once (after all clusters are ready); True if all SLOs hold."""
    from designer.cli.perf_output import emit_records  # lazy: the load engines are only needed with --perf
    from designer.perf.history import History
    from designer.perf.running import run_design_profiles

    records = []
    with History(None) as history:
        for design in designs:
            if any(c.kind == PROFILE_KIND and c.is_designer_kind for c in design.components):
                records += run_design_profiles(design, history=history)
    if not records:
        click.echo("--perf: the design has no PerformanceProfile component", err=True)
        return True
    if output == "json":  # one line per record, like every other event of apply
        for record in records:
            click.echo(json.dumps({"schema_version": 1, "event": "perf", **record}, default=str))
    else:
        emit_records(records, "text")
    return all(r.get("slo_passed") is not False for r in records)


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
    # Deleting needs only the objects' identities: fields the server would refuse do not stop it.
    designs = cluster_designs(load_paths([path], parse_sets(sets), check_fields=False), "deleted")
    prepared = [session.prepare(d, registry) for d in designs]
    clusters = _connect(ctx, kubeconfig, contexts, "delete")
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
    _exit_if_refused(ctx, results)
    if any(not r.ok or r.skipped for _, per in results for _, r in per):
        ctx.exit(int(ExitCode.FINDINGS))


def _refuse_forbidden_writes(kubeconfig: str | None, plans: dict[str, list[Plan]]) -> None:
    """Stop before the first write when RBAC refused some dry runs: those writes would be refused as
    well, after the objects before them were applied (a half-applied design)."""
    for context, per in plans.items():
        for plan in per:
            refused = [(str(s.ref), s.refusal) for s in plan.steps if s.refusal is not None]
            if refused:
                caller = Caller(context=context, kubeconfig=kubeconfig, purpose="apply")
                raise writes_refused(f"design {plan.design} on context {context}", refused, caller)


def _exit_if_refused(ctx: click.Context, results: Sequence[tuple[str, list[tuple[str, RunResult]]]]) -> None:
    """Exit 3 when the API server refused the credentials (401) or RBAC refused a write (403): the
    environment is wrong, not the design, and the failure printed above says which right is missing."""
    if any(f.status in (401, 403) for _, per in results for _, r in per for f in r.failed):
        ctx.exit(int(ExitCode.INPUT))


def _registry(ctx: click.Context) -> AdapterRegistry:
    injected = (ctx.obj or {}).get("registry")
    return injected if isinstance(injected, AdapterRegistry) else AdapterRegistry.from_entry_points()


def _after_ready(ctx: click.Context) -> AfterReady | None:
    hook = (ctx.obj or {}).get("after_ready")
    return hook if callable(hook) else None


def _connect(
    ctx: click.Context, kubeconfig: str | None, contexts: Sequence[str], purpose: str
) -> list[Cluster]:
    factory: ClusterFactory = (ctx.obj or {}).get("cluster_factory") or partial(connect, purpose=purpose)
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
