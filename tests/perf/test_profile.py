"""Profiles from component settings, durations, target resolution and run context (no load)."""

from __future__ import annotations

import pytest

from designer.errors import Location, ProfileError
from designer.model import Component, Design
from designer.perf.profile import Target, parse_duration, profile_from_settings
from designer.perf.running import design_context, profiles_of, resolve_targets

LOC = Location("design.yaml", 1)


def _component(name: str, kind: str, api_version: str = "designer/v1", **kw: object) -> Component:
    return Component(name=name, kind=kind, api_version=api_version, location=LOC, key_path=name, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("500ms", 0.5), ("1m30s", 90.0), ("2", 2.0), (1.5, 1.5), ("250us", 0.00025)],
)
def test_parse_duration(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["fast", "10 parsecs", "-1s", "1s2"])
def test_parse_duration_rejects(bad: str) -> None:
    with pytest.raises(ProfileError, match="invalid duration"):
        parse_duration(bad)


def test_settings_become_a_profile() -> None:
    profile = profile_from_settings(
        "checkout",
        {
            "targets": ["http://127.0.0.1:8080/a", {"component": "web", "port": 80, "path": "/b"}],
            "method": "post",
            "headers": {"X-Test": 1},
            "body": "{}",
            "rate": 250,
            "connections": 8,
            "duration": "2m",
            "warmup": "5s",
            "slos": ["p(99) < 250ms"],
        },
    )
    assert profile.mode == "open" and profile.rate == 250.0 and profile.connections == 8
    assert profile.method == "POST" and profile.headers == {"X-Test": "1"} and profile.body == b"{}"
    assert profile.duration_s == 120 and profile.warmup_s == 5
    assert profile.targets[1] == Target(component="web", port=80, path="/b")


def test_concurrency_means_closed_loop() -> None:
    profile = profile_from_settings("c", {"targets": ["http://h/"], "concurrency": 12})
    assert profile.mode == "closed" and profile.rate is None and profile.connections == 12
    assert profile.with_overrides(rate=50.0).mode == "open"
    assert profile_from_settings("o", {"targets": ["http://h/"]}).with_overrides(closed=True).mode == "closed"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"targets": []}, "has no targets"),
        ({"targets": ["http://h/"], "rate": 5, "concurrency": 2}, "both rate and concurrency"),
        ({"targets": ["ftp://h/"]}, "invalid target URL"),
        ({"targets": [{"path": "/x"}]}, "needs url or component"),
        ({"targets": ["http://h/"], "engine": "jmeter"}, "unknown engine"),
    ],
)
def test_bad_settings(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        profile_from_settings("p", settings)


def test_component_targets_resolve_through_the_design() -> None:
    service = _component(
        "web-svc",
        "Service",
        "v1",
        namespace="shop",
        object_name="web",
        settings={"spec": {"ports": [{"port": 8080}]}},
    )
    prof = _component(
        "load",
        "PerformanceProfile",
        settings={
            "targets": [{"component": "web-svc", "path": "/health"}, "http://127.0.0.1:1/"],
            "rate": 10,
        },
    )
    design = Design(
        name="shop",
        source_format="designer/v1",
        location=LOC,
        components=(service, prof),
        version="2.0.0",
        metadata={"meshes": ["linkerd"]},
    )
    (profile,) = profiles_of(design, {"duration_s": 3.0})
    assert profile.duration_s == 3.0
    resolved = resolve_targets(profile, design)
    assert resolved.urls == ("http://web.shop.svc.cluster.local:8080/health", "http://127.0.0.1:1/")
    custom = resolve_targets(profile, design, lambda comp, target: f"http://localhost:9/{comp.name}")
    assert custom.urls[0] == "http://localhost:9/web-svc"
    context = design_context(design)
    assert (context.design, context.version, context.mesh) == ("shop", "2.0.0", "linkerd")


def test_unknown_target_component_names_the_design() -> None:
    prof = _component("load", "PerformanceProfile", settings={"targets": [{"component": "nope", "port": 80}]})
    design = Design(name="d", source_format="designer/v1", location=LOC, components=(prof,))
    (profile,) = profiles_of(design)
    with pytest.raises(ProfileError, match="'nope' is not in design 'd'"):
        resolve_targets(profile, design)


def test_bad_profile_settings_point_at_the_component() -> None:
    prof = _component("load", "PerformanceProfile", settings={"targets": []})
    design = Design(name="d", source_format="designer/v1", location=LOC, components=(prof,))
    with pytest.raises(ProfileError) as info:
        profiles_of(design)
    assert info.value.location == LOC and info.value.path == "load.settings"
