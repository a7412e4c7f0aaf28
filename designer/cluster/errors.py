"""Kubernetes API failures as designer errors, and the parsing of Status bodies.

`designer.cluster.kube` turns every ``ApiException`` (and connection failure) into one of these
through `from_status`; callers branch on the class or on ``status``/``reason``, never on message
text. All are `designer.errors.ClusterError`, so the CLI funnel prints them with their hint.

    ClusterError                    (designer.errors)
    ├── UnreachableError            connection refused, timeouts, 5xx/429 after the retries;
    │   │                           ``outcome_unknown`` when a write may have happened anyway
    │   └── TlsError                the TLS handshake failed (untrusted or misnamed certificate)
    └── ApiError                    the server answered with a Status
        ├── NotFoundError           404: ``missing`` = "object" | "namespace" | "kind"
        ├── ConflictError           409: ownership ``conflicts``, or ``stale`` resourceVersion
        ├── InvalidError            422: ``fields``; ``immutable`` when a field may not change
        ├── ForbiddenError          403 (RBAC): ``refusal`` names user, verb, resource, namespace
        └── DryRunUnsupportedError  a webhook cannot take dryRun=All requests
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from designer.cluster import access
from designer.errors import ClusterError


@dataclass(frozen=True, slots=True)
class Cause:
    """One entry of a Status's ``details.causes``."""

    type: str
    message: str
    field: str


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """A server-side-apply conflict: ``field`` (structured-merge-diff path) owned by ``manager``."""

    field: str
    manager: str


class UnreachableError(ClusterError):
    """The API server could not be reached or kept failing (after retries).

    ``outcome_unknown`` is True when a write may have been carried out all the same (an answer was
    lost, or the server failed with a 5xx): the caller must re-read the object instead of taking
    the write as "not done" (`designer.cluster.retrying`).
    """

    outcome_unknown: bool = False


