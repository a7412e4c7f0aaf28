"""The one place Kubernetes API calls are retried and their exceptions translated.

`Retrier.call` runs one client call: throttling (429), server errors (5xx), timeouts and dropped
connections are retried with exponential backoff (honouring Retry-After, capped at 5 s); every other
API error becomes a typed `designer.cluster.errors` error via `translate`. Used by
`designer.cluster.kube.KubeCluster` for every request it sends (and by its discovery). It is the only
retry layer: the client's own urllib3 retries are off (`designer.cluster.kubeconfig`), so what was
tried, and how often, is decided and counted here.

A 401 is retried once after the credential was renewed (an exec plugin run again, a token file
read again: `designer.cluster.credentials`), as client-go does when a token was revoked or expired early.

When a write finally fails, the error says whether the server may have done it anyway
(``UnreachableError.outcome_unknown``): an attempt whose answer was lost (connection dropped after
the request was sent, a read timeout) or that failed with a 5xx may have been carried out. Only a
429 and a connection that was never made are known not to have reached the server.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import urllib3
from kubernetes.client.exceptions import ApiException

from designer.cluster import access, errors
from designer.errors import ClusterError

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_DELAY = 5.0


class Retrier:
    """Retry policy: ``retries`` extra attempts, first delay ``backoff`` s, doubling."""

    def __init__(
        self,
        *,
        retries: int,
        backoff: float,
        sleep: Callable[[float], None] = time.sleep,
        renew: Callable[[], bool] | None = None,
        caller: access.Caller | None = None,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._renew = renew
        """After a 401: get a fresh credential (exec plugin, token file); True when worth a retry."""
        self.caller = caller
        """Who sends the requests (context, credential, command): the 401 and 403 hints name it."""

    def call(self, fn: Callable[[], T], action: str, target: str, *, dry_run: bool = False) -> T:
        """``fn()``, retried when worth it; raises a `ClusterError` subclass when it fails.

        Args:
            fn: the client call.
            action: what it does, for messages ("get", "apply", "dry-run apply", …).
            target: what it acts on, for messages ("Deployment/shop/web").
            dry_run: whether the request carries dryRun=All (dry-run refusals are told apart).
        """
        attempt = 0
        unknown = False  # some attempt may have been carried out although it failed
        renewed = False
        while True:
            try:
                return fn()
            except ApiException as exc:
                if exc.status == 401 and not renewed and self._renew is not None and self._renew():
                    renewed = True  # a 401 is refused before anything is done: safe to send again
                    continue
                error = translate(exc, action, target, dry_run=dry_run, caller=self.caller)
                # 429 and 5xx, not a refusal; a failed TLS handshake fails the same way every time
                transient = isinstance(error, errors.UnreachableError) and not isinstance(
                    error, errors.TlsError
                )
                unknown = unknown or (transient and (exc.status or 0) >= 500)
                if not transient or attempt >= self.retries:
                    if isinstance(error, errors.UnreachableError):
                        error.outcome_unknown = unknown
                    raise error from exc
                delay = retry_after(exc) or self.delay(attempt)
            except urllib3.exceptions.HTTPError as exc:
                unknown = unknown or not never_sent(exc)
                if attempt >= self.retries:
                    failed = errors.unreachable(target, exc)
                    failed.outcome_unknown = unknown
                    raise failed from exc
                delay = self.delay(attempt)
            log.info("retrying %s %s in %.2fs (attempt %d)", action, target, delay, attempt + 2)
            self._sleep(delay)
            attempt += 1

    def pause(self, attempt: int) -> None:
        """Sleep the backoff before retry number ``attempt + 1`` (for callers' own retry loops)."""
        self._sleep(self.delay(attempt))

    def delay(self, attempt: int) -> float:
        """The backoff before retry number ``attempt + 1``."""
        return float(min(self.backoff * (2**attempt), MAX_DELAY))


def never_sent(exc: BaseException) -> bool:
    """True when the request surely did not reach the server (no connection was made)."""
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    return isinstance(exc, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)


def translate(
    exc: ApiException, action: str, target: str, *, dry_run: bool, caller: access.Caller | None = None
) -> ClusterError:
    """The designer error for a client ``ApiException`` (its Status body parsed when present)."""
    body: dict[str, Any] | None = None
    raw = getattr(exc, "body", None)
    if raw:
        try:
            decoded = json.loads(raw)
        except (ValueError, TypeError):
            decoded = {"message": raw.decode() if isinstance(raw, bytes) else str(raw)}
        body = decoded if isinstance(decoded, dict) else None
    if body is None:
        reason = str(exc.reason or "")
        if not exc.status and reason.startswith("SSLError"):  # the client's wrapping of urllib3's SSLError
            return errors.tls_failure(f"{action} {target}", reason.removeprefix("SSLError").strip())
        body = {"message": reason or f"HTTP {exc.status}"}
    return errors.from_status(
        int(exc.status or 0), body, action=action, target=target, dry_run=dry_run, caller=caller
    )


def retry_after(exc: ApiException) -> float | None:
    """The server's Retry-After in seconds (capped), if it sent one."""
    headers = getattr(exc, "headers", None) or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return min(float(value), MAX_DELAY) if value else None
    except ValueError:
        return None
