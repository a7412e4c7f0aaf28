"""The built-in check library (policies/) evaluated over a whole design in one regorus evaluation.

Contract with the Rego library: one package per check, ``designer.checks.<name>``, each with
``metadata := {"id", "title", "severity", "rationale", "remediation"}`` and
``findings contains {"index": i, "msg": …, "path": …}``. The input is the whole design:
``{"objects": [{"index", "component", "file", "line", "object", "kind", "namespace", "name"}],
"edges": [{"from", "to", "reason"}]}`` (kind, namespace and name are precomputed: see policies/lib/k8s.rego),
so cross-object checks (a Service selecting nothing, a missing ConfigMap) see every object and the graph.
``data.designer.checks`` is evaluated once; each finding is mapped back to its component and to the line
of its key path (`Component.locate`).

Callers: designer.policy.evaluator (validate) and designer.cli.policy (``policy list``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from designer.errors import Location, PolicyError
from designer.jsontext import compact
from designer.model import Edge, RenderedObject
from designer.policy.backend import RegoEngine, RegoModule
from designer.policy.findings import CheckInfo, Finding, Severity
from designer.resources import policies_dir

CHECKS_ROOT = "data.designer.checks"


def library_files(roots: Iterable[Path], extra: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """The .rego files of the library (tests excluded) and extra files (adapters' contributions),
    each once, with the name errors show."""
    found: dict[Path, str] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.rego")):
            if not path.name.endswith("_test.rego"):
                found.setdefault(path.resolve(), f"{root.name}/{path.relative_to(root).as_posix()}")
    for path in extra:
        if not path.name.endswith("_test.rego"):
            found.setdefault(path.resolve(), str(path))
    return list(found.items())


class BuiltinChecks:
    """The compiled library: one engine, prepared on first use and reused for every design (one thread)."""

    def __init__(self, roots: Sequence[Path] | None = None, extra_files: Sequence[Path] = ()) -> None:
        self.roots = list(roots) if roots is not None else [policies_dir()]
        self._engine = RegoEngine()
        for path, display in library_files(self.roots, extra_files):
            self._engine.add_module(RegoModule.from_file(path, display=display))
        self._catalog: dict[str, CheckInfo] | None = None

    def catalog(self) -> dict[str, CheckInfo]:
        """Check id -> description, read from each package's ``metadata``."""
        if self._catalog is None:
            packages = self._evaluate({"objects": [], "edges": []})
            self._catalog = {}
            for name, body in sorted(packages.items()):
                info = _check_info(name, body)
                self._catalog[info.id] = info
        return self._catalog

    def evaluate(self, objects: Sequence[RenderedObject], edges: Sequence[Edge]) -> list[Finding]:
        """Every finding of every check over the design (waivers are applied later)."""
        packages = self._evaluate(design_input(objects, edges))
        findings: list[Finding] = []
        located: dict[tuple[int, str | None], Location] = {}  # several checks often flag one key
        catalog: dict[str, CheckInfo] = {}
        for name, body in sorted(packages.items()):
            info = _check_info(name, body)
            catalog[info.id] = info
            for raw in body.get("findings") or []:
                findings.append(_finding(info, raw, objects, located))
        if self._catalog is None:
            # The metadata do not depend on the input: this evaluation gives the catalog too, which
            # spares `catalog()` (asked for by every report) an evaluation of its own.
            self._catalog = catalog
        return findings

    def _evaluate(self, document: Mapping[str, Any]) -> dict[str, Any]:
        # The base engine itself is reused: set_input replaces the whole input and nothing else changes,
        # while a clone would pay regorus's preparation again (~10 ms) on its first evaluation.
        self._engine.set_input_json(compact(document))
        values = self._engine.eval_query(CHECKS_ROOT)
        if not values:
            return {}
        result = values[0]
        if not isinstance(result, dict):
            raise PolicyError(f"{CHECKS_ROOT} is not a package tree", hint="check the policies/ library")
        return result


def design_input(objects: Sequence[RenderedObject], edges: Sequence[Edge]) -> dict[str, Any]:
    """The input document of the built-in checks."""
    return {
        "objects": [
            object_entry(
                index,
                item.component.name,
                item.component.location.file,
                item.component.location.line,
                item.body,
            )
            for index, item in enumerate(objects)
        ],
        "edges": [{"from": e.dependency, "to": e.dependent, "reason": e.reason} for e in edges],
    }


def object_entry(index: int, component: str, file: str, line: int, body: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of ``input.objects``, with the object's kind, namespace and name precomputed as the
    Rego helpers define them ("", "default" and "" when they are not strings)."""
    metadata = body.get("metadata")
    if not isinstance(metadata, Mapping):
        metadata = {}
    kind, namespace, name = body.get("kind"), metadata.get("namespace"), metadata.get("name")
    return {
        "index": index,
        "component": component,
        "file": file,
        "line": line,
        "object": body,
        "kind": kind if isinstance(kind, str) else "",
        "namespace": namespace if isinstance(namespace, str) else "default",
        "name": name if isinstance(name, str) else "",
    }


def _check_info(package: str, body: Mapping[str, Any]) -> CheckInfo:
    meta = body.get("metadata")
    where = f"{CHECKS_ROOT}.{package}"
    if not isinstance(meta, dict) or not meta.get("id"):
        raise PolicyError(
            f"check {where} has no metadata with an id",
            hint='add metadata := {"id", "title", "severity", "rationale", "remediation"}',
        )
    try:
        severity = Severity.parse(str(meta.get("severity", "")))
    except ValueError as exc:
        raise PolicyError(
            f"check {where} has an unknown severity {meta.get('severity')!r}",
            hint="use critical, high, medium, low or info",
        ) from exc
    return CheckInfo(
        id=str(meta["id"]),
        title=str(meta.get("title", meta["id"])),
        severity=severity,
        rationale=str(meta.get("rationale", "")),
        remediation=str(meta.get("remediation", "")),
        source="builtin",
    )


def _finding(
    info: CheckInfo,
    raw: Any,
    objects: Sequence[RenderedObject],
    located: dict[tuple[int, str | None], Location],
) -> Finding:
    if not isinstance(raw, dict):
        raw = {"msg": str(raw)}
    message = str(raw.get("msg") or info.title)
    path = raw.get("path")
    path = str(path) if path not in (None, "") else None
    index = raw.get("index")
    if isinstance(index, int) and 0 <= index < len(objects):
        item = objects[index]
        where = located.get((index, path))
        if where is None:
            where = located[(index, path)] = item.component.locate(path)
        return Finding(
            id=info.id,
            severity=info.severity,
            message=message,
            component=item.component.name,
            object=item.ref,
            file=where.file,
            line=where.line,
            path=path,
        )
    # A design-wide finding (no object index): point at the design file, so every output has a location.
    design_file = objects[0].component.location.file if objects else None
    return Finding(
        id=info.id,
        severity=info.severity,
        message=message,
        component=None,
        object=None,
        file=design_file,
        line=1 if design_file else None,
        path=path,
    )