class ApiError(ClusterError):
    """The API server refused a request; ``details`` holds the parsed causes."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        status: int | None = None,
        reason: str | None = None,
        details: tuple[Cause, ...] = (),
    ) -> None:
        super().__init__(
            message,
            hint=hint,
            status=status,
            reason=reason,
            causes=tuple(_cause_text(c) for c in details),
        )
        self.details = details


class NotFoundError(ApiError):
    """404: the object, its namespace or its kind does not exist."""

    def __init__(self, message: str, *, missing: str, hint: str | None = None, **kw: Any) -> None:
        super().__init__(message, hint=hint, status=404, reason="NotFound", **kw)
        self.missing = missing


class ConflictError(ApiError):
    """409: fields owned by another manager (``conflicts``), or a stale resourceVersion."""

    def __init__(self, message: str, *, conflicts: tuple[FieldConflict, ...], **kw: Any) -> None:
        super().__init__(message, status=409, reason="Conflict", **kw)
        self.conflicts = conflicts

    @property
    def stale(self) -> bool:
        """True for the optimistic-concurrency conflict (object modified meanwhile)."""
        return not self.conflicts


class InvalidError(ApiError):
    """422: the object breaks validation; ``immutable`` when an immutable field would change."""

    def __init__(self, message: str, *, immutable: bool, **kw: Any) -> None:
        super().__init__(message, status=422, reason="Invalid", **kw)
        self.immutable = immutable

    @property
    def fields(self) -> tuple[str, ...]:
        """The invalid fields named by the server."""
        return tuple(c.field for c in self.details if c.field)


class ForbiddenError(ApiError):
    """403: the credentials may not do this; ``refusal`` is the server's sentence read back into
    user, verb, resource and namespace (None when the message is not kube-apiserver's RBAC one)."""

    def __init__(self, message: str, *, refusal: access.Refusal | None = None, **kw: Any) -> None:
        super().__init__(message, status=403, **kw)
        self.refusal = refusal


class TlsError(UnreachableError):
    """The TLS handshake failed: the server's certificate is not trusted, or names another host."""


class DryRunUnsupportedError(ApiError):
    """An admission webhook without ``sideEffects: None`` refused a dry-run request."""


_MANAGER = re.compile(r'conflicts? with "([^"]+)"')
_TYPING_FAILURES = ("failed to create typed patch object", "failed to convert new object")
_IMMUTABLE = "field is immutable"
_UNDECLARED = "field not declared in schema"  # server-side apply of a field the kind does not have
_UNDECLARED_HINT = (
    "the object has a field its kind does not have (misspelt, or of another API version); `design "
    "validate` names each one at file:line: fix it in the design (a custom resource's field may need "
    "its CRD updated first)"
)
_WRONG_TYPE_HINT = (
    "a field of the design has a value of the wrong type (a number or true/false where Kubernetes "
    "wants a string: quote it; a string where it wants a number, or data that is not base64): fix it "
    "in the design"
)


def parse_causes(status_body: Mapping[str, Any]) -> tuple[Cause, ...]:
    """``details.causes`` of a Status body as `Cause` values (empty when absent)."""
    details = status_body.get("details") or {}
    causes = details.get("causes") or [] if isinstance(details, Mapping) else []
    parsed: list[Cause] = []
    for cause in causes:
        if isinstance(cause, Mapping):
            parsed.append(
                Cause(
                    type=str(cause.get("reason") or cause.get("type") or ""),
                    message=str(cause.get("message") or ""),
                    field=str(cause.get("field") or ""),
                )
            )
    return tuple(parsed)


def from_status(
    status: int,
    body: Mapping[str, Any] | None,
    *,
    action: str,
    target: str,
    dry_run: bool = False,
    caller: access.Caller | None = None,
) -> ClusterError:
    """The designer error for an HTTP error answer.

    Args:
        status: the HTTP status code.
        body: the decoded Status body, if the server sent one.
        action: what designer tried, e.g. "apply", "get", "list".
        target: what it tried it on, e.g. "Deployment/shop/web".
        dry_run: whether the request carried dryRun=All (for dry-run refusals).
        caller: who sent it (context, credential, command), for the hints of 401 and 403.
    """
    body = body or {}
    message = str(body.get("message") or f"HTTP {status}")
    reason = str(body.get("reason") or "") or None
    details = parse_causes(body)
    text = f"{action} {target}: {message}"
    if dry_run and _is_dry_run_refusal(status, message):
        return DryRunUnsupportedError(
            text,
            hint="a webhook does not support dry run; diff falls back to a local comparison",
            status=status,
            reason=reason,
            details=details,
        )
    if status == 404:
        missing = "namespace" if _mentions_namespace(message, target) else "object"
        return NotFoundError(text, missing=missing, details=details, hint=_NOT_FOUND_HINT[missing])
    if status == 409:
        conflicts = tuple(
            FieldConflict(field=c.field, manager=_manager_of(c.message))
            for c in details
            if c.type == "FieldManagerConflict"
        )
        hint = (
            "another field manager owns these fields; re-run with --force-conflicts to take them"
            if conflicts
            else "the object changed meanwhile; run the command again"
        )
        return ConflictError(text, conflicts=conflicts, details=details, hint=hint)
    if status == 422:
        immutable = _IMMUTABLE in message or any(_IMMUTABLE in c.message for c in details)
        hint = (
            "an immutable field changed: the object must be replaced (deleted and created)"
            if immutable
            else "fix the fields the server names in the design"
        )
        return InvalidError(text, immutable=immutable, details=details, hint=hint)
    if status == 403:
        refusal = access.Refusal.parse(message)
        return ForbiddenError(
            text,
            hint=access.forbidden_hint(refusal, caller)
            if refusal is not None
            else "the kubeconfig user lacks RBAC permission for this; check `kubectl auth can-i`",
            refusal=refusal,
            reason=reason or "Forbidden",
            details=details,
        )
    if status == 401:
        who = ""
        if caller is not None and caller.credential:
            who = f" ({caller.credential} of context {caller.context})"
        return ApiError(
            text,
            hint=f"the server did not accept the credentials{who}: expired, revoked or meant for another "
            "cluster; log in again (refresh the kubeconfig's token, certificate or plugin login)",
            status=401,
            reason=reason or "Unauthorized",
            details=details,
        )
    if status >= 500 and message.startswith(_TYPING_FAILURES):
        # kube-apiserver answers a server-side apply whose values have the wrong type with a 500
        # (kubernetes/kubernetes#139253): the request, not the server, is wrong; retrying cannot help
        return ApiError(
            text,
            hint=_UNDECLARED_HINT if _UNDECLARED in message else _WRONG_TYPE_HINT,
            status=status,
            reason=reason or "BadRequest",
            details=details,
        )
    if status == 429 or status >= 500:
        return UnreachableError(
            text,
            hint="the API server is overloaded or failing; try again later",
            status=status,
            reason=reason,
            causes=tuple(_cause_text(c) for c in details),
        )
    return ApiError(text, status=status, reason=reason, details=details)


def tls_failure(request: str, detail: str) -> TlsError:
    """The error for a failed TLS handshake (never retried: the certificates do not change meanwhile)."""
    lowered = detail.lower()
    if "hostname mismatch" in lowered or "doesn't match" in lowered or "not valid for" in lowered:
        hint = (
            "the server's certificate is for another name: use the address it was issued for, "
            "or set tls-server-name in the kubeconfig's cluster section"
        )
    elif "certificate verify failed" in lowered:
        hint = (
            "the server's certificate is not signed by the kubeconfig's certificate-authority(-data): "
            "add the cluster's CA there (insecure-skip-tls-verify: true turns the check off, which is unsafe)"
        )
    else:
        hint = (
            "check the kubeconfig's server address and TLS settings (certificate-authority, tls-server-name)"
        )
    return TlsError(f"TLS handshake with the Kubernetes API failed ({request}): {detail}", hint=hint)


def unreachable(target: str, exc: BaseException) -> UnreachableError:
    """The error for a connection that failed before any HTTP answer."""
    return UnreachableError(
        f"cannot reach the Kubernetes API for {target}: {exc}",
        hint="check the kubeconfig server address, the context (--context) and the network",
    )


_NOT_FOUND_HINT = {
    "namespace": "create the namespace first (add a Namespace component to the design)",
    "object": "the object does not exist (anymore)",
    "kind": "install the CRD that defines this kind, or check apiVersion and kind",
}


def _is_dry_run_refusal(status: int, message: str) -> bool:
    lowered = message.lower()
    # A 403 on a dry run is reported as ForbiddenError: diff treats both as "cannot dry-run".
    return status != 403 and ("dry run" in lowered or "dryrun" in lowered or "dry-run" in lowered)


def _mentions_namespace(message: str, target: str) -> bool:
    # The server says `namespaces "shop" not found` when the namespace, not the object, is missing.
    return message.startswith('namespaces "') and not target.startswith("Namespace/")


def _manager_of(message: str) -> str:
    found = _MANAGER.search(message)
    return found.group(1) if found else message


def _cause_text(cause: Cause) -> str:
    return f"{cause.field}: {cause.message}" if cause.field else cause.message
