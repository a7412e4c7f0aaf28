"""API failures as Kubernetes ``Status`` bodies, with the reasons and messages real servers use.

Clients branch on ``reason`` and ``details.causes`` (kubectl prints ``message``), so these builders copy
the apiserver's wording. Raised anywhere below server.py, which turns them into HTTP responses.
"""

from __future__ import annotations

from typing import Any

from designer.sandbox.resources import ResourceType


class ApiError(Exception):
    """A request the emulated API server refuses; ``body()`` is the Status object to send."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
        }
        if self.reason:  # a 500 from deep inside the apiserver has none
            status["reason"] = self.reason
        status["code"] = self.code
        if self.details is not None:
            status["details"] = self.details
        return status


def _details(rt: ResourceType, name: str, **extra: Any) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "kind": rt.plural}
    if rt.group:
        details["group"] = rt.group
    details.update(extra)
    return details


def not_found(rt: ResourceType, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{rt.qualified} "{name}" not found', details=_details(rt, name))


def namespace_not_found(namespace: str) -> ApiError:
    return ApiError(
        404,
        "NotFound",
        f'namespaces "{namespace}" not found',
        details={"name": namespace, "kind": "namespaces"},
    )


def no_such_resource() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", details={})


def already_exists(rt: ResourceType, name: str) -> ApiError:
    return ApiError(
        409, "AlreadyExists", f'{rt.qualified} "{name}" already exists', details=_details(rt, name)
    )


def stale(rt: ResourceType, name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {rt.qualified} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        details=_details(rt, name),
    )


def invalid(rt: ResourceType, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """422 Invalid; each cause is (field, reason, message) like ``FieldValueInvalid``. The details name
    the kind (not the resource), and several causes are listed in brackets (apimachinery NewInvalid)."""
    kind = f"{rt.kind}.{rt.group}" if rt.group else rt.kind
    texts = [f"{f}: {m}" if f else m for f, _, m in causes]
    text = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    details: dict[str, Any] = {"name": name} if name else {}
    if rt.group:
        details["group"] = rt.group
    details["kind"] = rt.kind
    details["causes"] = [{"reason": r, "message": m, "field": f} for f, r, m in causes]
    return ApiError(422, "Invalid", f'{kind} "{name}" is invalid: {text}', details=details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def unsupported_media(content_type: str, *, strategic: bool = True) -> ApiError:
    """415: the patch types the resource accepts (strategic merge only for built-in kinds)."""
    accepted = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    if strategic:
        accepted += ", application/strategic-merge-patch+json"
    return ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - accepted media types include: {accepted}",
    )


def method_not_allowed(method: str) -> ApiError:
    return ApiError(
        405,
        "MethodNotAllowed",
        f"the server does not allow this method on the requested resource ({method})",
        details={},
    )


def success(rt: ResourceType, name: str, uid: str) -> dict[str, Any]:
    """The Status a DELETE returns once the object is gone."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": _details(rt, name, uid=uid),
    }
