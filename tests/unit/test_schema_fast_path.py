"""The fast accept path (fastjsonschema) gives the same verdict as jsonschema on design.schema.json.

If the two ever disagreed, a design that breaks the schema could load silently; these properties
draw documents near the schema's edges (valid values, wrong types, bad patterns, unknown keys).
"""

from __future__ import annotations

from typing import Any

from hypothesis import find, given, settings
from hypothesis import strategies as st

from designer.loading.schema import _design_accepts, _validator

good_names = st.from_regex(r"[a-z][a-z0-9.-]{0,8}[a-z0-9]", fullmatch=True)
names = st.one_of(good_names, good_names, good_names, good_names, st.sampled_from(["", "Web", "a_b", "-x"]))
rarely = st.sampled_from([False] * 9 + [True])  # a mutation in about one case out of ten
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=6), names)
good_kinds = st.sampled_from(["Deployment", "ConfigMap", "IstioMesh"])
kinds = st.one_of(good_kinds, good_kinds, good_kinds, st.text(max_size=5))
good_apis = st.sampled_from(["v1", "apps/v1", "designer/v1", "networking.istio.io/v1beta1"])
api_versions = st.one_of(good_apis, good_apis, good_apis, st.text(max_size=6))
good_maps = st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2)
string_maps = st.one_of(
    good_maps, good_maps, good_maps, st.dictionaries(st.text(max_size=3), scalars, max_size=2), scalars
)
valid_traits = st.fixed_dictionaries(
    {},
    optional={
        "wait": st.one_of(
            st.just("none"),
            st.fixed_dictionaries(
                {},
                optional={
                    "timeout": st.sampled_from(["30s", "2m", "1h5m", "x"]),
                    "condition": st.text(max_size=4),
                },
            ),
        ),
        "prune": st.booleans(),
        "replace": st.booleans(),
    },
)
traits = st.one_of(
    valid_traits, valid_traits, valid_traits, st.fixed_dictionaries({"prune": scalars}), scalars
)


@st.composite
def components(draw: st.DrawFn) -> Any:
    comp = draw(
        st.fixed_dictionaries(
            {"name": names, "kind": kinds, "apiVersion": api_versions},
            optional={
                "namespace": names,
                "objectName": st.one_of(names, st.sampled_from(["a:b", "a/b", ""])),
                "labels": string_maps,
                "annotations": string_maps,
                "dependsOn": st.one_of(
                    *[st.lists(names, max_size=3, unique=True)] * 6,
                    st.lists(names, max_size=3),
                    st.lists(scalars, max_size=2),
                    scalars,
                ),
                "settings": st.one_of(
                    *[st.dictionaries(st.text(max_size=4), scalars, max_size=2)] * 4, scalars
                ),
                "traits": traits,
            },
        )
    )
    if draw(rarely):
        comp["dependOn"] = []
    if draw(rarely):
        comp.pop(draw(st.sampled_from(["name", "kind", "apiVersion"])), None)
    return comp


@st.composite
def documents(draw: st.DrawFn) -> Any:
    doc: dict[str, Any] = {
        "apiVersion": draw(st.sampled_from(["designer/v1"] * 9 + ["v1"])),
        "kind": draw(st.sampled_from(["Design"] * 9 + ["Pattern"])),
        "metadata": draw(
            st.fixed_dictionaries(
                {"name": names},
                optional={
                    "version": st.sampled_from(["1.0.0", "v2.1.3-rc.1"] * 4 + ["1.0", "x"]),
                    "type": st.sampled_from(["Security", "Workloads"] * 4 + ["security"]),
                    "tags": st.one_of(*[st.lists(st.text(max_size=3), max_size=2)] * 4, scalars),
                    "meshes": st.lists(
                        st.sampled_from(["istio", "linkerd", "none"] * 3 + ["consul"]), max_size=2
                    ),
                },
            )
        ),
        "components": draw(st.lists(components(), max_size=3)),
    }
    if draw(st.booleans()):
        doc["variables"] = draw(
            st.dictionaries(
                st.sampled_from(["ns", "replicas"] * 4 + ["1bad", "a-b"]),
                st.one_of(
                    scalars,
                    st.fixed_dictionaries(
                        {},
                        optional={"default": scalars, "description": st.text(max_size=3), "other": scalars},
                    ),
                ),
                max_size=2,
            )
        )
    if draw(rarely):
        del doc[draw(st.sampled_from(["metadata", "components", "kind"]))]
    return doc


@settings(max_examples=600, deadline=None)
@given(documents())
def test_fast_path_and_jsonschema_agree(doc: Any) -> None:
    validator = _validator("design.schema.json")
    assert validator is not None
    assert _design_accepts()(doc) == validator.is_valid(doc)


def test_both_verdicts_occur() -> None:
    # The property above is only meaningful if the strategy reaches both sides of the schema.
    validator = _validator("design.schema.json")
    settings_ = settings(database=None, max_examples=2000)
    valid = find(documents(), validator.is_valid, settings=settings_)
    invalid = find(documents(), lambda d: not validator.is_valid(d), settings=settings_)
    assert _design_accepts()(valid) is True
    assert _design_accepts()(invalid) is False
