"""The built-in check library (policies/) evaluated over many designs in one regorus evaluation.

Contract with the Rego library: one package per check, ``designer.checks.<name>``, each with
``metadata := {"id", "title", "severity", "rationale", "remediation"}`` and
``findings contains {"index": i, "msg": …, "path": …}``. The input holds whole designs:
``{"objects": [{"index", "design", "component", "file", "line", "object", "kind", "namespace", "name"}],
"edges": [{"design", "from", "to", "reason"}]}`` (kind, namespace and name are precomputed: see
policies/lib/k8s.rego), so cross-object checks (a Service selecting nothing, a missing ConfigMap) see
every object of the design and its graph.

Why many designs at once: one evaluation of the library costs about 2-3 ms whatever it holds (each
check's rules run), which dominated `design validate` on repositories of small files. So the objects of
many designs go into one input, each entry carrying its design's id (``"0"``, ``"1"``…), and the
shipped library keys every cross-object index by that id (policies/lib/k8s.rego), so a design never
sees another's objects. Rego that designer did not ship (other check roots, adapters' files outside
policies/) may relate objects without that key: with any such module, each design is evaluated alone.
``data.designer.checks`` is evaluated once per batch; each finding goes back to its design by its
object index (a design-wide finding names its ``design``), then to its component and to the line of
its key path (`Component.locate`).

Callers: designer.policy.evaluator (validate) and designer.cli.policy (``policy list``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeAlias

from designer.errors import Location, PolicyError
from designer.jsontext import compact
from designer.model import Edge, ObjectRef, RenderedObject
from designer.policy.engine import RegoModule, new_engine
from designer.policy.findings import CheckInfo, Finding, Severity
from designer.policy.library import library_files
from designer.policy.package_split import evaluate_groups, package_groups
from designer.resources import policies_dir

CHECKS_ROOT = "data.designer.checks"

DesignObjects: TypeAlias = tuple[Sequence[RenderedObject], Sequence[Edge]]
"""One design as the checks see it: its rendered objects and the edges of its graph."""


class BuiltinChecks:
    """The compiled library: one engine, prepared on first use and reused for every design (one thread)."""

    def __init__(self, roots: Sequence[Path] | None = None, extra_files: Sequence[Path] = ()) -> None:
        self.roots = list(roots) if roots is not None else [policies_dir()]
        self._engine = new_engine()
        shipped = policies_dir().resolve()
        files = library_files(self.roots, extra_files)
        for path, display in files:
            self._engine.add_module(RegoModule.from_file(path, display=display))
        self._engine.prepare()  # a broken library fails here, and forked workers inherit a ready engine
        # Only the shipped library keys its cross-object indexes by design (see the module docstring).
        self.batches = all(path.is_relative_to(shipped) for path, _ in files)
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
        """Every finding of every check over one design (waivers are applied later)."""
        return self.evaluate_many([(objects, edges)])[0]

    def evaluate_many(self, designs: Sequence[DesignObjects], *, jobs: int = 1) -> list[list[Finding]]:
        """The findings of each design, in the order of ``designs``: one evaluation for all of them
        when the library allows it (`batches`), else one per design. ``jobs`` > 1 lets a large
        evaluation share its check packages out over that many processes (`package_split`)."""
        if not designs:
            return []
        if not self.batches and len(designs) > 1:
            return [found for design in designs for found in self.evaluate_many([design], jobs=jobs)]
        self._set_input(designs_input(designs))
        owners = [(d, i) for d, (objects, _) in enumerate(designs) for i in range(len(objects))]
        groups = package_groups(self._check_packages(), len(owners), jobs if self._engine.in_process else 1)
        if len(groups) > 1:
            by_package = evaluate_groups(groups, lambda group: self._package_findings(designs, owners, group))
        else:
            by_package = self._package_findings(designs, owners, None)
        findings: list[list[Finding]] = [[] for _ in designs]
        catalog: dict[str, CheckInfo] = {}
        for name in sorted(by_package):  # the order of a single evaluation, however it was split
            info, per_design = by_package[name]
            catalog[info.id] = info
            for design, found in enumerate(per_design):
                findings[design].extend(found)
        if self._catalog is None:
            # The metadata do not depend on the input: this evaluation gives the catalog too, which
            # spares `catalog()` (asked for by every report) an evaluation of its own.
            self._catalog = catalog
        return findings

    def _check_packages(self) -> list[str]:
        """The names under `CHECKS_ROOT` of the compiled packages (``cpu_limit``), sorted."""
        prefix = f"{CHECKS_ROOT}."
        return sorted({p[len(prefix) :].split(".")[0] for p in self._engine.packages if p.startswith(prefix)})

    def _package_findings(
        self,
        designs: Sequence[DesignObjects],
        owners: Sequence[tuple[int, int]],
        group: Sequence[str] | None,
    ) -> dict[str, tuple[CheckInfo, list[list[Finding]]]]:
        """Each package's check and its findings per design, for the packages of ``group`` (None:
        all), over the input already set."""
        packages = self._query(group)
        located: dict[tuple[int, str | None], Location] = {}  # several checks often flag one key
        refs: dict[int, ObjectRef] = {}  # one per object: built once, and pickled once by a child
        by_package: dict[str, tuple[CheckInfo, list[list[Finding]]]] = {}
        for name, body in packages.items():
            info = _check_info(name, body)
            per_design: list[list[Finding]] = [[] for _ in designs]
            for raw in body.get("findings") or []:
                design, finding = _finding(info, raw, designs, owners, located, refs)
                per_design[design].append(finding)
            by_package[name] = (info, per_design)
        return by_package

    def _evaluate(self, document: Mapping[str, Any]) -> dict[str, Any]:
        self._set_input(document)
        return self._query(None)

    def _set_input(self, document: Mapping[str, Any]) -> None:
        """Make ``document`` the input of the next queries (one call per evaluation of the library)."""
        # The base engine itself is reused: set_input replaces the whole input and nothing else changes,
        # while a clone would pay regorus's preparation again (~10 ms) on its first evaluation.
        self._engine.set_input_json(compact(document))

    def _query(self, group: Sequence[str] | None) -> dict[str, Any]:
        """The values of the packages of ``group`` (None: every package under `CHECKS_ROOT`)."""
        if group is not None:
            # One object of the group's packages: the lib's helpers are computed once for all of them
            # (a comprehension over package names would evaluate every package, in regorus).
            fields = ", ".join(f"{json.dumps(name)}: {CHECKS_ROOT}[{json.dumps(name)}]" for name in group)
            values = self._engine.eval_query(f"{{{fields}}}")
            if values and isinstance(values[0], dict) and len(values[0]) == len(group):
                return values[0]
            # A package without values (helpers only) leaves that object undefined: take the group's
            # packages from the whole tree instead, which reports such a package as it always does.
            whole = self._query(None)
            return {name: whole[name] for name in group if name in whole}
        values = self._engine.eval_query(CHECKS_ROOT)
        if not values:
            return {}
        result = values[0]
        if not isinstance(result, dict):
            raise PolicyError(f"{CHECKS_ROOT} is not a package tree", hint="check the policies/ library")
        return result


def design_input(objects: Sequence[RenderedObject], edges: Sequence[Edge]) -> dict[str, Any]:
    """The input document of the built-in checks for one design."""
    return designs_input([(objects, edges)])


def designs_input(designs: Sequence[DesignObjects]) -> dict[str, Any]:
    """The input document of the built-in checks for several designs: design ``d``'s entries carry
    the id ``str(d)``, and object indexes run on from one design to the next."""
    entries: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for number, (objects, design_edges) in enumerate(designs):
        design = str(number)
        for item in objects:
            component = item.component
            where = component.location
            entries.append(
                object_entry(len(entries), component.name, where.file, where.line, item.body, design)
            )
        edges.extend(
            {"design": design, "from": e.dependency, "to": e.dependent, "reason": e.reason}
            for e in design_edges
        )
    return {"objects": entries, "edges": edges}


def object_entry(
    index: int, component: str, file: str, line: int, body: Mapping[str, Any], design: str = "0"
) -> dict[str, Any]:
    """One entry of ``input.objects``, with the object's kind, namespace and name precomputed as the
    Rego helpers define them ("", "default" and "" when they are not strings)."""
    metadata = body.get("metadata")
    if not isinstance(metadata, Mapping):
        metadata = {}
    kind, namespace, name = body.get("kind"), metadata.get("namespace"), metadata.get("name")
    return {
        "index": index,
        "design": design,
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
    designs: Sequence[DesignObjects],
    owners: Sequence[tuple[int, int]],
    located: dict[tuple[int, str | None], Location],
    refs: dict[int, ObjectRef],
) -> tuple[int, Finding]:
    """The design a raw finding belongs to (its number in ``designs``) and the finding; ``owners``
    maps each object index of the input to its design and its place there (``located`` and ``refs``
    remember what earlier findings looked up)."""
    if not isinstance(raw, dict):
        raw = {"msg": str(raw)}
    message = str(raw.get("msg") or info.title)
    path = raw.get("path")
    path = str(path) if path not in (None, "") else None
    index = raw.get("index")
    if isinstance(index, int) and 0 <= index < len(owners):
        design, place = owners[index]
        item = designs[design][0][place]
        where = located.get((index, path))
        if where is None:
            where = located[(index, path)] = item.component.locate(path)
        ref = refs.get(index)
        if ref is None:
            ref = refs[index] = item.ref
        return design, Finding(
            id=info.id,
            severity=info.severity,
            message=message,
            component=item.component.name,
            object=ref,
            file=where.file,
            line=where.line,
            path=path,
        )
    # A design-wide finding (no object index): point at the design file, so every output has a location.
    design = _design_of(info, raw, len(designs))
    objects = designs[design][0]
    design_file = objects[0].component.location.file if objects else None
    return design, Finding(
        id=info.id,
        severity=info.severity,
        message=message,
        component=None,
        object=None,
        file=design_file,
        line=1 if design_file else None,
        path=path,
    )


def _design_of(info: CheckInfo, raw: Mapping[str, Any], designs: int) -> int:
    """The design of a finding without an object index: its ``design`` id, or the only design."""
    named = raw.get("design")
    if designs == 1 and named in (None, "0"):
        return 0
    if isinstance(named, str) and named.isdigit() and int(named) < designs:
        return int(named)
    raise PolicyError(
        f"check {info.id} reported a finding with neither an object index nor a design: {raw!r}",
        hint='a design-wide finding must say which design it is about: add "design": <the entries\' design>',
    )
