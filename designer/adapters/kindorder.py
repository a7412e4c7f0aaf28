"""Install phases for the objects that one component renders together.

A mesh control plane renders dozens of objects from one component; they are applied in Helm's
InstallOrder (designer.kinds), and the kinds in `FIRST_PHASE` (namespaces, CRDs) are applied and
waited for before the rest, so a component's own custom resources never race their CRD. Callers:
the mesh adapters (to sort what they render) and the apply engine (to split a component into phases).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from designer.kinds import install_rank

FIRST_PHASE = frozenset({"Namespace", "CustomResourceDefinition"})
"""Kinds applied and waited for before the rest of the same component."""

T = TypeVar("T")


def rank(body: Mapping[str, Any]) -> int:
    """Position of the body's kind in Helm's install order; custom kinds last."""
    return install_rank(str(body.get("kind", "")))


def sort_objects(objects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Objects in install order; stable for equal kinds."""
    return sorted((dict(o) for o in objects), key=rank)


def phases(items: Iterable[T], kind: Callable[[T], str]) -> list[list[T]]:
    """Split a component's items: namespaces and CRDs first (if any), then the rest; order kept."""
    first: list[T] = []
    rest: list[T] = []
    for item in items:
        (first if kind(item) in FIRST_PHASE else rest).append(item)
    return [phase for phase in (first, rest) if phase]
