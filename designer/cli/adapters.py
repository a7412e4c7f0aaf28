"""`design adapters`: list the installed adapters, their kinds and mesh operations, and run operations.

    design adapters [-o json]                   name, distribution, version, kinds of every adapter
    design adapters ops ADAPTER                  the adapter's mesh operations (Meshery's categories)
    design adapters run ADAPTER OP [--param k=v] [--kubeconfig K] [--context C] [--yes] [--dry-run]

An operation's objects become a one-off design (one component per object, ordered by the usual
graph inference) and go through the same plan → apply engine as `design apply`; ``uninstall``-style
operations delete in reverse order. Install and uninstall share the design name ``<adapter>-mesh`` so
the uninstall only removes what the install applied.
"""

from __future__ import annotations

import json
from typing import Any

import click

from designer.adapters import capabilities
from designer.adapters.base import Adapter
from designer.adapters.capabilities import MeshOperation
from designer.adapters.registry import AdapterInfo, AdapterRegistry, discover, load
from designer.applying import session
from designer.applying.deleting import delete_design
from designer.applying.engine import ApplyOptions
from designer.cli.apply import ClusterFactory, confirm
from designer.cli.apply_output import Output
from designer.cli.options import output_option
from designer.cluster.connecting import connect
from designer.errors import AdapterError, ExitCode, Location
from designer.model import Component, Design, KubeObject, ObjectRef


@click.group(invoke_without_command=True)
@output_option("text", "json")
@click.pass_context
def adapters(ctx: click.Context, output: str) -> None:
    """List installed adapters (name, distribution, version, kinds handled)."""
    if ctx.invoked_subcommand is not None:
        return
    rows = [_row(info, adapter) for info, adapter in _installed(ctx)]
    if output == "json":
        click.echo(json.dumps({"schema_version": 1, "adapters": rows}, indent=2))
        return
    for row in rows:
        kinds = ", ".join(row["kinds"]) or "(any Kubernetes kind)"
        click.echo(f"{row['name']:<12} {row['distribution']} {row['version']}  {row['target']}")
        click.echo(f"  kinds: {kinds}")
        if row["operations"]:
            click.echo(f"  operations: {', '.join(op['key'] for op in row['operations'])}")


@adapters.command("ops")
@click.argument("name")
@click.pass_context
def ops(ctx: click.Context, name: str) -> None:
    """List the mesh operations of adapter NAME."""
    adapter = _adapter(ctx, name)
    for op in capabilities.operations_of(adapter):
        params = f"  params: {', '.join(op.params)}" if op.params else ""
        click.echo(f"{op.key:<14} {op.category.value:<19} {op.description}{params}")


@adapters.command("run")
@click.argument("name")
@click.argument("operation")
@click.option(
    "--param", "params", multiple=True, metavar="KEY=VALUE", help="Operation parameter (repeatable)."
)
@click.option("--kubeconfig", type=click.Path(dir_okay=False, path_type=str), help="Kubeconfig file.")
@click.option("--context", "context_name", help="Kubeconfig context.")
@click.option("--timeout", default=300.0, show_default=True, help="Readiness timeout per component (s).")
@click.option("--dry-run", is_flag=True, help="Show the plan and stop.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def run_operation(
    ctx: click.Context,
    name: str,
    operation: str,
    params: tuple[str, ...],
    kubeconfig: str | None,
    context_name: str | None,
    timeout: float,
    dry_run: bool,
    yes: bool,
) -> None:
    """Run mesh OPERATION of adapter NAME against a cluster."""
    adapter = _adapter(ctx, name)
    found = {op.key: op for op in capabilities.operations_of(adapter)}
    op = found.get(operation)
    if op is None:
        raise AdapterError(
            f"adapter {name!r} has no operation {operation!r}",
            hint=f"available: {', '.join(sorted(found)) or 'none'}",
        )
    values = dict(p.partition("=")[::2] for p in params)
    try:
        objects = op.build(values)
    except KeyError as exc:
        raise click.UsageError(f"operation {operation} needs --param {exc.args[0]}=VALUE") from exc
    design = _design(name, op, objects)
    registry = _registry(ctx)
    prepared = session.prepare(design, registry)
    factory: ClusterFactory = (ctx.obj or {}).get("cluster_factory") or connect
    cluster = factory(kubeconfig, context_name)
    out = Output("text")
    try:
        if op.delete:
            if dry_run:
                return
            if not yes:
                confirm(f"{operation} {name} on {cluster.context_name}?")
            result = delete_design(
                cluster,
                design.name,
                prepared.objects,
                dependencies=prepared.dependencies,
                timeout=timeout,
                emit=out.emitter(cluster.context_name, design.name),
            )
        else:
            plan = session.plan(cluster, prepared, inventory_namespace="default")
            out.plans([plan])
            if dry_run:
                return
            if plan.has_changes and not yes:
                confirm(f"{operation} {name} on {cluster.context_name}?")
            result = session.run(
                cluster,
                prepared,
                plan,
                ApplyOptions(timeout=timeout),
                out.emitter(cluster.context_name, design.name),
            )
    finally:
        cluster.close()
    out.finish([(cluster.context_name, [(design.name, result)])])
    if not result.ok:
        ctx.exit(int(ExitCode.FINDINGS))


def _design(adapter: str, op: MeshOperation, objects: list[KubeObject]) -> Design:
    """A one-off design holding ``objects``, one component each."""
    design_name = f"{adapter}-mesh" if op.category.value == "install" else f"{adapter}-{op.key}"
    where = Location(f"<{adapter} {op.key}>", 1)
    components = []
    for i, body in enumerate(objects):
        ref = ObjectRef.of(body)
        meta = body.get("metadata") or {}
        components.append(
            Component(
                name=f"{ref.kind.lower()}-{ref.namespace or 'cluster'}-{ref.name}",
                kind=ref.kind,
                api_version=ref.api_version,
                namespace=ref.namespace,
                labels=dict(meta.get("labels") or {}),
                annotations=dict(meta.get("annotations") or {}),
                settings={k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata")},
                object_name=ref.name,
                location=where,
                key_path=f"objects[{i}]",
            )
        )
    return Design(name=design_name, source_format="kubernetes", location=where, components=tuple(components))


def _registry(ctx: click.Context) -> AdapterRegistry:
    injected = (ctx.obj or {}).get("registry")
    return injected if isinstance(injected, AdapterRegistry) else AdapterRegistry.from_entry_points()


def _installed(ctx: click.Context) -> list[tuple[AdapterInfo, Adapter]]:
    injected = (ctx.obj or {}).get("registry")
    if isinstance(injected, AdapterRegistry):
        return [
            (AdapterInfo(a.name, type(a).__module__ + ":" + type(a).__name__, "(injected)", "-"), a)
            for a in injected.adapters
        ]
    return [(info, load(info)) for info in discover(fresh=True)]


def _adapter(ctx: click.Context, name: str) -> Adapter:
    for info, adapter in _installed(ctx):
        if info.name == name:
            return adapter
    raise AdapterError(
        f"no adapter named {name!r} is installed", hint="`design adapters` lists what is installed"
    )


def _row(info: AdapterInfo, adapter: Adapter) -> dict[str, Any]:
    return {
        "name": info.name,
        "distribution": info.distribution,
        "version": info.version,
        "target": info.target,
        "kinds": list(capabilities.kinds_of(adapter)),
        "operations": [
            {
                "key": op.key,
                "category": op.category.value,
                "description": op.description,
                "params": list(op.params),
            }
            for op in capabilities.operations_of(adapter)
        ],
        "policies": [p.name for p in capabilities.policies_of(adapter)],
    }
