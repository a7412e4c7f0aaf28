"""Kubeconfig loading, the way kubectl does it: --kubeconfig, else $KUBECONFIG (a ``:``-separated
list of files, merged), else ~/.kube/config; --context, else the file's current-context.
One addition: with neither --kubeconfig nor $KUBECONFIG, ``--context designer-sandbox`` falls back
to the kubeconfig ``design sandbox up`` wrote (`designer.statepaths`) when ~/.kube/config lacks that
context or does not exist, so a sandbox works without touching the user's kubeconfig.

The client's own loader reads the merged files for the cluster (server, TLS) and client
certificates; the user's token, token file, exec plugin and impersonation are taken out before it
sees them and handled by `designer.cluster.credentials` (the client reads token files verbatim, runs
exec plugins without checks, and ignores impersonation). With several files, the first one that sets
current-context wins, as in kubectl.

Called by `designer.cluster.connecting.connect`. The client's config exceptions become
`ClusterError` here.
"""

from __future__ import annotations

import difflib
import os
import socket
import urllib.parse
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3
from kubernetes import client
from kubernetes.config.config_exception import ConfigException
from kubernetes.config.kube_config import ConfigNode, KubeConfigLoader, KubeConfigMerger
from yaml import YAMLError

from designer.cluster.credentials import TAKEN_OVER, Credentials, Identity
from designer.errors import ClusterError
from designer.statepaths import SANDBOX_CONTEXT, sandbox_kubeconfigs


@dataclass(frozen=True, slots=True)
class ClientSettings:
    """A configured ApiClient plus what kubectl would show about it."""

    api_client: Any  # kubernetes.client.ApiClient
    context_name: str
    namespace: str
    source: str
    credentials: Credentials | None = None
    """The user's token, token file, exec plugin and impersonation (`renew` after a 401)."""

    @property
    def identity(self) -> Identity | None:
        return self.credentials.identity if self.credentials is not None else None


def kubeconfig_source(kubeconfig: str | os.PathLike[str] | None) -> str:
    """The kubeconfig path(s) in effect: the flag, else $KUBECONFIG, else ~/.kube/config."""
    if kubeconfig:
        return os.fspath(kubeconfig)
    env = os.environ.get("KUBECONFIG", "")
    if env.strip(os.pathsep):
        return env
    return str(Path("~/.kube/config").expanduser())


def load_client(
    kubeconfig: str | os.PathLike[str] | None = None, context: str | None = None
) -> ClientSettings:
    """A fresh ApiClient for ``context`` (never touches the kubernetes package's global config)."""
    source = kubeconfig_source(kubeconfig)
    if (
        context == SANDBOX_CONTEXT
        and not kubeconfig
        and not os.environ.get("KUBECONFIG", "").strip(os.pathsep)
    ):
        source = _sandbox_fallback(source)
    files = [p for p in source.split(os.pathsep) if p]
    if not any(Path(p).expanduser().is_file() for p in files):
        if context is not None:  # the context is what the user asked for: name it first
            raise _unknown_context(context, [], f"no kubeconfig found at {source}", chosen=bool(kubeconfig))
        raise ClusterError(
            f"no kubeconfig found at {source}",
            hint="pass --kubeconfig FILE, set KUBECONFIG, or start one with `design sandbox up`",
        )
    try:
        merger = KubeConfigMerger(source)  # type: ignore[no-untyped-call]
        contexts, current = _contexts_of(merger)
        chosen = _pick_context(contexts, current, context, source)
        credentials = _take_credentials(merger, chosen.get("context") or {})
        configuration = client.Configuration()
        loader = KubeConfigLoader(  # type: ignore[no-untyped-call]
            config_dict=merger.config, config_base_path=None, active_context=chosen["name"]
        )
        loader.load_and_set(configuration)  # type: ignore[no-untyped-call]
        # designer.cluster.retrying is the one retry layer (it knows which writes may have happened);
        # urllib3's own retries would silently repeat requests under it
        configuration.retries = False
    except (ConfigException, YAMLError) as exc:
        hint = "check the file with `kubectl config view`"
        if "current-context" in str(exc):
            hint = "pass --context NAME or run `kubectl config use-context NAME`"
        raise ClusterError(f"cannot use kubeconfig {source}: {exc}", hint=hint) from exc
    if credentials is not None:
        credentials.configure(configuration)
    if not configuration.verify_ssl:
        # insecure-skip-tls-verify was asked for in the kubeconfig: urllib3 would warn on every request
        warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    api_client = client.ApiClient(configuration)
    if credentials is not None:
        credentials.bind(api_client)
    namespace = str((chosen.get("context") or {}).get("namespace") or "default")
    return ClientSettings(
        api_client=api_client,
        context_name=str(chosen["name"]),
        namespace=namespace,
        source=source,
        credentials=credentials,
    )


def _take_credentials(merger: Any, context: dict[str, Any]) -> Credentials | None:
    """The context's user's credentials that designer handles (`designer.cluster.credentials`), taken
    out of the merged kubeconfig so the client's loader leaves them alone; None without a user."""
    users = merger.config.value.get("users") or []
    for index, entry in enumerate(users):
        if not isinstance(entry, ConfigNode) or entry.value.get("name") != context.get("user"):
            continue
        user = entry.value.get("user") or {}
        if not isinstance(user, dict):
            return None
        cluster, cluster_folder = _cluster_of(merger, context.get("cluster"))
        folder = Path(entry.path).parent if entry.path else None
        credentials = Credentials.of(
            str(entry.value["name"]), user, folder=folder, cluster=cluster, cluster_folder=cluster_folder
        )
        kept = {k: v for k, v in user.items() if k not in TAKEN_OVER}
        users[index] = ConfigNode(entry.name, {**entry.value, "user": kept}, entry.path)  # type: ignore[no-untyped-call]
        return credentials
    return None


