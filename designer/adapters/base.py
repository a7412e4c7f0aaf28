"""The Adapter protocol: what a mesh or platform plugin provides to designer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from designer.model import Component, KubeObject


@runtime_checkable
class Adapter(Protocol):
    """A plugin that handles some component kinds.

    ``name`` is the entry-point name. ``handles`` decides whether a component belongs to this
    adapter; ``render`` turns it into the Kubernetes objects to apply (none for components that
    are not applied, such as a PerformanceProfile).
    """

    name: str

    def handles(self, component: Component) -> bool:
        """True when this adapter renders ``component``."""
        ...

    def render(self, component: Component) -> Sequence[KubeObject]:
        """The Kubernetes objects ``component`` stands for, in apply order."""
        ...
