"""Every way a kubeconfig can say who the user is works for `design apply`, `diff` and `delete` against the
real kube-apiserver: client certificates (files relative to the kubeconfig, or embedded data), a bearer
token, a token file, an exec plugin handing out a token or a client certificate, and impersonation.
Each user is made through the API (authkit) and may write one namespace only, so a command that
reaches elsewhere is refused by name: that proves which identity the server saw. TLS settings
(certificate-authority file or data, tls-server-name, insecure-skip-tls-verify, a wrong CA) too.

The emulator checks only its own bearer token and does no RBAC: these run on the real control plane.
"""

from __future__ import annotations

import base64
import contextlib
import socket
import threading
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
import yaml

from designer.sandbox.testing import EMULATOR, engines
from designer.sandbox.upstream import pki
from designer.sandbox.upstream.controlplane import ControlPlane
from tests.cluster import authkit

pytestmark = pytest.mark.skipif(
    engines() == [EMULATOR],
    reason="client certificates, ServiceAccount tokens and RBAC exist on the real control plane only "
    "(the emulator checks its own token and does no RBAC)",
)


@pytest.fixture
def admin(control_plane: ControlPlane) -> Iterator[authkit.Admin]:
    if control_plane.binaries.controller_manager is None:
        pytest.skip(
            "client certificates are signed by kube-controller-manager, which envtest's binaries lack"
        )
    with authkit.admin_of(control_plane) as found:
        yield found


