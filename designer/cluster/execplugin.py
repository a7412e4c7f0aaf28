"""The kubeconfig ``exec`` credential plugin, run as kubectl runs it (client.authentication.k8s.io v1, v1beta1).

A kubeconfig user may name a program that prints an ExecCredential (a bearer token, or a client
certificate and key, perhaps with an ``expirationTimestamp``): cloud CLIs (``aws eks get-token``,
``gke-gcloud-auth-plugin``, ``kubelogin``) work this way. The official Python client runs the plugin
but logs and swallows every failure (the request then goes out anonymous and the user reads
"system:anonymous cannot ..."), ignores ``interactiveMode`` and ``installHint``, resolves nothing
against the kubeconfig's folder, and hands the plugin the kubeconfig's CA *file name* instead of its
data. This module does it the documented way:

- ``command`` with a path separator is relative to the kubeconfig's folder; a bare name is looked
  up on PATH; ``args`` and ``env`` (added to designer's environment) are passed;
- ``KUBERNETES_EXEC_INFO`` carries ``spec.interactive`` and, with ``provideClusterInfo``, the
  cluster (server, CA as data, tls-server-name, …, and the ``client.authentication.k8s.io/exec``
  extension as ``config``);
- ``interactiveMode`` (required in v1; v1beta1 defaults to IfAvailable): Never gives the plugin no
  standard input; IfAvailable gives it the terminal when standard input is one; Always refuses to
  run without one. An interactive plugin talks to the user on stderr, so it is not captured then;
- a plugin that cannot start shows the ``installHint``; one that fails, prints no JSON, or answers
  without a credential is a `ClusterError` naming the kubeconfig user and the plugin, with the last
  lines of its stderr.

Caching and renewal are `designer.cluster.credentials`'s job. Caller: that module.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from designer.errors import ClusterError

API_VERSIONS = ("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1")
INTERACTIVE_MODES = ("Never", "IfAvailable", "Always")
CLUSTER_EXTENSION = "client.authentication.k8s.io/exec"
_STDERR_LINES = 5


@dataclass(frozen=True, slots=True)
class ExecCredential:
    """What a plugin answered: a token and/or a PEM client certificate with its key."""

    token: str | None = None
    client_certificate: str | None = None
    client_key: str | None = None
    expires: datetime.datetime | None = None

    def expired(self, now: datetime.datetime | None = None) -> bool:
        """True from ``expirationTimestamp`` on (never, without one: kubectl keeps it for the process)."""
        if self.expires is None:
            return False
        return (now or datetime.datetime.now(datetime.UTC)) >= self.expires


@dataclass(frozen=True, slots=True)
class ExecConfig:
    """A kubeconfig user's ``exec`` section, checked."""

    user: str
    command: str
    api_version: str
    interactive_mode: str
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    install_hint: str | None = None
    cluster: Mapping[str, Any] | None = None
    """The ExecCredential's ``spec.cluster`` (only with provideClusterInfo)."""
    folder: Path | None = None
    """The kubeconfig's folder: where a relative ``command`` (one with a path separator) lives."""

    @property
    def program(self) -> str:
        if os.sep in self.command and not Path(self.command).is_absolute() and self.folder is not None:
            return str(self.folder / self.command)
        return self.command

    @classmethod
    def parse(
        cls,
        user: str,
        body: Any,
        *,
        folder: Path | None,
        cluster: Mapping[str, Any] | None,
        cluster_folder: Path | None,
    ) -> ExecConfig:
        """Check ``users[name=user].user.exec``; ``cluster`` is the context's cluster section."""
        where = f"kubeconfig user {user!r}: exec"
        if not isinstance(body, Mapping):
            raise ClusterError(f"{where} must be a mapping", hint=_SHAPE_HINT)
        command = body.get("command")
        if not isinstance(command, str) or not command:
            raise ClusterError(f"{where}.command is missing", hint=_SHAPE_HINT)
        api_version = body.get("apiVersion")
        if api_version not in API_VERSIONS:
            raise ClusterError(
                f"{where}.apiVersion is {api_version!r}, not one of {', '.join(API_VERSIONS)}",
                hint="use client.authentication.k8s.io/v1 (v1alpha1 was removed in Kubernetes 1.24)",
            )
        mode = body.get("interactiveMode")
        if mode is None and api_version.endswith("/v1beta1"):
            mode = "IfAvailable"
        if mode not in INTERACTIVE_MODES:
            raise ClusterError(
                f"{where}.interactiveMode is {mode!r}, not one of {', '.join(INTERACTIVE_MODES)}",
                hint="client.authentication.k8s.io/v1 requires it: Never, IfAvailable or Always",
            )
        args = body.get("args") or []
        env = body.get("env") or []
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            raise ClusterError(f"{where}.args must be a list of strings", hint=_SHAPE_HINT)
        if not isinstance(env, list) or not all(
            isinstance(e, Mapping) and isinstance(e.get("name"), str) and isinstance(e.get("value"), str)
            for e in env
        ):
            raise ClusterError(f"{where}.env must be a list of {{name, value}} strings", hint=_SHAPE_HINT)
        hint = body.get("installHint")
        return cls(
            user=user,
            command=command,
            api_version=api_version,
            interactive_mode=mode,
            args=tuple(args),
            env={e["name"]: e["value"] for e in env},
            install_hint=hint if isinstance(hint, str) and hint.strip() else None,
            cluster=_cluster_info(cluster, cluster_folder) if body.get("provideClusterInfo") else None,
            folder=folder,
        )


