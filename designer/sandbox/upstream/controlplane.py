"""A real Kubernetes control plane on 127.0.0.1: upstream etcd, kube-apiserver, kube-controller-manager
and designer's simulated kubelet, each a child process with its log in the state folder.

kube-apiserver serves TLS with a CA made at start, authenticates client certificates and bearer tokens,
authorizes with RBAC, signs service-account tokens and runs its default admission plugins.
kube-controller-manager runs the default controllers except those that need real nodes or a cloud
(node IPAM and lifecycle), all under its own identity (per-controller service-account credentials
cost seconds at every start). The simulated kubelet (kubelet.py) registers a Ready node, binds pods and
reports them running. etcd keeps its data in a temporary folder that `stop` removes.

The kubeconfig it writes has two contexts: CONTEXT (an admin client certificate, group system:masters)
and CONTEXT-restricted (a bearer-token user that RBAC grants nothing).
Callers: designer.cli.sandbox (``--engine kube-apiserver``) and designer.sandbox.testing.
"""

from __future__ import annotations

import json
import shutil
import ssl
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from designer.sandbox import kubeconfigs
from designer.sandbox.upstream import pki
from designer.sandbox.upstream.binaries import Binaries, find
from designer.sandbox.upstream.processes import Process, free_port

ENGINE = "kube-apiserver"
RESTRICTED_USER = "designer-restricted"
NODE = "designer-sandbox-node"
DISABLED_CONTROLLERS = ("node-ipam-controller", "node-lifecycle-controller")
"""Both act on real nodes: IPAM needs a pod network, lifecycle would evict pods of a node that sends
no heartbeats (the simulated kubelet keeps its node Ready instead)."""


