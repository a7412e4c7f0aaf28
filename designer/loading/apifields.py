"""The Kubernetes objects of a design checked against their kinds' shapes, as the API server would.

kubectl validates fields strictly by default and kubeconform exists for this check before merge: a
misspelt field (``spec.replica``) or a value of the wrong type (``replicas: "3"``) is a mistake the
cluster finds late (server-side apply fails with a 500, a plain update drops the field with only a
Warning header). Here each object of a design is checked against its kind's shape
(designer.kubetypes: every built-in kind of the Kubernetes release recorded in its data, and custom
resources whose CRD is in the same design) and every problem becomes a located `FieldError`:
file:line of the key, the key path as the file writes it, what is wrong and a hint ("did you mean").

These are errors, like other schema errors of a design: `load_file` (render, graph, diff, apply,
export) refuses the file and `read_file` (validate) reports each one beside the design, whose
objects are still checked by the policies. An object annotated ``designer.dev/field-validation:
ignore`` is not checked (a field of a newer Kubernetes than designer knows, a custom resource whose
CRD is looser than its schema says), nor an AdmissionReview's object (policy input only). Kinds designer knows no shape for (custom resources without
their CRD in the design, API versions the recorded release does not serve) are left alone; a kind a
served built-in group-version does not have (``apps/v1 Deploymnet``) is an error.

Callers: designer.loading (every design read) and designer.loading.kubernetes (a manifest's own
metadata, which its components keep only in part).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from designer.errors import DesignError, FieldError, Location
from designer.kubetypes import shapes
from designer.kubetypes.conformance import REQUIRED, UNKNOWN, UNSUPPORTED, Problem, check
from designer.kubetypes.shapes import Shape
from designer.loading.hints import did_you_mean
from designer.model import Component, Design

IGNORE_ANNOTATION = "designer.dev/field-validation"
"""Set to ``ignore`` on an object to leave its fields unchecked."""

CRD_API_VERSION = "apiextensions.k8s.io/v1"
_READ_FROM_COMPONENT = frozenset({"apiVersion", "kind", "metadata"})
_METADATA_READ_BY_LOADERS = frozenset({"labels", "annotations"})  # read as strings (numbers written out)


def design_errors(design: Design) -> list[DesignError]:
    """Every field problem of every object of ``design``, in component order."""
    return component_errors(design.components)


def component_errors(components: Sequence[Component]) -> list[DesignError]:
    """Every field problem of ``components`` (a design's, or those of a design with other errors that
    are well-formed enough to check), in their order."""
    kinds = Kinds(components)
    errors: list[DesignError] = []
    for component in components:
        if component.is_designer_kind or component.review is not None or ignored(component.annotations):
            continue  # an AdmissionReview's object is policy input, never sent to a server
        shape = kinds.shape(component, errors)
        if shape is None:
            continue
        settings = component.settings
        # The component gives apiVersion, kind and metadata, unless its settings replace metadata.
        given = _READ_FROM_COMPONENT - {"metadata"} if "metadata" in settings else _READ_FROM_COMPONENT
        custom = shapes.for_kind(component.api_version, component.kind) is None  # its CRD's shape
        problems = check(settings, shape, given=given, custom=custom)
        if problems:
            errors.extend(_located(problems, component.locate, _written(component)))
    return errors


def metadata_errors(
    metadata: Mapping[str, Any], locate: Callable[[str], Location], prefix: str
) -> list[DesignError]:
    """The problems of a manifest's own ``metadata`` (a design keeps only name, namespace, labels and
    annotations, which the reader checks itself); ``locate`` takes paths below the object."""
    problems = check(metadata, shapes.object_meta(), given=_METADATA_READ_BY_LOADERS)
    if not problems:
        return []
    return _located(
        [_under("metadata", p) for p in problems], locate, lambda path: f"{prefix}.{path}" if prefix else path
    )


def ignored(annotations: Mapping[str, str]) -> bool:
    """True when the object asks designer not to check its fields."""
    return annotations.get(IGNORE_ANNOTATION, "").strip().lower() == "ignore"


def _under(parent: str, problem: Problem) -> Problem:
    return Problem(
        f"{parent}.{problem.path}",
        problem.code,
        problem.message,
        problem.hint,
        problem.word,
        problem.choices,
    )


def _located(
    problems: Iterable[Problem], locate: Callable[[str], Location], written: Callable[[str], str]
) -> list[DesignError]:
    out: list[DesignError] = []
    for problem in problems:
        # A missing field is located at the mapping that lacks it; the others at their own key.
        where = problem.path.rpartition(".")[0] if problem.code == REQUIRED else problem.path
        out.append(
            FieldError(
                problem.message, location=locate(where), path=written(problem.path), hint=_hint(problem)
            )
        )
    return out


def _hint(problem: Problem) -> str | None:
    if problem.code == UNKNOWN:
        return did_you_mean(problem.word, problem.choices) or _listing(
            "the fields there are", problem.choices
        )
    if problem.code == UNSUPPORTED:
        return did_you_mean(problem.word, problem.choices) or _listing("use one of", problem.choices)
    return problem.hint


def _listing(lead: str, names: tuple[str, ...]) -> str:
    if not names:
        return "this mapping takes no fields: remove it"
    shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
    return f"{lead}: {shown}"


def _written(component: Component) -> Callable[[str], str]:
    """Object path → the key path as the design file writes it (``components[2].settings.spec.x``)."""
    translate = getattr(component.positions, "written", None)
    prefix = component.key_path
    if callable(translate):
        return lambda path: f"{prefix}.{translate(path)}" if prefix else str(translate(path))
    return component.design_path


# -- which shape ---------------------------------------------------------------------------------


CrdVersions = dict[tuple[str, str], dict[str, Any]]
"""(group, kind) → {version: openAPIV3Schema or None} of the CRDs of a design."""


class Kinds:
    """The shapes of one design's kinds: built-in ones, and those of the CRDs it holds."""

    def __init__(self, components: Iterable[Component]) -> None:
        self._crds = _crd_versions(components)
        self._made: dict[tuple[str, str, str], Shape] = {}

    def has_shape(self, api_version: str, kind: str) -> bool:
        """True when objects of this kind are checked (a built-in kind, a CRD's served version)."""
        if shapes.for_kind(api_version, kind) is not None:
            return True
        group, _, version = api_version.rpartition("/")
        return version in self._crds.get((group, kind), {})

    def shape(self, component: Component, errors: list[DesignError]) -> Shape | None:
        """The shape to check ``component`` against, or None (nothing known; an unknown kind of a
        served built-in group-version, or a version its CRD lacks, is recorded in ``errors``)."""
        api_version, kind = component.api_version, component.kind
        shape = shapes.for_kind(api_version, kind)
        if shape is not None:
            return shape
        group, _, version = api_version.rpartition("/")
        versions = self._crds.get((group, kind))
        if versions is not None:
            if version in versions:
                made = self._made.get((group, version, kind))
                if made is None:
                    schema = versions[version]
                    made = shapes.for_crd(schema if isinstance(schema, dict) else None)
                    self._made[(group, version, kind)] = made
                return made
            errors.append(
                FieldError(
                    f"the CustomResourceDefinition of {kind} in this design serves no version {version!r}",
                    location=component.locate("apiVersion"),
                    path=_written(component)("apiVersion"),
                    hint=f"use one of: {', '.join(f'{group}/{v}' for v in versions)}",
                )
            )
            return None
        served = shapes.served_kinds(api_version)
        if served is not None and kind not in served:
            errors.append(
                FieldError(
                    f"Kubernetes {shapes.kubernetes_version()} has no kind {kind!r} in {api_version}",
                    location=component.locate("kind"),
                    path=_written(component)("kind"),
                    hint=did_you_mean(kind, served) or f"{api_version} serves {', '.join(sorted(served))}",
                )
            )
        return None


def _crd_versions(components: Iterable[Component]) -> CrdVersions:
    """The served versions of the CRDs among ``components`` and their schemas."""
    out: CrdVersions = {}
    for component in components:
        if component.kind != "CustomResourceDefinition" or component.api_version != CRD_API_VERSION:
            continue
        spec = component.settings.get("spec")
        if not isinstance(spec, dict):
            continue
        names = spec.get("names")
        group, kind = spec.get("group"), names.get("kind") if isinstance(names, dict) else None
        if (
            not isinstance(group, str)
            or not isinstance(kind, str)
            or not isinstance(spec.get("versions"), list)
        ):
            continue
        versions: dict[str, Any] = {}
        for entry in spec["versions"]:
            if (
                isinstance(entry, dict)
                and isinstance(entry.get("name"), str)
                and entry.get("served") is not False
            ):
                schema = entry.get("schema")
                versions[entry["name"]] = schema.get("openAPIV3Schema") if isinstance(schema, dict) else None
        out[(group, kind)] = versions
    return out
