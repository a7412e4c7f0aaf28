"""Leaving admission reviews out of the commands that act on a cluster (render, diff, apply, delete,
export), each with a note that says where it is and why.

An AdmissionReview document in a design is a request for the policies (designer.rendering.
without_reviews); `design validate` reviews it, the other commands must not treat its object as a
manifest. Callers: designer.cli.{render,diff,apply,exporting}.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

from designer.model import Design
from designer.rendering import review_summary, without_reviews


def cluster_designs(designs: Iterable[Design], action: str) -> list[Design]:
    """The designs without their admission reviews; a note on stderr for each one left out
    (``action``: what the command does with objects, e.g. ``applied``)."""
    kept: list[Design] = []
    for design in designs:
        design, reviews = without_reviews(design)
        for component in reviews:
            click.echo(
                f"note: {component.location}: AdmissionReview ({review_summary(component)}) is a review "
                f"request for the policies (design validate), not an object: not {action}",
                err=True,
            )
        kept.append(design)
    return kept
