"""Users with chosen rights on the real control plane, and kubeconfigs that present them: the kit of the
authentication and RBAC tests (test_auth_*.py).

Users are made the way a cluster admin makes them, through the API with the admin's client certificate:
a ServiceAccount's token from the TokenRequest API; a client certificate for a new user name, signed by
the cluster's signer through a CertificateSigningRequest (kube-controller-manager's csrsigning
controller signs what the admin approved); rights through Roles and RoleBindings. Nothing here reads
the control plane's private files. The emulator does no RBAC, so what needs a user's rights runs on
the real control plane only.
"""

from __future__ import annotations

import base64
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubernetes import client, config

from designer.cli.main import run
from designer.sandbox.upstream.controlplane import ControlPlane

PLUGIN = Path(__file__).with_name("exec_credential_plugin.py")
CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client"
EDIT = ({"apiGroups": [""], "resources": ["configmaps", "services"], "verbs": ["*"]},)
"""What the design below needs: every verb on its kinds (the inventory is a ConfigMap in its namespace)."""
READ = ({"apiGroups": [""], "resources": ["configmaps", "services"], "verbs": ["get", "list", "watch"]},)

DESIGN = """\
apiVersion: designer/v1
kind: Design
metadata: {name: authz}
variables:
  ns: {default: authz}
components:
- name: settings
  kind: ConfigMap
  apiVersion: v1
  namespace: ${ns}
  settings:
    data: {color: blue}
- name: web
  kind: Service
  apiVersion: v1
  namespace: ${ns}
  settings:
    spec:
      selector: {app: web}
      ports: [{port: 80, targetPort: 8080}]
"""
"""Namespaced objects only (no Namespace component): a user's rights can be one namespace's."""


def design_file(folder: Path) -> Path:
    path = folder / "authz.yaml"
    path.write_text(DESIGN, encoding="utf-8")
    return path


def design(command: str, path: Path, kubeconfig: Path, context: str, namespace: str, *extra: str) -> int:
    """Run ``design COMMAND`` in-process (the CLI's one error funnel) against ``namespace``."""
    args = [
        command,
        str(path),
        "--kubeconfig",
        str(kubeconfig),
        "--context",
        context,
        "--set",
        f"ns={namespace}",
    ]
    if command in ("diff", "apply", "delete"):
        args += ["--inventory-namespace", namespace]
    if command in ("apply", "delete"):
        args += ["--yes"]
    return run([*args, *extra])


