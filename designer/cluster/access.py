"""RBAC refusals made actionable: who was refused what, where, and what to ask for.

kube-apiserver's 403 says it in one sentence (``User "u" cannot patch resource "deployments" in API
group "apps" in the namespace "shop"``); `Refusal.parse` reads it back into fields, and
`forbidden_hint` turns them into what to do: the Role (or ClusterRole) to ask a cluster admin for,
with every verb the running command needs on that resource (so one request for rights is enough,
not one per refused verb), and the ``kubectl auth can-i`` line that checks it with the same
kubeconfig and context. `Caller` is what the cluster layer knows about the request's sender; the
commands say their purpose through `designer.cluster.connecting.connect`.
Callers: `designer.cluster.errors` (the ForbiddenError's hint), `designer.diffing.planner` (why a
diff is less precise), `designer.cli.apply` (`writes_refused`: apply stops before its first write
when the plan's dry runs were refused, rather than fail half-way).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from designer.errors import ClusterError

COMMAND_VERBS: dict[str, tuple[str, ...]] = {
    "diff": ("get", "list", "create", "patch"),
    "apply": ("get", "list", "create", "patch"),
    "delete": ("get", "list", "delete"),
    "validate": ("list",),
}
"""What each command does to each resource it touches. diff's create and patch are its server-side
dry runs (a dry-run apply of an object that does not exist yet needs create as well as patch; without
them the diff is compared locally, less precise); apply also deletes with --prune and to replace an
object whose immutable field changed; validate only lists (--inventory-context)."""

_REFUSAL = re.compile(
    r'User "(?P<user>[^"]*)" cannot (?P<verb>\S+) resource "(?P<resource>[^"]+)" '
    r'in API group "(?P<group>[^"]*)"'
    r'(?: (?:in the namespace "(?P<namespace>[^"]*)"|at the cluster scope))?'
)
_PATH_REFUSAL = re.compile(r'User "(?P<user>[^"]*)" cannot (?P<verb>\S+) path "(?P<path>[^"]+)"')
_SERVICE_ACCOUNT = re.compile(r"^system:serviceaccount:(?P<namespace>[^:]+):(?P<name>[^:]+)$")


@dataclass(frozen=True, slots=True)
class Refusal:
    """One RBAC denial as the server's Status message states it."""

    user: str
    verb: str
    resource: str  # plural, perhaps with a subresource: "pods/eviction"; a URL path for non-resource requests
    group: str = ""
    namespace: str | None = None  # None: cluster scope
    path: bool = False  # a non-resource URL (/api, /apis/...), as discovery reads

    @classmethod
    def parse(cls, message: str) -> Refusal | None:
        """The refusal ``message`` states, or None when it is not kube-apiserver's RBAC sentence."""
        found = _REFUSAL.search(message)
        if found:
            return cls(
                user=found["user"],
                verb=found["verb"],
                resource=found["resource"],
                group=found["group"],
                namespace=found["namespace"] or None,
            )
        found = _PATH_REFUSAL.search(message)
        if found:
            return cls(user=found["user"], verb=found["verb"], resource=found["path"], path=True)
        return None

    @property
    def resource_name(self) -> str:
        """kubectl's spelling: ``deployments.apps``; ``configmaps`` for the core group."""
        return f"{self.resource}.{self.group}" if self.group else self.resource

    @property
    def subject(self) -> str:
        """The RBAC subject to bind: a ServiceAccount or a User."""
        account = _SERVICE_ACCOUNT.match(self.user)
        if account:
            return f"ServiceAccount {account['name']} (namespace {account['namespace']})"
        return f'User "{self.user}"'

    @property
    def needs_cluster_role(self) -> bool:
        """Cluster-scoped (and Namespace objects, which RBAC grants cluster-wide in practice)."""
        return self.path or self.namespace is None or self.resource.split("/")[0] == "namespaces"

    def where(self) -> str:
        return "cluster-wide" if self.namespace is None else f"in namespace {self.namespace}"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sends the requests, as far as designer knows: for the can-i line and the verbs to ask for."""

    context: str | None = None
    kubeconfig: str | None = None  # only when the user named one (--kubeconfig); else kubectl finds it alike
    credential: str | None = None  # "token file …", "exec plugin …", "client certificate"
    purpose: str | None = None  # a COMMAND_VERBS key


def forbidden_hint(refusal: Refusal, caller: Caller | None) -> str:
    """What to do about ``refusal``: the rights to ask for, and how to check them."""
    caller = caller or Caller()
    if refusal.path:
        return (
            f"{refusal.subject} may not even read the API's discovery documents ({refusal.verb} {refusal.resource}): "
            "the credentials are not the ones meant (an anonymous or foreign user?), or the cluster "
            "lacks the usual system:discovery binding; ask a cluster admin"
            + _credential_note(refusal, caller)
        )
    verbs = _verbs(refusal.verb, caller.purpose)
    if refusal.needs_cluster_role:
        role = f"a ClusterRole bound to {refusal.subject} by a ClusterRoleBinding"
    else:
        role = f"a Role in namespace {refusal.namespace} bound to {refusal.subject} by a RoleBinding"
    why = f" (what `design {caller.purpose}` does)" if caller.purpose in COMMAND_VERBS else ""
    return (
        f"ask a cluster admin for {role} that allows {_join(verbs)} on {refusal.resource_name}{why}; "
        f"check with `{can_i(refusal, caller)}`" + _credential_note(refusal, caller)
    )


def can_i(refusal: Refusal, caller: Caller | None) -> str:
    """The ``kubectl auth can-i`` command that asks the same question as the refused request."""
    caller = caller or Caller()
    words = ["kubectl", "auth", "can-i", refusal.verb, refusal.resource_name]
    # the request's scope: a namespace, or the whole cluster (-A also fits cluster-scoped kinds)
    words += ["--namespace", refusal.namespace] if refusal.namespace is not None else ["--all-namespaces"]
    if caller.kubeconfig:
        words += ["--kubeconfig", caller.kubeconfig]
    if caller.context:
        words += ["--context", caller.context]
    return shlex.join(words)


def _verbs(refused: str, purpose: str | None) -> tuple[str, ...]:
    wanted = COMMAND_VERBS.get(purpose or "", ())
    return wanted if refused in wanted else (*wanted, refused)


def _credential_note(refusal: Refusal, caller: Caller) -> str:
    if refusal.user == "system:anonymous":
        kind = caller.credential or "no credential"
        return f" (the server saw no valid credential: the kubeconfig user has {kind})"
    return ""


def _join(words: tuple[str, ...]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def writes_refused(where: str, refused: Sequence[tuple[str, Refusal]], caller: Caller | None) -> ClusterError:
    """The error for a plan whose dry runs RBAC refused: every object and right at once.

    Args:
        where: "design D on context C", for the message.
        refused: (object, its dry run's refusal) pairs.
        caller: who sent the requests (for the can-i line).
    """
    users = sorted({r.user for _, r in refused})
    lines = [f"{r.verb} {r.resource_name} {r.where()} ({obj})" for obj, r in refused]
    grants: dict[tuple[str, str | None, bool], list[str]] = {}
    for _, r in refused:
        key = (r.subject, r.namespace, r.needs_cluster_role)
        names = grants.setdefault(key, [])
        if r.resource_name not in names:
            names.append(r.resource_name)
    verbs = _join(COMMAND_VERBS["apply"])
    asks = []
    for (subject, namespace, cluster_wide), names in grants.items():
        role = (
            f"a ClusterRole bound to {subject} by a ClusterRoleBinding"
            if cluster_wide
            else f"a Role in namespace {namespace} bound to {subject} by a RoleBinding"
        )
        asks.append(f"{role} that allows {verbs} on {_join(tuple(names))}")
    return ClusterError(
        f"{' and '.join(users)} may read but not write {len(refused)} object(s) of {where}, so nothing "
        "was applied (the server refused their dry runs):\n  " + "\n  ".join(lines),
        hint=f"ask a cluster admin for {'; and '.join(asks)} (what `design apply` does); check with "
        f"`{can_i(refused[0][1], caller)}`",
    )
