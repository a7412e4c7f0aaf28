"""The kubeconfig exec credential plugin and token files, as kubectl runs them: a real plugin program
(exec_credential_plugin.py, run by designer through the kubeconfig) handing out tokens that the API
server checks. What needs only bearer-token authentication runs on both engines (the emulator checks
its token too and answers 401 otherwise); the plugin's failures are caught before any request.
"""

from __future__ import annotations

import base64
import datetime
import os
import pty
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from designer.cluster import credentials
from designer.cluster.connecting import connect
from designer.sandbox.testing import EMULATOR, REAL, engines
from tests.cluster import authkit


@dataclass(frozen=True, slots=True)
class TokenTarget:
    """A server, a valid bearer token for it, and a namespace that token may read."""

    engine: str
    cluster: dict[str, Any]
    token: str
    namespace: str


@pytest.fixture(params=engines())
def token_target(request: pytest.FixtureRequest, sandbox_factory: Any) -> Iterator[TokenTarget]:
    """The emulator started with a token, or a ServiceAccount with read rights on the real control plane."""
    if request.param == EMULATOR:
        token = uuid.uuid4().hex
        server = sandbox_factory(token=token)
        yield TokenTarget(EMULATOR, {"server": server.url}, token, "default")
        return
    plane = request.getfixturevalue("control_plane")
    with authkit.admin_of(plane) as admin:
        namespace = admin.namespace("exec")
        token = admin.service_account_token(namespace, "reader")
        admin.grant(
            namespace, {"kind": "ServiceAccount", "name": "reader", "namespace": namespace}, authkit.READ
        )
        yield TokenTarget(REAL, admin.cluster, token, namespace)


def _token_file(tmp_path: Path, token: str) -> Path:
    path = tmp_path / "token"
    path.write_text(token + "\n", encoding="utf-8")
    return path


def _list(kubeconfig: Path, namespace: str) -> None:
    cluster = connect(kubeconfig, "me", retries=0)
    try:
        cluster.list("v1", "ConfigMap", namespace=namespace)
    finally:
        cluster.close()


def test_a_plugin_credential_is_cached_until_it_expires_then_fetched_once_for_all_threads(
    token_target: TokenTarget, tmp_path: Path
) -> None:
    log = tmp_path / "runs.jsonl"
    exec_ = authkit.plugin_exec(
        log, "--token-file", str(_token_file(tmp_path, token_target.token)), "--expires-in", "3"
    )
    kubeconfig = authkit.user_kubeconfig(tmp_path / "config", token_target.cluster, {"exec": exec_})
    cluster = connect(kubeconfig, "me", retries=0)
    try:
        for _ in range(5):
            cluster.list("v1", "ConfigMap", namespace=token_target.namespace)
        assert len(authkit.plugin_runs(log)) == 1  # one run for the whole command, not one per request
        time.sleep(3.2)  # past expirationTimestamp
        failures: list[BaseException] = []

        def read() -> None:
            try:
                cluster.list("v1", "ConfigMap", namespace=token_target.namespace)
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=read) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(authkit.plugin_runs(log)) == 2  # eight threads found it expired: one new run
    finally:
        cluster.close()


