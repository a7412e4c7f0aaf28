"""A real OCI registry for the tests: Debian's docker-registry (distribution) on 127.0.0.1.

Started on a free port with its storage in a temporary folder, stopped at teardown. When the binary
is missing the tests fail with a message saying what to install (they are never skipped).
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests import requirements

BINARY = "docker-registry"
START_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Registry:
    """A running registry: its host:port and storage root."""

    host: str
    root: Path

    def blob_path(self, digest: str) -> Path:
        """Where distribution's filesystem driver keeps a blob."""
        hexdigest = digest.removeprefix("sha256:")
        return (
            self.root / "docker" / "registry" / "v2" / "blobs" / "sha256" / hexdigest[:2] / hexdigest / "data"
        )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_registry(workdir: Path) -> Iterator[Registry]:
    """Run docker-registry until the context exits."""
    binary = requirements.executable(BINARY, install="apt-get install docker-registry")
    port = free_port()
    root = workdir / "storage"
    config = workdir / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log: {level: error}\n"
        f"storage: {{filesystem: {{rootdirectory: {root}}}, delete: {{enabled: true}}}}\n"
        f"http: {{addr: 127.0.0.1:{port}}}\n"
    )
    log = (workdir / "registry.log").open("wb")
    proc = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            assert proc.poll() is None, f"docker-registry exited: {(workdir / 'registry.log').read_text()}"
            assert time.monotonic() < deadline, "docker-registry did not answer within 15 s"
            time.sleep(0.05)
        yield Registry(f"127.0.0.1:{port}", root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
