"""The kubernetes adapter: every built-in kind and any CRD-backed kind, rendered as written."""

from __future__ import annotations

from collections.abc import Sequence

from designer.model import Component, KubeObject


class KubernetesAdapter:
    """Renders a component into exactly the object it describes."""

    name = "kubernetes"

    def handles(self, component: Component) -> bool:
        """Every component that is not one of designer's own kinds."""
        return not component.is_designer_kind

    def render(self, component: Component) -> Sequence[KubeObject]:
        """The component's own object."""
        return [component.to_object()]