def test_a_refused_plugin_token_is_renewed_once_and_the_request_sent_again(
    token_target: TokenTarget, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "runs.jsonl"
    token = str(_token_file(tmp_path, token_target.token))
    kubeconfig = authkit.user_kubeconfig(
        tmp_path / "config",
        token_target.cluster,
        {"exec": authkit.plugin_exec(log, "--token-file", token, "--bad-first")},
    )
    _list(kubeconfig, token_target.namespace)  # the first token is refused (401): renewed, then it works
    assert len(authkit.plugin_runs(log)) == 2

    always_bad = tmp_path / "revoked"
    always_bad.write_text("revoked-token", encoding="utf-8")
    log2 = tmp_path / "runs2.jsonl"
    authkit.user_kubeconfig(
        tmp_path / "config2",
        token_target.cluster,
        {"exec": authkit.plugin_exec(log2, "--token-file", str(always_bad))},
    )
    design = authkit.design_file(tmp_path)
    code = authkit.design("diff", design, tmp_path / "config2", "me", token_target.namespace)
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err
    assert "Unauthorized" in err or "401" in err
    assert f"the server did not accept the credentials (exec plugin {sys.executable} of context me)" in err
    assert len(authkit.plugin_runs(log2)) == 2  # the first run and one renewal: no loop


def test_a_token_file_is_trimmed_read_relative_to_the_kubeconfig_and_read_again_after_a_401(
    token_target: TokenTarget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "kube"
    (folder / "tokens").mkdir(parents=True)
    token_file = folder / "tokens" / "me.token"
    token_file.write_text(token_target.token + "\n", encoding="utf-8")  # as `echo TOKEN > file` writes it
    kubeconfig = authkit.user_kubeconfig(
        folder / "config", token_target.cluster, {"tokenFile": "tokens/me.token"}
    )
    _list(kubeconfig, token_target.namespace)

    token_file.write_text("revoked-token\n", encoding="utf-8")
    cluster = connect(kubeconfig, "me", retries=0)
    try:
        token_file.write_text(f"  {token_target.token}\n", encoding="utf-8")  # rotated meanwhile
        cluster.list("v1", "ConfigMap", namespace=token_target.namespace)  # 401, read again, sent again
        monkeypatch.setattr(credentials, "TOKEN_FILE_PERIOD", 0.0)
        token_file.write_text(
            "", encoding="utf-8"
        )  # briefly empty while being rewritten: the last token stays
        cluster.list("v1", "ConfigMap", namespace=token_target.namespace)
    finally:
        cluster.close()


def test_what_the_plugin_is_given(token_target: TokenTarget, tmp_path: Path) -> None:
    """KUBERNETES_EXEC_INFO (not interactive; the cluster with its CA as data), env, a relative command."""
    folder = tmp_path / "kube"
    (folder / "bin").mkdir(parents=True)
    wrapper = folder / "bin" / "get-token"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{authkit.PLUGIN}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    cluster = dict(token_target.cluster)
    ca_data = cluster.pop("certificate-authority-data", None)
    if ca_data is not None:  # a CA file in the kubeconfig reaches the plugin as data
        (folder / "ca.crt").write_bytes(base64.b64decode(ca_data))
        cluster["certificate-authority"] = "ca.crt"
    cluster["extensions"] = [
        {"name": "client.authentication.k8s.io/exec", "extension": {"audience": "designer"}}
    ]
    log = tmp_path / "runs.jsonl"
    exec_ = {
        **authkit.plugin_exec(log, "--token-file", str(_token_file(tmp_path, token_target.token))),
        "command": "./bin/get-token",
        "args": ["--log", str(log), "--token-file", str(tmp_path / "token")],
        "env": [{"name": "DESIGNER_PLUGIN_SETTING", "value": "from-kubeconfig"}],
        "provideClusterInfo": True,
    }
    kubeconfig = authkit.user_kubeconfig(folder / "config", cluster, {"exec": exec_})
    _list(kubeconfig, token_target.namespace)
    (given,) = authkit.plugin_runs(log)
    assert given["env"] == "from-kubeconfig"
    assert given["stdin_is_terminal"] is False and given["stdin"] == "eof"
    info = given["info"]
    assert info["apiVersion"] == "client.authentication.k8s.io/v1" and info["kind"] == "ExecCredential"
    assert info["spec"]["interactive"] is False
    assert info["spec"]["cluster"]["server"] == token_target.cluster["server"]
    assert info["spec"]["cluster"].get("certificate-authority-data") == ca_data
    assert info["spec"]["cluster"]["config"] == {"audience": "designer"}


@pytest.mark.skipif(EMULATOR not in engines(), reason="the terminal case runs on the emulator only")
def test_an_interactive_plugin_gets_the_terminal(sandbox_factory: Any, tmp_path: Path) -> None:
    """interactiveMode IfAvailable with a terminal on standard input: the plugin may prompt there."""
    token = uuid.uuid4().hex
    server = sandbox_factory(token=token)
    log = tmp_path / "runs.jsonl"
    exec_ = authkit.plugin_exec(log, "--token-file", str(_token_file(tmp_path, token)), mode="IfAvailable")
    kubeconfig = authkit.user_kubeconfig(tmp_path / "config", {"server": server.url}, {"exec": exec_})
    design = authkit.design_file(tmp_path)
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("design")),
                "diff",
                str(design),
                "--kubeconfig",
                str(kubeconfig),
                "--set",
                "ns=default",
                "--inventory-namespace",
                "default",
            ],
            stdin=secondary,
            capture_output=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(primary)
        os.close(secondary)
    assert done.returncode == 0, done.stderr.decode()
    (given,) = authkit.plugin_runs(log)
    assert given["info"]["spec"]["interactive"] is True and given["stdin_is_terminal"] is True