def _cluster_of(merger: Any, name: Any) -> tuple[dict[str, Any] | None, Path | None]:
    for entry in merger.config.value.get("clusters") or []:
        if isinstance(entry, ConfigNode) and entry.value.get("name") == name:
            cluster = entry.value.get("cluster")
            return (cluster if isinstance(cluster, dict) else None), (
                Path(entry.path).parent if entry.path else None
            )
    return None, None


def context_names(kubeconfig: str | os.PathLike[str] | None = None) -> tuple[list[str], str | None]:
    """The contexts ``load_client`` can connect to and the current one (for pickers such as `design ui`):
    the kubeconfig's, plus ``designer-sandbox`` when the sandbox's own kubeconfig is the fallback."""
    source = kubeconfig_source(kubeconfig)
    names: list[str] = []
    current = None
    if any(Path(part).expanduser().is_file() for part in source.split(os.pathsep) if part):
        try:
            contexts, current = _contexts(source)
        except (ConfigException, YAMLError, OSError, ValueError) as exc:
            raise ClusterError(f"cannot read the kubeconfig {source}: {exc}", hint="check the file") from exc
        names = [str(entry.get("name")) for entry in contexts if entry.get("name")]
    explicit = kubeconfig or os.environ.get("KUBECONFIG", "").strip(os.pathsep)
    if SANDBOX_CONTEXT not in names and not explicit and _sandbox_fallback(source) != source:
        names.append(SANDBOX_CONTEXT)
    return names, current


def require_sandbox_listening(settings: ClientSettings) -> None:
    """For a sandbox context: a stopped sandbox is a plain fact to say at once, not a connection
    error after retries (`connect` calls this; loading a kubeconfig alone never connects)."""
    if not settings.context_name.startswith(SANDBOX_CONTEXT):
        return
    url = str(settings.api_client.configuration.host)
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return
    try:
        socket.create_connection((parts.hostname, parts.port or 443), timeout=2).close()
    except OSError as exc:
        raise ClusterError(
            f"the sandbox is not running (nothing listens at {url})",
            hint="start it with `design sandbox up --detach` (see `design sandbox status`)",
        ) from exc


def _sandbox_fallback(source: str) -> str:
    """``source`` if it has the sandbox context, else the kubeconfig a sandbox wrote (if any)."""
    if _has_context(source, SANDBOX_CONTEXT):
        return source
    for candidate in sandbox_kubeconfigs():
        if _has_context(str(candidate), SANDBOX_CONTEXT):
            return str(candidate)
    return source


def _has_context(source: str, name: str) -> bool:
    if not Path(source).expanduser().is_file():
        return False
    try:
        contexts, _ = _contexts(source)
    except (ConfigException, YAMLError, OSError, ValueError):
        return False  # unreadable: the sandbox's own file is a better bet
    return any(entry.get("name") == name for entry in contexts)


def _contexts(source: str) -> tuple[list[dict[str, Any]], str | None]:
    return _contexts_of(KubeConfigMerger(source))  # type: ignore[no-untyped-call]


def _contexts_of(merger: Any) -> tuple[list[dict[str, Any]], str | None]:
    """The merged files' contexts and the current-context's name (None when unset: unlike the
    client's list_kube_config_contexts, a file without current-context is fine with --context).

    With several files ($KUBECONFIG=a:b) the first file that sets current-context wins, as in
    kubectl (the client's merger lets the last one win)."""
    merged = merger.config.value
    contexts = [getattr(entry, "value", entry) for entry in merged.get("contexts") or []]
    current = next(
        (
            doc["current-context"]
            for doc in merger.config_files.values()
            if isinstance(doc, dict) and doc.get("current-context")
        ),
        None,
    )
    return contexts, str(current) if current else None


def _pick_context(
    contexts: list[dict[str, Any]], current: str | None, wanted: str | None, source: str
) -> dict[str, Any]:
    if wanted is None:
        if not current:
            raise ClusterError(
                f"kubeconfig {source} has no current-context",
                hint="pass --context NAME or run `kubectl config use-context NAME`",
            )
        wanted = current
    for entry in contexts:
        if entry.get("name") == wanted:
            return entry
    names = sorted(str(c.get("name")) for c in contexts)
    raise _unknown_context(
        wanted, names, f"it is not in kubeconfig {source} (contexts: {', '.join(names) or 'none'})"
    )


def _unknown_context(wanted: str, names: list[str], where: str, *, chosen: bool = True) -> ClusterError:
    """The error for a --context no kubeconfig has: name it, suggest a close one, say what to do.

    ``chosen``: the user named the kubeconfig (--kubeconfig or $KUBECONFIG); without it, the
    sandbox's own kubeconfig is a candidate too (`design sandbox up` writes its context there).
    """
    candidates = list(names)
    if not chosen or wanted == SANDBOX_CONTEXT:
        candidates.append(SANDBOX_CONTEXT)
    close = difflib.get_close_matches(wanted, sorted(set(candidates)), n=1, cutoff=0.6)
    if close:
        hint = f"did you mean --context {close[0]}?"
        if close[0] == SANDBOX_CONTEXT and not sandbox_kubeconfigs():
            hint += " (no sandbox is running: start one with `design sandbox up`)"
    elif names:
        hint = "pick one of the listed contexts with --context"
    else:
        hint = (
            "pass --kubeconfig FILE that has it, set KUBECONFIG, or start a sandbox with `design sandbox up`"
        )
    return ClusterError(f"unknown context {wanted!r}: {where}", hint=hint)
