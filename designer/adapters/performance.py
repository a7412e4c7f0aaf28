"""The performance adapter: `PerformanceProfile` components (designer/v1) render to no object.

A profile is not applied to the cluster: it describes load that `design perf run` and
`design apply --perf` send once its targets are ready (the graph orders it after them).
"""

from __future__ import annotations

from collections.abc import Sequence

from designer.kinds import PROFILE_KIND
from designer.model import DESIGNER_API_VERSION, Component, KubeObject


class PerformanceAdapter:
    """Claims PerformanceProfile components so every command accepts designs that carry them."""

    name = "performance"

    def handles(self, component: Component) -> bool:
        """designer/v1 PerformanceProfile components."""
        return component.is_designer_kind and component.kind == PROFILE_KIND

    def render(self, component: Component) -> Sequence[KubeObject]:
        """Nothing to apply."""
        return []

    def kinds(self) -> Sequence[str]:
        """For `design adapters`."""
        return [f"{DESIGNER_API_VERSION}/{PROFILE_KIND}"]
