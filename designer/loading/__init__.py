"""YAML design files → `Design`s: format detection, safe bounded parsing, variables, schema checks.

Callers: the CLI commands and every workflow that starts from files (validate, graph, render, diff,
apply, perf, catalog import). One file gives one Design per native Design document, one Design for
all the Kubernetes manifests it holds, or one per Meshery pattern/design document.

Two ways to read a file. `read_file` (what `design validate` uses) never raises for bad input: it
returns the designs that could be read with every problem of the file beside them (each wrong
document, each object a design cannot hold, each mistake of a design) and the other tools' inputs
it checked as what they are. `load_file` (render, graph, diff, apply, import) wants the file whole:
it raises all those problems at once.

Every design read has its Kubernetes objects' fields checked against their kinds' shapes
(designer.loading.apifields): unknown fields, wrong types, missing required fields. Such problems
are the file's errors, but the design stays readable (`read_file` returns it beside them, so its
objects are still judged by the policies). ``check_fields=False`` skips the check, for commands that
need only the objects' identities (`design delete`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.designfiles import YAML_SUFFIXES as YAML_SUFFIXES
from designer.designfiles import expand_paths as expand_paths
from designer.errors import (
    NOT_AN_OBJECT,
    DesignerError,
    DesignError,
    Location,
    UncheckedObjectError,
    raise_all,
)
from designer.gcpause import paused_gc
from designer.loading import apifields, kubernetes, meshery, meshery_design, native, toolinputs
from designer.loading.yamlnodes import Document, Parsed, scan_bytes, scan_file
from designer.model import DESIGNER_API_VERSION, Design, ToolInput


@dataclass
class FileReading:
    """What one file holds: the designs read, every problem found, the tool inputs checked."""

    file: str
    designs: list[Design] = field(default_factory=list)
    errors: list[DesignerError] = field(default_factory=list)
    tool_inputs: list[ToolInput] = field(default_factory=list)

    def strict(self) -> list[Design]:
        """The designs, when the file is whole; else every problem raised at once."""
        problems = list(self.errors)
        for tool_input in self.tool_inputs:
            problems.append(
                UncheckedObjectError(
                    f"{tool_input.kind} is {tool_input.tool}'s input, not a design: "
                    "`design validate` checks it, nothing else reads it",
                    check_id=NOT_AN_OBJECT,
                    location=tool_input.location,
                    hint=f"pass what {tool_input.tool} produces, or keep the file out of PATH",
                )
            )
        raise_all(problems)
        return self.designs


def load_paths(
    paths: Sequence[str | Path], variables: Mapping[str, str] | None = None, *, check_fields: bool = True
) -> list[Design]:
    """Every design in ``paths`` (files, or folders searched recursively for *.yaml / *.yml)."""
    designs: list[Design] = []
    for file in expand_paths(paths):
        designs.extend(load_file(file, variables, check_fields=check_fields))
    return designs


def load_file(
    path: str | Path, variables: Mapping[str, str] | None = None, *, check_fields: bool = True
) -> list[Design]:
    """The designs in one file; every problem of the file raised at once."""
    return read_file(path, variables, check_fields=check_fields).strict()


def read_file(
    path: str | Path, variables: Mapping[str, str] | None = None, *, check_fields: bool = True
) -> FileReading:
    """Everything one file holds, its problems included (never raises for bad input)."""
    path = Path(path)
    template = toolinputs.chart_template(str(path))
    if template is not None:
        return FileReading(str(path), errors=[_not_checked(template, Location.whole(str(path)))])
    with paused_gc():
        try:
            parsed = scan_file(path, str(path))
        except DesignError as exc:
            return FileReading(str(path), errors=[exc])
        return read_parsed(
            parsed, str(path), path.stem, variables, folder=path.parent, check_fields=check_fields
        )


def load_text(
    text: str | bytes,
    name: str = "<text>",
    variables: Mapping[str, str] | None = None,
    *,
    check_fields: bool = True,
) -> list[Design]:
    """The designs in YAML text (tests, stdin, URLs); every problem raised at once."""
    raw = text.encode() if isinstance(text, str) else text
    return read_parsed(
        scan_bytes(raw, name), name, Path(name).stem, variables, folder=None, check_fields=check_fields
    ).strict()


def read_parsed(
    parsed: Parsed,
    file: str,
    default_name: str,
    variables: Mapping[str, str] | None = None,
    *,
    folder: Path | None,
    check_fields: bool = True,
) -> FileReading:
    """Designs from parsed documents; Kubernetes manifests of one file form one design."""
    overrides = dict(variables or {})
    reading = FileReading(file, errors=list(parsed.errors))
    manifests: list[Document] = []
    for doc in parsed.documents:
        try:
            _dispatch(doc, overrides, folder, reading, manifests, check_fields=check_fields)
        except DesignError as exc:
            reading.errors.extend(exc.each())
    if manifests:
        design, problems = kubernetes.read(manifests, default_name, check_fields=check_fields)
        reading.errors.extend(problems)
        if design is not None:
            reading.designs.append(design)
    if check_fields:
        for design in reading.designs:
            reading.errors.extend(apifields.design_errors(design))
    return reading


def _dispatch(
    doc: Document,
    overrides: dict[str, str],
    folder: Path | None,
    reading: FileReading,
    manifests: list[Document],
    *,
    check_fields: bool,
) -> None:
    value = doc.value
    if native.is_native(value):
        reading.designs.append(native.read(doc, overrides, check_fields=check_fields))
    elif meshery_design.is_v1beta1(value):
        reading.designs.append(meshery_design.read_v1beta1(doc))
    elif meshery.is_pattern(value):
        reading.designs.append(meshery.read_pattern(doc))
    elif (tool := toolinputs.recognise(doc)) is not None:
        checked, errors = toolinputs.check(doc, tool, folder)
        reading.tool_inputs.append(checked)
        reading.errors.extend(errors)
    elif isinstance(value, dict) and str(value.get("apiVersion", "")).startswith("designer/"):
        raise DesignError(
            f"unknown designer apiVersion or kind: {value.get('apiVersion')!r} {value.get('kind')!r}",
            location=doc.location(),
            hint=f"a design starts with `apiVersion: {DESIGNER_API_VERSION}` and `kind: Design`",
        )
    elif kubernetes.is_manifest(value):
        manifests.append(doc)
    else:
        raise _unrecognised(doc, value)


def _not_checked(what: toolinputs.Foreign, location: Location) -> UncheckedObjectError:
    return UncheckedObjectError(
        f"not a design or a Kubernetes object: {what.what}; not checked",
        check_id=NOT_AN_OBJECT,
        location=location,
        hint=what.hint,
    )


def _unrecognised(doc: Document, value: Any) -> UncheckedObjectError:
    known = toolinputs.foreign(doc.file, value)
    if known is not None:
        return _not_checked(known, doc.location())
    if not isinstance(value, dict):
        message = f"document is a {type(value).__name__}, not a mapping: not a design; not checked"
    else:
        keys: Iterable[str] = list(value)[:5]
        message = f"unrecognised document (top-level keys: {', '.join(map(str, keys))}); not checked"
    return UncheckedObjectError(
        message,
        check_id=NOT_AN_OBJECT,
        location=doc.location(),
        hint="a design starts with `apiVersion: designer/v1` and `kind: Design`; "
        "Kubernetes manifests need apiVersion and kind; Meshery patterns have `services:`",
    )
