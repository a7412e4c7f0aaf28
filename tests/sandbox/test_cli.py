"""`design sandbox up --detach | status | down` as a user runs them: real processes, real kubectl."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from designer.cli.main import run

DESIGN = [sys.executable, "-c", "from designer.cli.main import main; main()"]


def design(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DESIGN, *args], capture_output=True, text=True, timeout=60, env=env, check=False)


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
        assert state["context"] == "designer-sandbox" and state["url"].startswith("http://127.0.0.1:")
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
    finally:
        stopped = design("sandbox", "down", env=env)
    assert stopped.returncode == 0, stopped.stderr
    assert f"pid {state['pid']}" in stopped.stdout
    after = design("sandbox", "status", env=env)
    assert after.returncode == 1 and "no detached sandbox" in after.stdout
    gone = design("sandbox", "down", env=env)
    assert gone.returncode == 3 and "error: no detached sandbox is running" in gone.stderr


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