def _user(
    kind: str, admin: authkit.Admin, namespace: str, folder: Path
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(the user name the server sees, the kubeconfig cluster section, its user section) for ``kind``,
    with every right on the design's kinds in ``namespace`` and none elsewhere."""
    cluster = admin.cluster
    files = folder / "creds"
    files.mkdir(parents=True, exist_ok=True)
    if kind.startswith("client certificate") or kind == "exec plugin: client certificate":
        user = f"alice-{uuid.uuid4().hex[:6]}"
        cert, key = admin.client_certificate(user, groups=["designer-testers"])
        admin.grant(namespace, {"kind": "User", "name": user}, authkit.EDIT)
        (files / "me.crt").write_bytes(cert)
        (files / "me.key").write_bytes(key)
        if kind == "client certificate files":  # paths relative to the kubeconfig, the CA as a file too
            (files / "ca.crt").write_bytes(admin.ca_pem)
            del cluster["certificate-authority-data"]
            cluster["certificate-authority"] = "creds/ca.crt"
            return user, cluster, {"client-certificate": "creds/me.crt", "client-key": "creds/me.key"}
        if kind == "client certificate data":
            return (
                user,
                cluster,
                {
                    "client-certificate-data": base64.b64encode(cert).decode(),
                    "client-key-data": base64.b64encode(key).decode(),
                },
            )
        log = folder / "plugin-runs.jsonl"
        exec_ = authkit.plugin_exec(log, "--cert", str(files / "me.crt"), "--key", str(files / "me.key"))
        return user, cluster, {"exec": exec_}
    account = f"deployer-{uuid.uuid4().hex[:6]}"
    token = admin.service_account_token(namespace, account)
    admin.grant(namespace, {"kind": "ServiceAccount", "name": account, "namespace": namespace}, authkit.EDIT)
    user = f"system:serviceaccount:{namespace}:{account}"
    if kind == "token":
        return user, cluster, {"token": token}
    (files / "sa.token").write_text(token + "\n", encoding="utf-8")
    if kind == "token file":
        return user, cluster, {"tokenFile": "creds/sa.token"}
    log = folder / "plugin-runs.jsonl"
    return user, cluster, {"exec": authkit.plugin_exec(log, "--token-file", str(files / "sa.token"))}


KINDS = [
    "client certificate files",
    "client certificate data",
    "token",
    "token file",
    "exec plugin: token",
    "exec plugin: client certificate",
]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_credential_applies_diffs_and_deletes(
    kind: str, admin: authkit.Admin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = admin.namespace()
    user, cluster, credentials = _user(kind, admin, namespace, tmp_path)
    kubeconfig = authkit.user_kubeconfig(tmp_path / "config", cluster, credentials)
    design = authkit.design_file(tmp_path)

    assert authkit.design("apply", design, kubeconfig, "me", namespace) == 0, capsys.readouterr().err
    assert admin.config_maps(namespace) == ["designer-inventory-authz", "kube-root-ca.crt", "settings"]
    assert authkit.design("diff", design, kubeconfig, "me", namespace, "--exit-code") == 0  # all noop
    capsys.readouterr()
    # elsewhere the same user has no rights: the refusal names the identity the server saw
    assert authkit.design("diff", design, kubeconfig, "me", "default") == 3
    err = capsys.readouterr().err
    assert f'User "{user}" cannot ' in err and 'in the namespace "default"' in err
    assert authkit.design("delete", design, kubeconfig, "me", namespace) == 0, capsys.readouterr().err
    assert admin.config_maps(namespace) == ["kube-root-ca.crt"]
    if kind.startswith("exec plugin"):
        # once per command (apply, diff, diff, delete), though each sent many requests from several threads
        assert len(authkit.plugin_runs(tmp_path / "plugin-runs.jsonl")) == 4


def test_impersonation_acts_as_the_named_user_and_all_its_groups(
    admin: authkit.Admin, control_plane: ControlPlane, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``as``/``as-groups`` in the kubeconfig (the official client ignored them and acted as the admin)."""
    namespace = admin.namespace()
    admin.grant(
        namespace,
        {"kind": "Group", "name": "release-managers", "apiGroup": "rbac.authorization.k8s.io"},
        authkit.EDIT,
    )
    admin_user = _admin_user(control_plane)
    design = authkit.design_file(tmp_path)

    alone = authkit.user_kubeconfig(tmp_path / "alone", admin.cluster, {**admin_user, "as": "bob"})
    assert authkit.design("apply", design, alone, "me", namespace) == 3
    assert 'User "bob" cannot ' in capsys.readouterr().err  # not the admin's rights

    grouped = {**admin_user, "as": "bob", "as-groups": ["developers", "release-managers"]}
    kubeconfig_path = authkit.user_kubeconfig(tmp_path / "grouped", admin.cluster, grouped)
    # the second group carries the rights: both Impersonate-Group headers reached the server
    assert authkit.design("apply", design, kubeconfig_path, "me", namespace) == 0, capsys.readouterr().err
    assert "settings" in admin.config_maps(namespace)


def _admin_user(control_plane: ControlPlane) -> dict[str, Any]:
    """The admin's kubeconfig user section (its client certificate, embedded)."""
    assert control_plane.kubeconfig_path is not None
    kubeconfig = yaml.safe_load(control_plane.kubeconfig_path.read_text())
    return dict(next(u for u in kubeconfig["users"] if u["name"] == control_plane.context)["user"])


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ({"tls-server-name": "kubernetes.default.svc"}, None),
        ({"tls-server-name": "wrong.example"}, "tls-server-name"),
        ({"certificate-authority-data": "other CA"}, "not signed by the kubeconfig's certificate-authority"),
        ({"certificate-authority-data": None}, "not signed by the kubeconfig's certificate-authority"),
        ({"certificate-authority-data": None, "insecure-skip-tls-verify": True}, None),
    ],
    ids=["tls-server-name", "wrong tls-server-name", "another CA", "no CA", "insecure-skip-tls-verify"],
)
def test_tls_settings_of_the_kubeconfig(
    setting: dict[str, Any],
    expected: str | None,
    admin: authkit.Admin,
    control_plane: ControlPlane,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster = admin.cluster
    for key, value in setting.items():
        if value is None:
            cluster.pop(key, None)
        elif value == "other CA":
            other = pki.authority(tmp_path / "other-ca")
            cluster[key] = base64.b64encode(other.cert.read_bytes()).decode()
        else:
            cluster[key] = value
    kubeconfig = authkit.user_kubeconfig(tmp_path / "config", cluster, _admin_user(control_plane))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = authkit.design("diff", authkit.design_file(tmp_path), kubeconfig, "me", "default")
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if expected is None:
        assert code == 0, err
        assert not [w for w in caught if issubclass(w.category, urllib3.exceptions.InsecureRequestWarning)]
    else:
        assert code == 3
        assert "error: TLS handshake with the Kubernetes API failed" in err and expected in err


class _ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1 that relays bytes and counts its tunnels: the stand-in for a
    corporate proxy (no proxy program is among what the tests install; the relay is real TCP)."""

    def __init__(self) -> None:
        self.tunnels: list[str] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        # shutdown wakes the accept() of the other thread (close alone leaves it blocked forever, and a
        # live thread makes `design validate` in later tests of the session run without workers)
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(conn,), daemon=True).start()

    def _tunnel(self, conn: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                conn.close()
                return
            head += chunk
        method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
        if method != "CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
            conn.close()
            return
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        self.tunnels.append(target)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        for source, sink in ((conn, upstream), (upstream, conn)):
            threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):  # either side ending ends the tunnel (the other pump stops too)
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


def test_proxy_url_sends_every_request_through_the_proxy(
    admin: authkit.Admin, control_plane: ControlPlane, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy = _ConnectProxy()
    try:
        cluster = {**admin.cluster, "proxy-url": proxy.url}
        kubeconfig = authkit.user_kubeconfig(tmp_path / "config", cluster, _admin_user(control_plane))
        code = authkit.design("diff", authkit.design_file(tmp_path), kubeconfig, "me", "default")
        assert code == 0, capsys.readouterr().err
        assert proxy.tunnels and set(proxy.tunnels) == {control_plane.url.removeprefix("https://")}
    finally:
        proxy.close()
