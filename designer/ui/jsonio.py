"""How the API writes JSON: answers, errors (message, file:line, key path, hint) and refusals.

Every error body has one shape, ``{"error": {"message", "hint", ...}}``, whatever refused the
request (a handler, the security middleware, a missing route). Callers: every designer.ui API module.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from designer.errors import DesignerError
from designer.jsontext import compact
from designer.ui.workspace import Workspace


def json_response(value: Any, *, status: int = 200) -> web.Response:
    """``value`` as a JSON answer (orjson, with designer's fallback for odd integers)."""
    return web.Response(text=compact(value), status=status, content_type="application/json")


def error_body(message: str, hint: str | None = None, **extra: Any) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"error": {"message": message, "hint": hint, **extra}}


def refusal(status: int, message: str, hint: str | None = None, **extra: Any) -> web.Response:
    """An error answer with ``status``."""
    return json_response(error_body(message, hint, **extra), status=status)


def not_found(message: str) -> web.HTTPNotFound:
    """A 404 to raise, with the API's error body."""
    return web.HTTPNotFound(text=compact(error_body(message)), content_type="application/json")


def bad_request(message: str, hint: str | None = None) -> web.HTTPBadRequest:
    """A 400 to raise, with the API's error body."""
    return web.HTTPBadRequest(text=compact(error_body(message, hint)), content_type="application/json")


def flag(request: web.Request, name: str, *, default: bool) -> bool:
    """A ``true``/``false`` query parameter; anything else is a 400."""
    value = request.query.get(name)
    if value is None:
        return default
    if value not in ("true", "false"):
        raise bad_request(f"{name} must be true or false")
    return value == "true"


def error_json(error: DesignerError, workspace: Workspace) -> dict[str, Any]:
    """An engine error for the browser: file as the user gave it, line, key path, hint."""
    from designer.ui.analysis import shown_path

    location = error.location
    placed = location is not None and not location.is_whole_file
    return {
        "message": error.message,
        "file": shown_path(location.file, workspace) if location else None,
        "line": location.line if location and placed else None,
        "path": error.path,
        "hint": error.hint,
    }
