"""A request's options (dryRun, fieldValidation, propagationPolicy, force, fieldManager): checked as
the apiserver checks its CreateOptions, UpdateOptions, PatchOptions and DeleteOptions (422 naming the
option), and the request's warnings, sent back as ``Warning`` headers.

server.py opens `handling` for each request; the write path reads `current()` (field validation mode)
and adds warnings to it. Writes made outside a request (the emulator's controllers) see None.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from designer.sandbox.status import ApiError

WARN, STRICT, IGNORE = "Warn", "Strict", "Ignore"
_FIELD_VALIDATION = ("", IGNORE, STRICT, WARN)
_PROPAGATION = ("Foreground", "Background", "Orphan")
OPTIONS_KIND = {
    "POST": "CreateOptions",
    "PUT": "UpdateOptions",
    "PATCH": "PatchOptions",
    "DELETE": "DeleteOptions",
}


@dataclass
class RequestOptions:
    """The request's field validation mode and the warnings its handling produced."""

    field_validation: str = WARN
    warnings: list[str] = field(default_factory=list)


_CURRENT: ContextVar[RequestOptions | None] = ContextVar("sandbox_request_options", default=None)


@contextmanager
def handling(options: RequestOptions) -> Iterator[RequestOptions]:
    """Make ``options`` the current request's while its handler runs."""
    token = _CURRENT.set(options)
    try:
        yield options
    finally:
        _CURRENT.reset(token)


def current() -> RequestOptions | None:
    return _CURRENT.get()


def invalid_option(method: str, option: str, reason: str, message: str) -> ApiError:
    """The 422 for a bad option: ``PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: ...``."""
    kind = OPTIONS_KIND.get(method, "CreateOptions")
    return ApiError(
        422,
        "Invalid",
        f'{kind}.meta.k8s.io "" is invalid: {option}: {message}',
        details={
            "group": "meta.k8s.io",
            "kind": kind,
            "causes": [{"reason": reason, "message": message, "field": option}],
        },
    )


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def field_validation(method: str, values: list[str]) -> str:
    """The fieldValidation mode (Warn when not given); an unknown one is a 422."""
    value = values[-1] if values else ""
    if value not in _FIELD_VALIDATION:
        raise invalid_option(
            method,
            "fieldValidation",
            "FieldValueNotSupported",
            f'Unsupported value: "{value}": supported values: {_quoted(_FIELD_VALIDATION)}',
        )
    return value or WARN


def dry_run(method: str, values: list[str]) -> bool:
    """Whether ``dryRun=All`` was given; any other value is a 422."""
    if any(v != "All" for v in values):
        shown = "[" + ",".join(f'"{v}"' for v in values) + "]"
        raise invalid_option(
            method, "dryRun", "FieldValueNotSupported", f'Unsupported value: {shown}: supported values: "All"'
        )
    return bool(values)


def propagation(value: str | None) -> str | None:
    """A DELETE's propagationPolicy (None when not given); an unknown one is a 422."""
    if value is None or value in _PROPAGATION:
        return value
    raise invalid_option(
        "DELETE",
        "propagationPolicy",
        "FieldValueNotSupported",
        f'Unsupported value: "{value}": supported values: {_quoted(_PROPAGATION)}, "nil"',
    )


def warning_header(text: str) -> str:
    """A Warning header value: code 299, agent "-", the text quoted (RFC 7234, as the apiserver sends)."""
    return '299 - "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
