"""The adapter registry, built from the ``designer.adapters`` entry points.

Discovery lists entry points without importing them; an adapter is imported when first needed
(flake8's find/load split). The registry is an object handed to whoever needs it, never a global,
so tests build one from a dict of fakes.

The list is cached (`designer.adapters.discovery`): scanning with importlib.metadata costs about 15 ms
of imports on every command, which is a tenth of a small `design validate`.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from designer.adapters.base import Adapter
from designer.adapters.discovery import AdapterInfo, installed_adapters
from designer.errors import AdapterError
from designer.model import Component

__all__ = ["AdapterInfo", "AdapterRegistry", "discover", "load"]


def discover(*, fresh: bool = False) -> tuple[AdapterInfo, ...]:
    """Every installed adapter, sorted by name; duplicate names are an error. ``fresh`` bypasses
    the discovery cache."""
    found: dict[str, AdapterInfo] = {}
    for info in installed_adapters(fresh=fresh):
        previous = found.get(info.name)
        if previous is not None and previous.target != info.target:
            raise AdapterError(
                f"two adapters are named {info.name!r}: {previous.target} ({previous.distribution}) "
                f"and {info.target} ({info.distribution})",
                hint="uninstall one of the two packages",
            )
        found[info.name] = info
    return tuple(found[name] for name in sorted(found))


def load(info: AdapterInfo) -> Adapter:
    """Import one adapter and check that it satisfies the Adapter protocol."""
    try:
        loaded = pkgutil.resolve_name(info.target)  # "module:attr.attr", as EntryPoint.load
        adapter = loaded() if isinstance(loaded, type) else loaded
    except Exception as exc:
        raise AdapterError(
            f"adapter {info.name!r} from {info.distribution} {info.version} failed to load: {exc}",
            hint=f"reinstall or upgrade {info.distribution}",
        ) from exc
    if not isinstance(adapter, Adapter):
        raise AdapterError(
            f"adapter {info.name!r} from {info.distribution} does not implement the Adapter protocol",
            hint="it needs a name, handles(component) and render(component)",
        )
    return adapter


@dataclass
class AdapterRegistry:
    """The adapters in use, tried in order; ``kubernetes`` (the catch-all) is tried last."""

    adapters: list[Adapter] = field(default_factory=list)

    @classmethod
    def from_entry_points(cls) -> AdapterRegistry:
        """Load every installed adapter."""
        return cls.from_adapters(load(info) for info in discover())

    @classmethod
    def from_adapters(cls, adapters: Iterable[Adapter]) -> AdapterRegistry:
        """A registry of the given adapters (tests pass fakes here)."""
        ordered = sorted(adapters, key=lambda a: (a.name == "kubernetes", a.name))
        return cls(adapters=ordered)

    def by_name(self) -> Mapping[str, Adapter]:
        """Adapters keyed by name."""
        return {a.name: a for a in self.adapters}

    def for_component(self, component: Component) -> Adapter:
        """The adapter that handles ``component``."""
        for adapter in self.adapters:
            if adapter.handles(component):
                return adapter
        raise AdapterError(
            f"no adapter handles {component.api_version} {component.kind} (component {component.name!r})",
            location=component.location,
            hint="install the adapter package for this kind, or check apiVersion/kind; "
            "`design adapters` lists what is installed (and refreshes the cache of installed adapters)",
        )
