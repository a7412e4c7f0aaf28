"""The `PerformanceProfile` component as a typed `Profile`, plus duration parsing.

A profile comes from a design component's ``settings`` (validated by
schemas/kinds/PerformanceProfile.schema.json when the loader reads the design) or from
`design perf run --url …` options. Callers: `running` (design profiles), designer/cli/perf.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from designer.errors import ProfileError

ENGINES = ("builtin", "wrk", "hey", "fortio")
DEFAULT_RATE = 100.0
DEFAULT_CONNECTIONS = 50
DEFAULT_DURATION_S = 10.0

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|µs|s|m|h)")
_UNIT_S = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """One endpoint: an explicit ``url``, or a design ``component`` with ``port`` and ``path``."""

    url: str | None = None
    component: str | None = None
    port: int | None = None
    path: str = "/"

    def describe(self) -> str:
        """A short human name for messages."""
        if self.url:
            return self.url
        return f"{self.component}:{self.port or ''}{self.path}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """Everything a load generator needs; ``rate`` is None in closed-loop mode."""

    name: str
    targets: tuple[Target, ...]
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    rate: float | None = DEFAULT_RATE
    connections: int = DEFAULT_CONNECTIONS
    duration_s: float = DEFAULT_DURATION_S
    warmup_s: float = 0.0
    timeout_s: float = 10.0
    engine: str = "builtin"
    processes: int = 1
    precise: bool = False
    slos: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        """``open`` (constant rate, coordinated omission corrected) or ``closed`` (max throughput)."""
        return "closed" if self.rate is None else "open"

    @property
    def urls(self) -> tuple[str, ...]:
        """The resolved URLs (every target must have one; see `running.resolve_targets`)."""
        out = []
        for target in self.targets:
            if not target.url:
                raise ProfileError(
                    f"profile {self.name!r}: target {target.describe()} has no URL",
                    hint="give the target a url, or run the profile through a design so it resolves",
                )
            out.append(target.url)
        return tuple(out)

    def with_overrides(self, *, closed: bool = False, **changes: Any) -> Profile:
        """A copy with the given fields replaced (CLI options win; None leaves a field as is).

        ``closed`` switches to closed loop (rate None), which a None value cannot express.
        """
        profile = replace(self, **{k: v for k, v in changes.items() if v is not None})
        return replace(profile, rate=None) if closed else profile


def parse_duration(value: str | float | int, *, what: str = "duration") -> float:
    """Seconds from ``30s``, ``500ms``, ``1m30s`` or a bare number of seconds."""
    if isinstance(value, bool):
        raise ProfileError(f"invalid {what}: {value!r}", hint="write e.g. 30s, 500ms or 2m")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = value.strip().replace(" ", "")
        try:
            seconds = float(text)
        except ValueError:
            parts = _DURATION_PART.findall(text)
            if not parts or "".join(n + u for n, u in parts) != text:
                raise ProfileError(f"invalid {what}: {value!r}", hint="write e.g. 30s, 500ms or 2m") from None
            seconds = sum(float(n) * _UNIT_S[u] for n, u in parts)
    if seconds < 0:
        raise ProfileError(f"invalid {what}: {value!r} is negative", hint="use a positive duration")
    return seconds


def check_url(url: str) -> str:
    """Accept http:// URLs with a host; anything else is a ProfileError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProfileError(f"invalid target URL {url!r}", hint="write a full URL like http://127.0.0.1:8080/")
    return url


def profile_from_settings(name: str, settings: Mapping[str, Any]) -> Profile:
    """Build a `Profile` from a PerformanceProfile component's settings.

    The loader already validated the shape against the JSON Schema; this adds the checks a
    schema cannot express (rate and concurrency are exclusive, URLs must parse).
    """
    targets = tuple(_target(name, raw) for raw in settings.get("targets") or ())
    if not targets:
        raise ProfileError(f"profile {name!r} has no targets", hint="add targets: [{url: http://…}]")
    rate = settings.get("rate")
    concurrency = settings.get("concurrency")
    if rate is not None and concurrency is not None:
        raise ProfileError(
            f"profile {name!r} sets both rate and concurrency",
            hint="rate means open loop at that many req/s; concurrency means closed loop; pick one",
        )
    connections = settings.get("connections")
    if concurrency is not None:
        connections = concurrency
    body = settings.get("body") or ""
    engine = str(settings.get("engine") or "builtin")
    if engine not in ENGINES:
        raise ProfileError(
            f"profile {name!r}: unknown engine {engine!r}", hint=f"one of {', '.join(ENGINES)}"
        )
    return Profile(
        name=name,
        targets=targets,
        method=str(settings.get("method") or "GET").upper(),
        headers={str(k): str(v) for k, v in (settings.get("headers") or {}).items()},
        body=body.encode() if isinstance(body, str) else bytes(body),
        rate=None if concurrency is not None else float(rate if rate is not None else DEFAULT_RATE),
        connections=int(connections or DEFAULT_CONNECTIONS),
        duration_s=parse_duration(settings.get("duration", DEFAULT_DURATION_S)),
        warmup_s=parse_duration(settings.get("warmup", 0), what="warmup"),
        timeout_s=parse_duration(settings.get("timeout", 10), what="timeout"),
        engine=engine,
        processes=int(settings.get("processes") or 1),
        precise=bool(settings.get("precise", False)),
        slos=tuple(str(s) for s in settings.get("slos") or ()),
        labels={str(k): str(v) for k, v in (settings.get("labels") or {}).items()},
    )


def _target(profile: str, raw: Any) -> Target:
    if isinstance(raw, str):
        return Target(url=check_url(raw))
    if not isinstance(raw, Mapping):
        raise ProfileError(f"profile {profile!r}: a target must be a URL or a mapping, not {raw!r}")
    if raw.get("url"):
        return Target(url=check_url(str(raw["url"])))
    if not raw.get("component"):
        raise ProfileError(
            f"profile {profile!r}: a target needs url or component",
            hint="e.g. {component: productpage, port: 9080, path: /productpage}",
        )
    port = raw.get("port")
    return Target(
        component=str(raw["component"]),
        port=int(port) if port is not None else None,
        path=str(raw.get("path") or "/"),
    )
