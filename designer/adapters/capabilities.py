"""Optional adapter capabilities beyond `Adapter` (name, handles, render).

An adapter may also declare the kinds it handles (for `design adapters`), readiness rules for its
kinds, ordering hints (extra edges, e.g. mesh install → injected namespaces → workloads), Rego
policies it contributes, and mesh operations in Meshery's categories (install, sample application,
configure, validate, custom). Each capability is a small Protocol checked at run time, so a
third-party adapter implements only what it needs; the accessors below merge what every adapter of
a registry offers. Callers: the apply engine (rules, hints), `design adapters`, the policy layer.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from designer.adapters.base import Adapter
from designer.adapters.readiness import Rule
from designer.model import Component, Edge, KubeObject


class OperationCategory(enum.Enum):
    """Meshery's operation categories (meshery-adapter-library)."""

    INSTALL = "install"
    SAMPLE_APPLICATION = "sample_application"
    CONFIGURE = "configure"
    VALIDATE = "validate"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True, kw_only=True)
class MeshOperation:
    """A named mesh operation: ``build(params)`` returns the objects to apply (or delete).

    ``delete`` marks operations whose objects are removed rather than applied (uninstall).
    """

    key: str
    category: OperationCategory
    description: str
    build: Callable[[Mapping[str, str]], list[KubeObject]]
    delete: bool = False
    params: tuple[str, ...] = ()


@runtime_checkable
class DeclaresKinds(Protocol):
    """Lists the kinds an adapter handles, as ``apiVersion/Kind`` or ``group/*``."""

    def kinds(self) -> Sequence[str]: ...


@runtime_checkable
class ProvidesReadiness(Protocol):
    """Readiness rules keyed by ``group/Kind`` (see designer.adapters.readiness)."""

    def readiness_rules(self) -> Mapping[str, Rule]: ...


@runtime_checkable
class ProvidesOrdering(Protocol):
    """Extra edges between the components of a design, each with a reason."""

    def ordering_hints(self, components: Sequence[Component]) -> Sequence[Edge]: ...


@runtime_checkable
class ProvidesPolicies(Protocol):
    """Rego files the adapter contributes to `design validate` (may be empty)."""

    def policies(self) -> Sequence[Path]: ...


@runtime_checkable
class ProvidesOperations(Protocol):
    """Mesh operations (install, uninstall, sample apps, configuration)."""

    def operations(self) -> Sequence[MeshOperation]: ...


def kinds_of(adapter: Adapter) -> tuple[str, ...]:
    """The kinds ``adapter`` declares, or () when it does not say."""
    return tuple(adapter.kinds()) if isinstance(adapter, DeclaresKinds) else ()


def readiness_rules(adapters: Iterable[Adapter]) -> dict[str, Rule]:
    """Every adapter's readiness rules merged (the first adapter to name a kind wins)."""
    merged: dict[str, Rule] = {}
    for adapter in adapters:
        if isinstance(adapter, ProvidesReadiness):
            for key, rule in adapter.readiness_rules().items():
                merged.setdefault(key, rule)
    return merged


def ordering_hints(adapters: Iterable[Adapter], components: Sequence[Component]) -> list[Edge]:
    """Every adapter's extra edges, deduplicated and sorted (deterministic)."""
    edges: set[Edge] = set()
    for adapter in adapters:
        if isinstance(adapter, ProvidesOrdering):
            edges.update(adapter.ordering_hints(components))
    return sorted(e for e in edges if e.dependency != e.dependent)


def policies_of(adapter: Adapter) -> tuple[Path, ...]:
    """The Rego files ``adapter`` contributes."""
    return tuple(adapter.policies()) if isinstance(adapter, ProvidesPolicies) else ()


def operations_of(adapter: Adapter) -> tuple[MeshOperation, ...]:
    """The mesh operations ``adapter`` offers."""
    return tuple(adapter.operations()) if isinstance(adapter, ProvidesOperations) else ()