class Admin:
    """The control plane's admin (client certificate, system:masters), to make users and grant rights."""

    def __init__(self, plane: ControlPlane) -> None:
        assert plane.kubeconfig_path is not None
        self.plane = plane
        self.kubeconfig = yaml.safe_load(plane.kubeconfig_path.read_text())
        self.api = config.new_client_from_config(
            config_file=str(plane.kubeconfig_path), context=plane.context
        )

    def close(self) -> None:
        self.api.close()

    @property
    def cluster(self) -> dict[str, Any]:
        """The kubeconfig ``cluster`` section (server and CA data) of the control plane."""
        entry = next(c for c in self.kubeconfig["clusters"] if c["name"] == self.plane.context)
        return dict(entry["cluster"])

    @property
    def ca_pem(self) -> bytes:
        return base64.b64decode(self.cluster["certificate-authority-data"])

    def namespace(self, prefix: str = "auth") -> str:
        """A fresh namespace (random suffix: the session's Baseline deletes it after the test)."""
        name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        client.CoreV1Api(self.api).create_namespace({"metadata": {"name": name}})
        return name

    def service_account_token(self, namespace: str, name: str, seconds: int = 3600) -> str:
        """A ServiceAccount in ``namespace`` and a token for it from the TokenRequest API."""
        core = client.CoreV1Api(self.api)
        core.create_namespaced_service_account(namespace, {"metadata": {"name": name}})
        answer = core.create_namespaced_service_account_token(
            name, namespace, {"spec": {"audiences": [], "expirationSeconds": seconds}}
        )
        return str(answer.status.token)

    def client_certificate(self, user: str, groups: Sequence[str] = ()) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) for ``user``, signed by the cluster through an approved CSR."""
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.NameAttribute(NameOID.COMMON_NAME, user)]
        names += [x509.NameAttribute(NameOID.ORGANIZATION_NAME, g) for g in groups]
        request = (
            x509.CertificateSigningRequestBuilder().subject_name(x509.Name(names)).sign(key, hashes.SHA256())
        )
        name = f"{user}-{uuid.uuid4().hex[:6]}"
        api = client.CertificatesV1Api(self.api)
        api.create_certificate_signing_request(
            {
                "metadata": {"name": name},
                "spec": {
                    "request": base64.b64encode(request.public_bytes(serialization.Encoding.PEM)).decode(),
                    "signerName": CLIENT_SIGNER,
                    "usages": ["client auth"],
                    "expirationSeconds": 3600,
                },
            }
        )
        csr = api.read_certificate_signing_request(name)
        csr.status.conditions = [
            client.V1CertificateSigningRequestCondition(
                type="Approved", status="True", reason="DesignerTest", message="a test user"
            )
        ]
        api.replace_certificate_signing_request_approval(name, csr)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            issued = api.read_certificate_signing_request(name).status.certificate
            if issued:
                key_pem = key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                return base64.b64decode(issued), key_pem
            time.sleep(0.1)
        raise TimeoutError(f"the cluster did not sign CSR {name} (is kube-controller-manager running?)")

    def grant(self, namespace: str, subject: Mapping[str, str], rules: Sequence[Mapping[str, Any]]) -> None:
        """A Role with ``rules`` in ``namespace``, bound to ``subject`` ({kind, name[, namespace]})."""
        rbac = client.RbacAuthorizationV1Api(self.api)
        name = f"designer-test-{uuid.uuid4().hex[:6]}"
        rbac.create_namespaced_role(
            namespace, {"metadata": {"name": name}, "rules": [dict(r) for r in rules]}
        )
        rbac.create_namespaced_role_binding(
            namespace,
            {
                "metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                "subjects": [_subject(subject)],
            },
        )

    def grant_cluster(self, subject: Mapping[str, str], rules: Sequence[Mapping[str, Any]]) -> None:
        """A ClusterRole with ``rules``, bound to ``subject`` cluster-wide (the Baseline removes both)."""
        rbac = client.RbacAuthorizationV1Api(self.api)
        name = f"designer-test-{uuid.uuid4().hex[:6]}"
        rbac.create_cluster_role({"metadata": {"name": name}, "rules": [dict(r) for r in rules]})
        rbac.create_cluster_role_binding(
            {
                "metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
                "subjects": [_subject(subject)],
            }
        )

    def config_maps(self, namespace: str) -> list[str]:
        items = client.CoreV1Api(self.api).list_namespaced_config_map(namespace).items
        return sorted(item.metadata.name for item in items)


def _subject(subject: Mapping[str, str]) -> dict[str, str]:
    """An RBAC subject: Users and Groups carry the RBAC apiGroup, ServiceAccounts none."""
    if subject["kind"] in ("User", "Group"):
        return {"apiGroup": "rbac.authorization.k8s.io", **subject}
    return dict(subject)


@contextmanager
def admin_of(plane: ControlPlane) -> Iterator[Admin]:
    admin = Admin(plane)
    try:
        yield admin
    finally:
        admin.close()


def user_kubeconfig(
    path: Path, cluster: Mapping[str, Any], user: Mapping[str, Any], context: str = "me"
) -> Path:
    """A kubeconfig of one context ``context`` with ``cluster`` and ``user`` sections as given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "cluster", "cluster": dict(cluster)}],
        "users": [{"name": "user", "user": dict(user)}],
        "contexts": [{"name": context, "context": {"cluster": "cluster", "user": "user"}}],
        "current-context": context,
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    path.chmod(0o600)
    return path


def plugin_exec(log: Path, *args: str, mode: str = "Never", **fields: Any) -> dict[str, Any]:
    """A users[].user.exec section running the test plugin (this interpreter, its log at ``log``)."""
    return {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": sys.executable,
        "args": [str(PLUGIN), "--log", str(log), *args],
        "interactiveMode": mode,
        **fields,
    }


def plugin_runs(log: Path) -> list[dict[str, Any]]:
    """What the test plugin recorded, one entry per run."""
    import json

    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