PLUGIN_FAILURES = {
    "exits non-zero": (
        {
            "command": sys.executable,
            "args": ["-c", "import sys; sys.stderr.write('login required: run sso-login\\n'); sys.exit(2)"],
        },
        ["exited with code 2", "login required: run sso-login"],
    ),
    "is not installed": (
        {
            "command": "designer-test-no-such-plugin",
            "installHint": "install it with `brew install no-such-plugin`",
        },
        ["cannot run the credential plugin designer-test-no-such-plugin", "brew install no-such-plugin"],
    ),
    "prints no JSON": (
        {"command": sys.executable, "args": ["-c", "print('hello')"]},
        ["printed no ExecCredential JSON"],
    ),
    "answers another apiVersion": (
        {
            "command": sys.executable,
            "args": [
                str(authkit.PLUGIN),
                "--log",
                os.devnull,
                "--api-version",
                "client.authentication.k8s.io/v1beta1",
            ],
        },
        ["answered apiVersion 'client.authentication.k8s.io/v1beta1'"],
    ),
    "answers no credential": (
        {"command": sys.executable, "args": [str(authkit.PLUGIN), "--log", os.devnull]},
        ["answered no status.token"],
    ),
    "needs a terminal": (
        {
            "command": sys.executable,
            "args": [str(authkit.PLUGIN), "--log", os.devnull],
            "interactiveMode": "Always",
        },
        ["needs a terminal (interactiveMode: Always)"],
    ),
    "lacks interactiveMode": (
        {"command": sys.executable, "interactiveMode": None},
        ["interactiveMode is None", "requires it"],
    ),
}


@pytest.mark.parametrize("case", PLUGIN_FAILURES)
def test_a_plugin_that_cannot_give_a_credential_is_a_clear_error(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Never an anonymous request instead (the official client logged these and went on without one)."""
    fields, expected = PLUGIN_FAILURES[case]
    exec_ = {"apiVersion": "client.authentication.k8s.io/v1", "interactiveMode": "Never", **fields}
    exec_ = {k: v for k, v in exec_.items() if v is not None}
    kubeconfig = authkit.user_kubeconfig(
        tmp_path / "config", {"server": "http://127.0.0.1:9"}, {"exec": exec_}
    )
    code = authkit.design("diff", authkit.design_file(tmp_path), kubeconfig, "me", "default")
    err = capsys.readouterr().err
    assert code == 3 and "Traceback" not in err
    assert err.startswith("error: kubeconfig user 'user': ")
    for text in expected:
        assert text in err
    assert "anonymous" not in err and "127.0.0.1:9" not in err  # nothing was sent


def test_an_exec_credential_expiry_is_exact(tmp_path: Path) -> None:
    """kubectl's rule: valid until expirationTimestamp, no margin (a 5-minute margin, as the client's
    own loader keeps, would run a plugin with short-lived tokens before every request)."""
    from designer.cluster.execplugin import ExecCredential

    now = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    credential = ExecCredential(token="t", expires=now + datetime.timedelta(seconds=30))
    assert not credential.expired(now) and credential.expired(now + datetime.timedelta(seconds=30))
    assert not ExecCredential(token="t").expired(now)
