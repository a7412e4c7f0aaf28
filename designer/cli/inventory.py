"""``--inventory`` and ``--inventory-context`` of `design validate`: what stands for the cluster.

Gatekeeper's referential templates read the cluster's objects from ``data.inventory``. ``--inventory
PATH`` (repeatable) reads them from files (``kubectl get -o yaml`` output, Lists, multi-document YAML,
folders of them); ``--inventory-context CTX`` reads them from a live cluster through designer's cluster
layer (kubeconfig found as kubectl finds it), only the kinds the sync configuration or the templates
in use name, one LIST per kind (designer.policy.gatekeeper_sync). Files go over live objects, and the
design's own objects over both.

Caller: designer.cli.validate.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

# Imported when an inventory is read: `design validate` declares these options on every run, and a run
# whose results all come from its cache loads no policy engine and no cluster client.
if TYPE_CHECKING:
    from designer.policy.evaluator import PolicySet

F = TypeVar("F", bound=Callable[..., Any])


def inventory_options(func: F) -> F:
    """The two options, in this order in --help."""
    func = click.option(
        "--inventory-context",
        metavar="CONTEXT",
        help="Read data.inventory from this kubeconfig context: the kinds Gatekeeper would sync, "
        "one LIST each.",
    )(func)
    return click.option(
        "--inventory",
        "inventory",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Objects that stand for the cluster in Gatekeeper's data.inventory "
        "(kubectl get -o yaml output, files or folders; repeatable).",
    )(func)


def attach_inventory(
    ctx: click.Context, policies: PolicySet, paths: tuple[Path, ...], context: str | None
) -> None:
    """Read the inventory (files first, so a broken file is exit 3 even without Gatekeeper policies)."""
    if not paths and context is None:
        return
    from designer.policy.gatekeeper_inventory import read_inventory_files

    objects = read_inventory_files(paths)
    gatekeeper = policies.gatekeeper
    if gatekeeper is None:
        click.echo(
            "note: --inventory and --inventory-context only feed Gatekeeper templates; no --policy holds one",
            err=True,
        )
        return
    if context is not None:
        from designer.policy.gatekeeper_sync import SyncConfig, plan_sync, read_live

        config = SyncConfig.from_documents(gatekeeper.sync_documents)
        plan = plan_sync(gatekeeper.templates_in_use(), config)
        gatekeeper.notes.extend(plan.notes)
        if plan.reads:
            from designer.cluster.connecting import connect

            factory = (ctx.obj or {}).get("cluster_factory") or partial(connect, purpose="validate")
            cluster = factory(None, context)
            try:
                live, notes = read_live(cluster, plan, config)
            finally:
                cluster.close()
            gatekeeper.cluster_objects.extend(live)
            gatekeeper.notes.extend(notes)
    gatekeeper.cluster_objects.extend(objects)
