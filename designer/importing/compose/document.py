"""A Compose file read as Compose reads it: YAML, variables interpolated, checked against the spec.

The file is parsed by designer's safe, position-keeping YAML reader (designer.loading.yamlnodes), so
every error and every warning of the import names a file:line:column. Variables come from the
process environment and the ``.env`` file beside the Compose file (the environment wins), as in
``docker compose``. The interpolated file is then checked against the Compose Specification's JSON
Schema (schemas/tools/compose-spec.json, Compose's own), every independent error reported at once.

Callers: designer.importing.compose.converting.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.errors import DesignError, Location, SchemaError, raise_all
from designer.importing.compose.interpolation import Interpolator, interpolate
from designer.importing.compose.units import duration_seconds
from designer.loading import schema
from designer.loading.yamlnodes import Document, locate_nearest, scan_bytes

SCHEMA = "tools/compose-spec.json"
_PROJECT_INVALID = re.compile(r"[^a-z0-9_-]")


@dataclass(frozen=True)
class ComposeFile:
    """The interpolated Compose model, where it came from, and the variables that were unset."""

    value: dict[str, Any]
    document: Document
    folder: Path | None  # the project folder (relative paths are resolved against it); None for URLs
    project: str
    environment: Mapping[str, str]
    unset: Mapping[str, str] = field(default_factory=dict)  # variable -> key path that used it first

    @property
    def file(self) -> str:
        """The file name as the user gave it."""
        return self.document.file

    def locate(self, path: str) -> Location:
        """Where ``path`` (``services.web.ports[0]``) is written, or its nearest written parent."""
        return locate_nearest(self.document.node, path, self.document.file)


def read_compose(
    raw: bytes,
    file: str,
    *,
    folder: Path | None,
    environ: Mapping[str, str] | None = None,
    project: str | None = None,
) -> ComposeFile:
    """The Compose file in ``raw``; raises every error found (YAML, interpolation, schema) at once."""
    parsed = scan_bytes(raw, file)
    raise_all(parsed.errors)
    if len(parsed.documents) != 1:
        raise DesignError(
            f"a Compose file holds one YAML document; this one holds {len(parsed.documents)}",
            location=parsed.documents[1].location(),
            hint="split the documents into separate Compose files and import each",
        )
    doc = parsed.documents[0]
    if not isinstance(doc.value, dict):
        raise DesignError(
            "a Compose file must be a mapping (services:, volumes:, …)", location=doc.location()
        )
    environment = project_environment(folder, environ)
    interpolator = Interpolator(environment)
    errors: list[DesignError] = []

    def failed(path: str, message: str) -> None:
        errors.append(
            DesignError(
                message,
                location=locate_nearest(doc.node, path, file),
                path=path,
                hint="set the variable in the environment or in .env beside the Compose file",
            )
        )

    value = interpolate(doc.value, interpolator, "", failed)
    raise_all(errors)
    validator = schema.tool_validator(SCHEMA, (("duration", _is_duration),))
    problems: list[SchemaError] = schema.explain(
        validator, value, lambda p: locate_nearest(doc.node, p, file)
    )
    for problem in problems:
        problem.hint = problem.hint or "see the Compose specification (compose-spec.io)"
    raise_all([*problems, *_value_errors(value, lambda p: locate_nearest(doc.node, p, file))])
    name = project or str(value.get("name") or "") or (folder.name if folder else Path(file).stem)
    return ComposeFile(
        value=value,
        document=doc,
        folder=folder,
        project=normalize_project_name(name),
        environment=environment,
        unset=dict(interpolator.unset),
    )


def project_environment(folder: Path | None, environ: Mapping[str, str] | None) -> dict[str, str]:
    """Variables as Compose sees them: ``.env`` in the project folder, overridden by the environment."""
    values: dict[str, str] = {}
    dotenv_file = folder / ".env" if folder is not None else None
    if dotenv_file is not None and dotenv_file.is_file():
        values.update(read_env_file(dotenv_file))
    values.update(os.environ if environ is None else environ)
    return values


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file (``export``, quotes and comments as Compose reads them)."""
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path, interpolate=False).items() if v is not None}


def normalize_project_name(name: str) -> str:
    """Compose's project name rule: lowercase, only letters, digits, '-' and '_'."""
    return _PROJECT_INVALID.sub("", name.lower()).lstrip("-_") or "compose"


_DURATIONS = (
    "healthcheck.interval",
    "healthcheck.timeout",
    "healthcheck.start_period",
    "healthcheck.start_interval",
    "stop_grace_period",
)
_NUMBERS = ("deploy.replicas", "scale", "healthcheck.retries")


def _value_errors(value: dict[str, Any], locate: Callable[[str], Location]) -> list[DesignError]:
    """What the schema leaves to Compose's loader: durations that must parse, counts that must be numbers
    (the schema allows strings there, for values interpolation produced)."""
    errors: list[DesignError] = []
    for name, service in (value.get("services") or {}).items():
        if not isinstance(service, dict):
            continue
        for dotted in (*_DURATIONS, *_NUMBERS):
            head, _, tail = dotted.partition(".")
            found = service.get(head)
            found = found.get(tail) if tail and isinstance(found, dict) else (found if not tail else None)
            if found is None:
                continue
            path = f"services.{name}.{dotted}"
            if dotted in _DURATIONS and duration_seconds(found) is None:
                errors.append(
                    DesignError(
                        f"{found!r} is not a duration",
                        location=locate(path),
                        path=path,
                        hint="write a duration as Compose does: 10s, 1m30s, 500ms",
                    )
                )
            if dotted in _NUMBERS and (isinstance(found, bool) or not isinstance(found, int)):
                errors.append(
                    DesignError(
                        f"{found!r} is not a whole number",
                        location=locate(path),
                        path=path,
                        hint="write a number, e.g. 3",
                    )
                )
    return errors


def _is_duration(value: object) -> bool:
    return not isinstance(value, str) or duration_seconds(value) is not None


def looks_like_compose(raw: bytes, file: str) -> bool:
    """True when ``raw`` parses as one YAML mapping that reads as a Compose file (for ``--from auto``)."""
    from designer.loading.toolinputs import is_compose

    try:
        parsed = scan_bytes(raw, file)
    except DesignError:
        return False
    return len(parsed.documents) == 1 and is_compose(parsed.documents[0].value)
