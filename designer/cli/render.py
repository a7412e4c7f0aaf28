"""`design render PATH`: the Kubernetes objects a design stands for, in apply order (like helm template)."""

from __future__ import annotations

import click

from designer.adapters.registry import AdapterRegistry
from designer.cli.options import parse_sets, set_option
from designer.cli.reviews import cluster_designs
from designer.graph import build_graph
from designer.loading import load_paths
from designer.loading.writing import dump_documents
from designer.model import KubeObject
from designer.rendering import render as render_design


@click.command()
@click.argument("path", type=click.Path(path_type=str))
@set_option
def render(path: str, sets: tuple[str, ...]) -> None:
    """Print the Kubernetes objects of the designs in PATH as multi-document YAML, in apply order."""
    registry = AdapterRegistry.from_entry_points()
    bodies: list[KubeObject] = []
    for design in cluster_designs(load_paths([path], parse_sets(sets)), "rendered"):
        bodies.extend(obj.body for obj in render_design(design, build_graph(design), registry))
    click.echo(dump_documents(bodies), nl=False)
