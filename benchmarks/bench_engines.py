"""What the cluster benchmarks (diff_bench.py, apply_bench.py) run against, and how they count requests.

- ``--engine emulator`` (the default), ``kube-apiserver`` or ``both``: the real side is a control plane
  started for the run (upstream etcd, kube-apiserver, kube-controller-manager and designer's simulated
  kubelet; scripts/build-control-plane.sh builds them), or the cluster ``--kubeconfig`` names.
- `RequestLog` counts every HTTP request the kubernetes client sends, in this process, for either
  engine alike (the emulator's own request log only exists on the emulator): method, path, whether it
  was a dry run, and how long it took.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

EMULATOR, REAL = "emulator", "kube-apiserver"


def engines(choice: str) -> list[str]:
    return [EMULATOR, REAL] if choice == "both" else [choice]


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    dry_run: bool
    seconds: float
    status: int  # 0 when no answer came


class RequestLog:
    """Records the kubernetes client's requests while active (a patch of its REST client)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._original: Any = None

    def __enter__(self) -> RequestLog:
        from kubernetes.client import rest

        original = rest.RESTClientObject.request
        log = self

        def request(client: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            status = 0
            try:
                response = original(client, method, url, *args, **kwargs)
                status = int(getattr(response, "status", 0) or 0)
                return response
            except Exception as exc:
                status = int(getattr(exc, "status", 0) or 0)
                raise
            finally:
                parts = urlsplit(url)
                dry = "dryRun" in parse_qs(parts.query)
                with log._lock:
                    log.requests.append(
                        Request(method, parts.path, dry, time.perf_counter() - started, status)
                    )

        self._original = original
        rest.RESTClientObject.request = request  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        from kubernetes.client import rest

        rest.RESTClientObject.request = self._original  # type: ignore[method-assign]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def by_verb(self) -> Counter[str]:
        return Counter(verb(r.method, r.path, r.dry_run) for r in self.requests)

    def answers(self) -> Counter[int]:
        return Counter(r.status for r in self.requests)

    def mean_seconds(self) -> float:
        return sum(r.seconds for r in self.requests) / max(1, len(self.requests))


def verb(method: str, path: str, dry_run: bool) -> str:
    """LIST (a collection), GET (one object), discovery GET, dry-run PATCH, ... of one request."""
    if method != "GET":
        return f"dry-run {method}" if dry_run else method
    parts = path.strip("/").split("/")
    rest = parts[2:] if parts[0] == "api" else parts[3:]  # after /api/v1 or /apis/<group>/<version>
    if not rest or parts[0] not in ("api", "apis"):
        return "discovery GET"
    if rest[0] == "namespaces" and len(rest) >= 3:
        rest = rest[2:]
    return "LIST" if len(rest) == 1 else "GET"


@contextmanager
def real_cluster(folder: Path, kubeconfig: Path | None) -> Iterator[Path]:
    """A kubeconfig for the real side: ``kubeconfig`` as given, or a control plane started now."""
    if kubeconfig is not None:
        yield kubeconfig
        return
    from designer.sandbox.testing import real_control_plane

    with real_control_plane(folder / "control-plane") as plane:
        assert plane.kubeconfig_path is not None
        yield plane.kubeconfig_path