_SHAPE_HINT = (
    "see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins"
)


def _cluster_info(cluster: Mapping[str, Any] | None, folder: Path | None) -> dict[str, Any]:
    """``spec.cluster``: the kubeconfig's cluster fields, the CA always as data (a file is read)."""
    cluster = cluster or {}
    info: dict[str, Any] = {"server": str(cluster.get("server") or "")}
    for key in ("tls-server-name", "insecure-skip-tls-verify", "proxy-url", "disable-compression"):
        if cluster.get(key) not in (None, ""):
            info[key] = cluster[key]
    ca = cluster.get("certificate-authority-data")
    if not ca and cluster.get("certificate-authority"):
        path = Path(str(cluster["certificate-authority"])).expanduser()
        path = path if path.is_absolute() or folder is None else folder / path
        try:
            ca = base64.b64encode(path.read_bytes()).decode()
        except OSError as exc:
            raise ClusterError(
                f"cannot read certificate-authority {path}: {exc.strerror}",
                hint="fix the path in the kubeconfig's cluster section",
            ) from exc
    if ca:
        info["certificate-authority-data"] = ca
    for extension in cluster.get("extensions") or []:
        if isinstance(extension, Mapping) and extension.get("name") == CLUSTER_EXTENSION:
            info["config"] = extension.get("extension")
    return info


def run(config: ExecConfig, *, terminal: bool | None = None) -> ExecCredential:
    """Run the plugin once and return its credential.

    Args:
        config: the checked exec section.
        terminal: whether standard input is a terminal (default: ask ``sys.stdin``).

    Raises:
        ClusterError: the plugin cannot run, fails, or answers something that is not a credential.
    """
    if terminal is None:
        terminal = _stdin_is_terminal()
    interactive = config.interactive_mode != "Never" and terminal
    if config.interactive_mode == "Always" and not terminal:
        raise ClusterError(
            f"kubeconfig user {config.user!r}: the credential plugin {config.command} needs a terminal "
            "(interactiveMode: Always), and standard input is not one",
            hint="run the command in a terminal, or log in with the plugin first so it has a cached credential",
        )
    spec: dict[str, Any] = {"interactive": interactive}
    if config.cluster is not None:
        spec["cluster"] = dict(config.cluster)
    env = {**os.environ, **config.env}
    env["KUBERNETES_EXEC_INFO"] = json.dumps(
        {"apiVersion": config.api_version, "kind": "ExecCredential", "spec": spec}
    )
    try:
        done = subprocess.run(
            [config.program, *config.args],
            env=env,
            stdin=None if interactive else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=None if interactive else subprocess.PIPE,
            check=False,
        )
    except OSError as exc:
        raise ClusterError(
            f"kubeconfig user {config.user!r}: cannot run the credential plugin {config.program}: "
            f"{exc.strerror or exc}",
            hint=config.install_hint
            or "install the plugin, or fix users[].user.exec.command in the kubeconfig",
        ) from exc
    stderr = (done.stderr or b"").decode(errors="replace")
    if done.returncode != 0:
        raise _failure(config, f"exited with code {done.returncode}", stderr)
    if stderr.strip():
        sys.stderr.write(stderr)  # kubectl shows what a plugin says on stderr, too
    return _credential(config, done.stdout, stderr)


def _credential(config: ExecConfig, stdout: bytes, stderr: str) -> ExecCredential:
    try:
        answer = json.loads(stdout)
    except ValueError as exc:
        raise _failure(config, f"printed no ExecCredential JSON ({exc})", stderr) from exc
    if not isinstance(answer, Mapping) or answer.get("kind") != "ExecCredential":
        raise _failure(config, "printed JSON that is not an ExecCredential", stderr)
    if answer.get("apiVersion") != config.api_version:
        raise _failure(
            config,
            f"answered apiVersion {answer.get('apiVersion')!r}, but the kubeconfig asks for {config.api_version}",
            stderr,
        )
    status = answer.get("status")
    status = status if isinstance(status, Mapping) else {}
    token = status.get("token") or None
    cert, key = status.get("clientCertificateData") or None, status.get("clientKeyData") or None
    if (cert is None) != (key is None):
        raise _failure(
            config, "answered clientCertificateData without clientKeyData (or the reverse)", stderr
        )
    if token is None and cert is None:
        raise _failure(config, "answered no status.token and no status.clientCertificateData", stderr)
    if not all(value is None or isinstance(value, str) for value in (token, cert, key)):
        raise _failure(config, "answered a credential field that is not a string", stderr)
    return ExecCredential(token, cert, key, _expiry(config, status.get("expirationTimestamp"), stderr))


def _expiry(config: ExecConfig, value: Any, stderr: str) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise _failure(
            config, f"answered expirationTimestamp {value!r}, which is not RFC 3339", stderr
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _failure(config: ExecConfig, what: str, stderr: str) -> ClusterError:
    lines = [line for line in stderr.strip().splitlines() if line.strip()][-_STDERR_LINES:]
    said = ("; it said: " + " | ".join(lines)) if lines else ""
    return ClusterError(
        f"kubeconfig user {config.user!r}: the credential plugin {config.command} {what}{said}",
        hint=f"run `{' '.join([config.command, *config.args])}` yourself to see what it needs (a login?)",
    )


def _stdin_is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed or detached
        return False