class ControlPlane:
    """etcd + kube-apiserver + kube-controller-manager + simulated kubelet; `start`, then `stop`."""

    engine = ENGINE

    def __init__(
        self,
        binaries: Binaries | None = None,
        *,
        port: int = 0,
        state_dir: Path | None = None,
        kubelet: bool = True,
        start_timeout: float = 60.0,
    ) -> None:
        self.binaries = binaries or find()
        self.port = port
        self._own_state = state_dir is None
        self.state_dir = state_dir or Path(tempfile.mkdtemp(prefix="designer-control-plane-"))
        self.data_dir: Path | None = None
        self.with_kubelet = kubelet
        self.start_timeout = start_timeout
        self.processes: list[Process] = []
        self.timings: dict[str, float] = {}
        """Seconds from `start` until each part was ready (certificates, etcd, kube-apiserver, ...)."""
        self.kubeconfig_path: Path | None = None
        self.context = "sandbox"
        self._pki: pki.Pki | None = None
        self.ssl_context: ssl.SSLContext | None = None
        """TLS with the admin's client certificate, for a caller's own requests (tests' clean-up)."""

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def pids(self) -> dict[str, int]:
        return {p.name: p.pid for p in self.processes}

    @property
    def restricted_context(self) -> str:
        return f"{self.context}-restricted"

    @property
    def restricted_token(self) -> str:
        assert self._pki is not None
        return self._pki.tokens[RESTRICTED_USER]

    # -- start / stop ------------------------------------------------------------------------------

    def start(self, kubeconfig_path: Path | None = None, context: str = "sandbox") -> ControlPlane:
        """Start every process and wait until workloads can run; write the kubeconfig when given a path."""
        self.context = context
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        if kubeconfig_path is not None:
            self.write_kubeconfig(kubeconfig_path, context)
        return self

    def _start(self) -> None:
        began = time.monotonic()

        def ready(name: str) -> None:
            self.timings[name] = round(time.monotonic() - began, 3)

        logs = self.state_dir / "logs"
        self.data_dir = Path(tempfile.mkdtemp(prefix="designer-etcd-"))
        self._pki = made = pki.make(
            self.state_dir / "pki",
            clients={
                "admin": ("designer-admin", "system:masters"),
                # One identity for all controllers (no per-controller service-account credentials,
                # whose set-up costs seconds at start): it needs every right.
                "controller-manager": ("system:kube-controller-manager", "system:masters"),
                "kubelet": ("designer-kubelet", "system:masters"),
            },
            token_users={RESTRICTED_USER: None},
        )
        self.ssl_context = ssl.create_default_context(cafile=str(made.ca_cert))
        self.ssl_context.load_cert_chain(str(made.clients["admin"].cert), str(made.clients["admin"].key))
        ready("certificates")
        etcd_port, peer_port = free_port(), free_port()
        self.port = self.port or free_port()
        etcd_url = f"http://127.0.0.1:{etcd_port}"
        peer_url = f"http://127.0.0.1:{peer_port}"
        etcd = self._launch(
            "etcd",
            [
                str(self.binaries.etcd),
                "--name=designer",
                f"--data-dir={self.data_dir}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls={peer_url}",
                f"--initial-advertise-peer-urls={peer_url}",
                f"--initial-cluster=designer={peer_url}",
                "--unsafe-no-fsync",  # throw-away data: durability only costs time
                "--log-level=warn",
            ],
            logs,
        )
        etcd.wait_until(lambda: _get_json(f"{etcd_url}/health", None).get("health") == "true", 20)
        ready("etcd")
        apiserver = self._launch("kube-apiserver", self._apiserver_args(made, etcd_url), logs)
        apiserver.wait_until(lambda: self._get("/readyz") == b"ok", self.start_timeout)
        ready("kube-apiserver")
        # Only now: kube-controller-manager gives up when the API server is not healthy within about
        # 10 s of its own start, which a busy machine can exceed. The kubelet starts alongside it.
        manager = None
        if self.binaries.controller_manager is not None:
            manager = self._launch("kube-controller-manager", self._manager_args(made), logs)
        kubelet = None
        if self.with_kubelet:
            kubeconfig = self._component_kubeconfig("kubelet", made.clients["kubelet"])
            command = [sys.executable, "-m", "designer.sandbox.upstream.kubelet"]
            kubelet = self._launch(
                "kubelet", [*command, f"--kubeconfig={kubeconfig}", f"--node={NODE}"], logs
            )
        if manager is not None:
            # Pods cannot be created in a namespace before its "default" service account exists.
            manager.wait_until(
                lambda: bool(self._get("/api/v1/namespaces/default/serviceaccounts/default")),
                self.start_timeout,
            )
            ready("kube-controller-manager")
        if kubelet is not None:
            kubelet.wait_until(self._node_ready, 30)
            ready("kubelet")

    def _launch(self, name: str, args: list[str], logs: Path) -> Process:
        process = Process(name, args, logs / f"{name}.log").start()
        self.processes.append(process)
        return process

    def _apiserver_args(self, made: pki.Pki, etcd_url: str) -> list[str]:
        return [
            str(self.binaries.apiserver),
            f"--etcd-servers={etcd_url}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={self.port}",
            f"--cert-dir={self.state_dir / 'apiserver'}",
            f"--tls-cert-file={made.serving.cert}",
            f"--tls-private-key-file={made.serving.key}",
            f"--client-ca-file={made.ca_cert}",
            f"--token-auth-file={made.token_file}",
            "--authorization-mode=RBAC",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={made.service_account_pub}",
            f"--service-account-signing-key-file={made.service_account_key}",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--allow-privileged=true",
            "--endpoint-reconciler-type=none",  # a loopback address cannot be the kubernetes Service's endpoint
            "--profiling=false",
            "--v=1",
        ]

    def _manager_args(self, made: pki.Pki) -> list[str]:
        assert self.binaries.controller_manager is not None
        kubeconfig = self._component_kubeconfig("controller-manager", made.clients["controller-manager"])
        return [
            str(self.binaries.controller_manager),
            f"--kubeconfig={kubeconfig}",
            "--leader-elect=false",
            "--secure-port=0",
            "--use-service-account-credentials=false",
            f"--service-account-private-key-file={made.service_account_key}",
            f"--root-ca-file={made.ca_cert}",
            f"--cluster-signing-cert-file={made.ca_cert}",
            f"--cluster-signing-key-file={made.ca_key}",
            "--controllers=*," + ",".join(f"-{name}" for name in DISABLED_CONTROLLERS),
            "--v=1",
        ]

    def _component_kubeconfig(self, name: str, credential: pki.ClientCredential) -> Path:
        assert self._pki is not None
        entry = kubeconfigs.Entry(
            name,
            self.url,
            {"client-certificate": str(credential.cert), "client-key": str(credential.key)},
            kubeconfigs.pem_data(self._pki.ca_cert),
        )
        return kubeconfigs.write(self.state_dir / "pki" / f"{name}.kubeconfig", [entry])

    def stop(self) -> None:
        """Stop every process (newest first) and remove etcd's data and the credentials."""
        for process in reversed(self.processes):
            process.terminate()  # all at once: each takes a moment to shut down
        for process in reversed(self.processes):
            process.stop()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.state_dir / "pki", ignore_errors=True)
        if self._own_state:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def supervise(self, poll: float = 0.5) -> None:
        """Block while every process runs; raise the first one's failure (with its log) when one exits."""
        while True:
            for process in self.processes:
                assert process.popen is not None
                code = process.popen.poll()
                if code is not None:
                    raise process.failure(f"exited (code {code})")
            time.sleep(poll)

    # -- kubeconfig --------------------------------------------------------------------------------

    def entries(self, context: str | None = None) -> list[kubeconfigs.Entry]:
        """The admin context and its restricted sibling, credentials embedded."""
        assert self._pki is not None
        name = context or self.context
        ca = kubeconfigs.pem_data(self._pki.ca_cert)
        admin = self._pki.clients["admin"]
        user = {
            "client-certificate-data": kubeconfigs.pem_data(admin.cert),
            "client-key-data": kubeconfigs.pem_data(admin.key),
        }
        return [
            kubeconfigs.Entry(name, self.url, user, ca),
            kubeconfigs.Entry(f"{name}-restricted", self.url, {"token": self.restricted_token}, ca),
        ]

    def write_kubeconfig(self, path: Path, context: str = "sandbox") -> Path:
        self.kubeconfig_path = kubeconfigs.write(path, self.entries(context))
        return path

    # -- readiness ---------------------------------------------------------------------------------

    def _get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=5, context=self.ssl_context) as response:
            return bytes(response.read())

    def _node_ready(self) -> bool:
        node = json.loads(self._get(f"/api/v1/nodes/{NODE}"))
        return any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (node.get("status") or {}).get("conditions") or []
        )

    def wait_until_ready(self, timeout: float = 30.0) -> None:
        """Block until /readyz answers ok (after a restart of a part, for example)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self._get("/readyz") == b"ok":
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.url} not ready after {timeout} s")


def _get_json(url: str, context: ssl.SSLContext | None) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5, context=context) as response:
        loaded = json.loads(response.read())
    return loaded if isinstance(loaded, dict) else {}
