"""`design sandbox up --detach | status | down` as a user runs them: real processes, real kubectl."""

from __future__ import annotations

import base64
import json
import os
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from designer.cli.main import run
from designer.sandbox.testing import required_binaries
from tests.conftest import PATTERNS

DESIGN = [sys.executable, "-c", "from designer.cli.main import main; main()"]


def design(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DESIGN, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def test_help_says_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["sandbox", "--help"]) == 0
    out = capsys.readouterr().out
    assert "emulator" in out and "no containers" in out


def test_up_detach_kubectl_status_down(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\ncurrent-context: other\n",
        encoding="utf-8",
    )
    started = design(
        "sandbox", "up", "--detach", "--kubeconfig", str(kubeconfig), "--output", "json", env=env
    )
    assert started.returncode == 0, started.stderr
    state = json.loads(started.stdout)
    try:
        assert state["context"] == "designer-sandbox" and state["url"].startswith("https://127.0.0.1:")
        got = subprocess.run(
            [
                "kubectl",
                "--kubeconfig",
                str(kubeconfig),
                "--context",
                "designer-sandbox",
                "get",
                "namespaces",
                "-o",
                "name",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert got.returncode == 0, got.stderr
        assert "namespace/default" in got.stdout.split()
        assert "current-context: other" in kubeconfig.read_text(encoding="utf-8")  # merged, not replaced
        status = design("sandbox", "status", "--output", "json", env=env)
        assert status.returncode == 0 and json.loads(status.stdout)["pid"] == state["pid"]
        again = design("sandbox", "up", "--detach", "--kubeconfig", str(kubeconfig), env=env)
        assert again.returncode == 3 and "already running" in again.stderr
        # A foreground one too: it must not start a second server and orphan the first.
        foreground = design("sandbox", "up", "--kubeconfig", str(tmp_path / "other"), env=env)
        assert foreground.returncode == 3 and f"already running (pid {state['pid']}" in foreground.stderr
    finally:
        stopped = design("sandbox", "down", "-o", "json", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(stopped.stdout) == {
        "schema_version": 1,
        "stopped": True,
        "engine": "emulator",
        "pid": state["pid"],
    }
    after = design("sandbox", "status", "-o", "json", env=env)
    assert after.returncode == 1 and json.loads(after.stdout) == {"schema_version": 1, "running": False}
    gone = design("sandbox", "down", env=env)
    assert gone.returncode == 3 and "error: no detached sandbox is running" in gone.stderr
    # The context is still in the kubeconfig, but nothing serves it: say so, without retrying.
    stale = design("diff", str(PATTERNS / "httpbin.yaml"), "--context", "designer-sandbox",
                   "--kubeconfig", str(kubeconfig), env=env)  # fmt: skip
    assert stale.returncode == 3
    assert "error: the sandbox is not running (nothing listens at https://127.0.0.1:" in stale.stderr


def test_emulator_answers_only_the_kubeconfig_token(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    kubeconfig = tmp_path / "config"
    started = design("sandbox", "up", "--detach", "--kubeconfig", str(kubeconfig), "-o", "json", env=env)
    assert started.returncode == 0, started.stderr
    state = json.loads(started.stdout)
    try:
        assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
        loaded = yaml.safe_load(kubeconfig.read_text(encoding="utf-8"))
        token = next(u["user"]["token"] for u in loaded["users"] if u["name"] == "designer-sandbox")
        ca = next(c["cluster"]["certificate-authority-data"] for c in loaded["clusters"])
        tls = ssl.create_default_context(cadata=base64.b64decode(ca).decode())  # the sandbox's own CA
        url = f"{state['url']}/api/v1/namespaces"
        with pytest.raises(urllib.error.HTTPError) as anonymous:
            urllib.request.urlopen(url, timeout=10, context=tls)
        anonymous.value.close()
        assert anonymous.value.code == 401
        wrong = urllib.request.Request(url, headers={"Authorization": "Bearer " + token[:-1]})
        with pytest.raises(urllib.error.HTTPError) as guessed:
            urllib.request.urlopen(wrong, timeout=10, context=tls)
        guessed.value.close()
        assert guessed.value.code == 401
        right = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(right, timeout=10, context=tls) as answer:
            assert json.loads(answer.read())["kind"] == "NamespaceList"
        with urllib.request.urlopen(f"{state['url']}/healthz", timeout=10, context=tls) as health:
            assert health.read() == b"ok"  # public, as on a real API server
    finally:
        design("sandbox", "down", env=env)


def test_down_never_signals_a_process_that_reused_the_pid(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        state_file = tmp_path / "state" / "designer" / "sandbox" / "state.json"
        state_file.parent.mkdir(parents=True)
        state_file.write_text(json.dumps({
            "pid": bystander.pid, "url": "http://127.0.0.1:1", "kubeconfig": "k", "context": "designer-sandbox",
            "engine": "emulator", "started": "1",  # the sandbox's start time, not the bystander's
        }))  # fmt: skip
        result = design("sandbox", "down", env=env)
        assert result.returncode == 3
        assert f"pid {bystander.pid}, which is now another process" in result.stderr
        assert bystander.poll() is None
        assert not state_file.exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_port_in_use_is_said_at_once_when_detached(tmp_path: Path) -> None:
    import socket

    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = design(
            "sandbox", "up", "--detach", "--port", str(port), "--kubeconfig", str(tmp_path / "kc"), env=env
        )
    assert result.returncode == 3
    assert f"error: cannot serve on 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "hint: choose another --port" in result.stderr


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = design("sandbox", "up", "--port", str(port), "--kubeconfig", str(tmp_path / "kc"), env=env)
    assert result.returncode == 3
    assert f"error: cannot serve on 127.0.0.1:{port}" in result.stderr
    assert "hint: choose another --port" in result.stderr


def test_kube_apiserver_engine_a_new_users_first_run(tmp_path: Path) -> None:
    """The README's flow on the real control plane: the real deployment controller makes httpbin
    Available, a second diff is all noop, delete leaves nothing, down stops every process."""
    found = required_binaries()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    kubeconfig = str(tmp_path / "config")
    started = design(
        "sandbox", "up", "--engine", "kube-apiserver", "--binaries", str(found.folder), "--detach",
        "--kubeconfig", kubeconfig, "-o", "json", env=env, timeout=180,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    state = json.loads(started.stdout)
    pids = state["pids"]
    try:
        assert state["engine"] == "kube-apiserver" and state["url"].startswith("https://127.0.0.1:")
        assert set(pids) == {"etcd", "kube-apiserver", "kube-controller-manager", "kubelet"}
        status = design("sandbox", "status", env=env)
        assert status.returncode == 0 and "a real kube-apiserver" in status.stdout
        context = ("--context", "designer-sandbox", "--kubeconfig", kubeconfig)
        httpbin = str(PATTERNS / "httpbin.yaml")
        applied = design("apply", httpbin, *context, "--yes", env=env, timeout=180)
        assert applied.returncode == 0, applied.stderr + applied.stdout
        got = subprocess.run(
            ["kubectl", *context, "get", "deploy", "httpbin", "-n", "httpbin", "-o", "json", "--show-managed-fields"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        deployment = json.loads(got.stdout)
        available = [c for c in deployment["status"]["conditions"] if c["type"] == "Available"]
        assert available[0]["status"] == "True" and available[0]["reason"] == "MinimumReplicasAvailable"
        writers = {(e["manager"], e.get("subresource")) for e in deployment["metadata"]["managedFields"]}
        assert ("kube-controller-manager", "status") in writers  # the real deployment controller
        again = design("diff", httpbin, *context, "--exit-code", env=env)
        assert again.returncode == 0, again.stdout  # all noop
        deleted = design("delete", httpbin, *context, "--yes", env=env, timeout=180)
        assert deleted.returncode == 0, deleted.stderr
        gone = subprocess.run(
            ["kubectl", *context, "get", "namespace", "httpbin"], capture_output=True, text=True, timeout=60
        )
        assert gone.returncode == 1 and "NotFound" in gone.stderr
        restricted = design(
            "diff", httpbin, "--context", "designer-sandbox-restricted", "--kubeconfig", kubeconfig, env=env
        )
        assert restricted.returncode == 3 and "designer-restricted" in restricted.stderr
    finally:
        stopped = design("sandbox", "down", env=env, timeout=60)
    assert stopped.returncode == 0, stopped.stderr
    for pid in pids.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # every process of the control plane is gone
    assert not (tmp_path / "state" / "designer" / "sandbox" / "kube-apiserver" / "pki").exists()


def test_kube_apiserver_engine_without_binaries_says_how_to_get_them(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KUBEBUILDER_ASSETS"}
    env |= {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")  # no setup-envtest store either
    result = design("sandbox", "up", "--engine", "kube-apiserver", "--detach", env=env)
    assert result.returncode == 3
    assert result.stderr.startswith("error: no etcd and kube-apiserver binaries found (looked in ")
    assert "hint: build them with scripts/build-control-plane.sh" in result.stderr
    assert not (tmp_path / "state" / "designer" / "sandbox" / "sandbox.log").exists()  # nothing was started
