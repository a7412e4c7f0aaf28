"""`connect`: the one factory that turns --kubeconfig/--context into a `Cluster`.

Commands (`design diff`, `design apply`) call it; it imports the kubernetes-backed implementation
only here, lazily, so `design validate` and other offline commands never load the client.
"""

from __future__ import annotations

import os

from designer.cluster.access import Caller
from designer.cluster.base import Cluster


def connect(
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    *,
    retries: int = 4,
    request_timeout: float = 30.0,
    purpose: str | None = None,
) -> Cluster:
    """A `Cluster` for ``context`` in ``kubeconfig`` (kubectl's lookup rules when omitted).

    ``purpose`` is the command ("diff", "apply", "delete", "validate": `designer.cluster.access`), so
    a refusal's hint asks for every verb the command needs at once.

    Raises:
        designer.errors.ClusterError: no kubeconfig, unknown context, an unusable file, or a
            credential that cannot be had (a failing exec plugin, an unreadable token file).
    """
    # Imported here, not at module level: loading the kubernetes client costs ~0.5 s.
    from designer.cluster import kube
    from designer.cluster import kubeconfig as kubeconfig_module

    settings = kubeconfig_module.load_client(kubeconfig, context)
    kubeconfig_module.require_sandbox_listening(settings)
    credentials = settings.credentials
    return kube.KubeCluster(
        settings.api_client,
        context_name=settings.context_name,
        default_namespace=settings.namespace,
        retries=retries,
        request_timeout=request_timeout,
        renew=credentials.renew if credentials is not None else None,
        caller=Caller(
            context=settings.context_name,
            kubeconfig=os.fspath(kubeconfig) if kubeconfig else None,
            credential=credentials.identity.kind if credentials is not None else None,
            purpose=purpose,
        ),
    )
