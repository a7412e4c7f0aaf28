"""Who designer is on the cluster: the kubeconfig user's bearer token, token file, exec plugin and
impersonation, wired into the official client the way kubectl (client-go) uses them.

The official Python client reads ``token`` fine, but a ``tokenFile`` once and verbatim (a trailing
newline, as ``echo`` writes it, made every request fail inside http.client), an ``exec`` plugin
without checks or caching rules (`designer.cluster.execplugin`), and it ignores impersonation (``as``,
``as-groups``, ``as-uid``, ``as-user-extra``) silently, so a command ran with the kubeconfig's own,
often wider, rights. `Credentials.of` takes those fields over (`designer.cluster.kubeconfig` removes
them from what the client's loader sees; the client still does client certificates, TLS, proxies):

- ``token``, else ``tokenFile`` (relative to the kubeconfig's folder; whitespace trimmed, as kubectl
  does; read again when a minute old, so a rotated service-account token is picked up), else ``exec``;
- an exec credential is cached until its ``expirationTimestamp`` (kubectl's rule: no margin) and
  the plugin runs again only then: once for all threads (the diff planner and the apply engine
  send requests from many). A client certificate from a plugin goes to owner-only temporary files
  that are removed when the process ends; it is renewed after a 401 only (the client asks for a
  credential before each request only when it sends a token);
- `Credentials.renew` is what the retrier calls after a 401: the plugin runs again (or the token
  file is read again) and the request is retried once, as client-go does for a revoked credential;
- impersonation becomes the ``Impersonate-*`` headers. A header sent several times (one group each)
  is spelled in different letter cases, which HTTP treats as one name and the API server reads as
  several values: the client keeps headers in a dict, so one spelling can carry one value only.
Caller: `designer.cluster.kubeconfig.load_client`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.cluster import execplugin
from designer.errors import ClusterError

TAKEN_OVER = ("token", "tokenFile", "exec", "as", "as-uid", "as-groups", "as-user-extra")
"""The kubeconfig user fields designer handles itself (the client's loader never sees them)."""
TOKEN_FILE_PERIOD = 60.0
"""Seconds a token file's content is used before it is read again (client-go's period)."""
RENEW_GRACE = 1.0
"""A renewal asked for this soon after the last one reuses it (many threads met one 401 together)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """How the credential shows in messages: the kubeconfig user and the kind of credential."""

    user: str
    kind: str  # "client certificate", "token", "token file PATH", "exec plugin CMD", "none"


class Credentials:
    """The bearer token (if any) and impersonation of one kubeconfig user, for one ApiClient."""

    def __init__(
        self,
        identity: Identity,
        *,
        token: str | None = None,
        token_file: Path | None = None,
        plugin: execplugin.ExecConfig | None = None,
        impersonation: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.identity = identity
        self._token = token
        self._token_file = token_file
        self._plugin = plugin
        self._impersonation = dict(impersonation or {})
        self._lock = threading.Lock()
        self._read_at = 0.0
        self._renewed_at = 0.0
        self._credential: execplugin.ExecCredential | None = None
        self._api_client: Any = None
        self._cert_folder: Path | None = None
        if token_file is not None:
            self._token = _read_token_file(token_file, identity.user)
            self._read_at = time.monotonic()
        if plugin is not None:
            self._credential = execplugin.run(plugin)

    @classmethod
    def of(
        cls,
        user_name: str,
        user: Mapping[str, Any],
        *,
        folder: Path | None,
        cluster: Mapping[str, Any] | None,
        cluster_folder: Path | None,
    ) -> Credentials:
        """The credentials of ``users[name=user_name].user`` (relative paths against ``folder``)."""
        impersonation = _impersonation(user_name, user)
        if user.get("token"):
            return cls(Identity(user_name, "token"), token=str(user["token"]), impersonation=impersonation)
        if user.get("tokenFile"):
            path = Path(str(user["tokenFile"])).expanduser()
            path = path if path.is_absolute() or folder is None else folder / path
            return cls(
                Identity(user_name, f"token file {path}"), token_file=path, impersonation=impersonation
            )
        if user.get("exec") is not None:
            plugin = execplugin.ExecConfig.parse(
                user_name, user["exec"], folder=folder, cluster=cluster, cluster_folder=cluster_folder
            )
            return cls(
                Identity(user_name, f"exec plugin {plugin.command}"),
                plugin=plugin,
                impersonation=impersonation,
            )
        kind = (
            "client certificate"
            if user.get("client-certificate") or user.get("client-certificate-data")
            else "none"
        )
        return cls(Identity(user_name, kind), impersonation=impersonation)

    # -- wiring into the client ----------------------------------------------------------------------

    def configure(self, configuration: Any) -> None:
        """Before the ApiClient exists: the token hook, and a plugin's client certificate files."""
        if self._credential is not None and self._credential.client_certificate:
            self._write_certificate(configuration, self._credential)
        token = self._bearer()
        if token is not None:
            configuration.api_key["BearerToken"] = f"Bearer {token}"
            configuration.refresh_api_key_hook = self._refresh_hook

    def bind(self, api_client: Any) -> None:
        """After: impersonation headers, and the client to rebuild when a plugin renews a certificate."""
        self._api_client = api_client
        for name, values in self._impersonation.items():
            for spelling, value in zip(_spellings(name), values, strict=False):
                api_client.set_default_header(spelling, value)

    def _refresh_hook(self, configuration: Any) -> None:
        """Called by the client before every request: the current token (renewed when it expired)."""
        token = self._bearer()
        if token is not None:
            configuration.api_key["BearerToken"] = f"Bearer {token}"

    def _bearer(self) -> str | None:
        if self._plugin is not None:
            credential = self._current()
            return credential.token
        if self._token_file is not None and time.monotonic() - self._read_at >= TOKEN_FILE_PERIOD:
            with self._lock:
                if time.monotonic() - self._read_at >= TOKEN_FILE_PERIOD:
                    self._reread_token_file()
        return self._token

    def _current(self) -> execplugin.ExecCredential:
        credential = self._credential
        if credential is not None and not credential.expired():
            return credential
        with self._lock:  # one run of the plugin for every thread that found the credential expired
            if self._credential is None or self._credential.expired():
                self._install(execplugin.run(self._plugin_config()))
            assert self._credential is not None
            return self._credential

    def _plugin_config(self) -> execplugin.ExecConfig:
        assert self._plugin is not None
        return self._plugin

    def _install(self, credential: execplugin.ExecCredential) -> None:
        previous, self._credential = self._credential, credential
        renewed_certificate = previous is None or previous.client_certificate != credential.client_certificate
        if credential.client_certificate and self._api_client is not None and renewed_certificate:
            configuration = self._api_client.configuration
            self._write_certificate(configuration, credential)
            from kubernetes.client import rest  # the pool holds the certificate: a new one

            self._api_client.rest_client = rest.RESTClientObject(configuration)

    def _reread_token_file(self) -> None:
        assert self._token_file is not None
        try:
            self._token = _read_token_file(self._token_file, self.identity.user)
        except ClusterError:
            pass  # client-go keeps the last token it read when the file is briefly unreadable
        self._read_at = time.monotonic()

    def renew(self) -> bool:
        """After a 401: a fresh credential if there is a way to get one; True when worth retrying."""
        if self._plugin is None and self._token_file is None:
            return False
        with self._lock:
            if time.monotonic() - self._renewed_at < RENEW_GRACE:
                return True
            if self._plugin is not None:
                before = self._credential
                self._install(execplugin.run(self._plugin))
                changed = before != self._credential
            else:
                before_token = self._token
                self._reread_token_file()
                changed = before_token != self._token
            self._renewed_at = time.monotonic()
            return changed

    def _write_certificate(self, configuration: Any, credential: execplugin.ExecCredential) -> None:
        if self._cert_folder is None:
            self._cert_folder = Path(tempfile.mkdtemp(prefix="designer-exec-cert-"))
            weakref.finalize(self, shutil.rmtree, self._cert_folder, True)
        stamp = f"{time.monotonic_ns()}"
        for attr, suffix, pem in (
            ("cert_file", "crt", credential.client_certificate),
            ("key_file", "key", credential.client_key),
        ):
            path = self._cert_folder / f"{stamp}.{suffix}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(pem or "")
            setattr(configuration, attr, str(path))


def _read_token_file(path: Path, user: str) -> str:
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ClusterError(
            f"kubeconfig user {user!r}: cannot read tokenFile {path}: {getattr(exc, 'strerror', None) or exc}",
            hint="fix users[].user.tokenFile in the kubeconfig (a relative path is relative to the kubeconfig's folder)",
        ) from exc
    if not token:
        raise ClusterError(
            f"kubeconfig user {user!r}: tokenFile {path} is empty",
            hint="write the bearer token into the file, or point tokenFile at the right one",
        )
    return token


def _impersonation(user_name: str, user: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """``Impersonate-*`` header name -> values, from ``as``, ``as-uid``, ``as-groups``, ``as-user-extra``."""
    headers: dict[str, tuple[str, ...]] = {}
    where = f"kubeconfig user {user_name!r}"
    hint = "see `kubectl config set-credentials --help` for the impersonation fields"
    for key, header in (("as", "Impersonate-User"), ("as-uid", "Impersonate-Uid")):
        value = user.get(key)
        if value not in (None, ""):
            if not isinstance(value, str):
                raise ClusterError(f"{where}: {key} must be a string", hint=hint)
            headers[header] = (value,)
    groups = user.get("as-groups") or []
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        raise ClusterError(f"{where}: as-groups must be a list of strings", hint=hint)
    if groups:
        headers["Impersonate-Group"] = tuple(groups)
    extra = user.get("as-user-extra") or {}
    if not isinstance(extra, Mapping) or not all(
        isinstance(v, list) and all(isinstance(i, str) for i in v) for v in extra.values()
    ):
        raise ClusterError(f"{where}: as-user-extra must map names to lists of strings", hint=hint)
    for name, values in extra.items():
        headers[f"Impersonate-Extra-{name}"] = tuple(values)
    if headers and "Impersonate-User" not in headers:
        raise ClusterError(
            f"{where}: as-groups, as-uid and as-user-extra need `as` (the user to act as)", hint=hint
        )
    return headers


def _spellings(name: str) -> Iterator[str]:
    """``name`` in distinct letter cases (the first is ``name`` itself): one per value of a header."""
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    for number in range(2 ** len(letters)):
        chars = list(name)
        for bit, index in enumerate(letters):
            if number >> bit & 1:
                chars[index] = chars[index].swapcase()
        yield "".join(chars)
