"""A small in-memory fake of the `Cluster` protocol for the engine's unit tests.

A fake, not the sandbox: these tests pin down the scheduler's ordering, failure and rollback logic
with exact, instant control over when an object becomes ready and which write fails, which a real
API server (or the emulator, covered by tests/applying/test_sandbox_apply.py) cannot give
deterministically. It keeps a log of every write with a timestamp and a per-ref readiness delay.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from designer.cluster.base import ResourceInfo, WatchEvent
from designer.cluster.errors import ConflictError, FieldConflict, InvalidError, UnreachableError
from designer.errors import ClusterError
from designer.model import KubeObject, ObjectRef


@dataclass
class FakeCluster:
    """Objects keyed by ref; Deployments/Jobs/CRDs turn ready ``ready_after[name]`` seconds after a write."""

    objects: dict[ObjectRef, KubeObject] = field(default_factory=dict)
    log: list[tuple[float, str, ObjectRef]] = field(default_factory=list)  # (time, verb, ref)
    ready_after: dict[str, float] = field(default_factory=dict)  # object name -> seconds
    failing: dict[str, ClusterError] = field(default_factory=dict)  # object name -> error on apply
    terminal: set[str] = field(default_factory=set)  # names whose rollout fails
    written_at: dict[ObjectRef, float] = field(default_factory=dict)
    ready_at: dict[ObjectRef, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latency: float = 0.0  # seconds each apply takes
    in_flight: int = 0
    max_in_flight: int = 0
    context_name: str = "fake"
    default_namespace: str = "default"

    def close(self) -> None:
        pass

    def resource_info(self, api_version: str, kind: str) -> ResourceInfo:
        return ResourceInfo(
            api_version=api_version,
            kind=kind,
            plural=kind.lower() + "s",
            namespaced=kind not in {"Namespace", "CustomResourceDefinition"},
        )

    def is_namespaced(self, api_version: str, kind: str) -> bool:
        return self.resource_info(api_version, kind).namespaced

    def invalidate_discovery(self) -> None:
        pass

    def get(self, ref: ObjectRef) -> KubeObject | None:
        with self.lock:
            body = self.objects.get(ref)
            if body is None:
                return None
            body = copy.deepcopy(body)
        self._status(ref, body)
        return body

    def _status(self, ref: ObjectRef, body: KubeObject) -> None:
        """Simulated controllers: status appears once the object's delay has passed."""
        delay = self.ready_after.get(ref.name, 0.0)
        ready = time.monotonic() >= self.written_at.get(ref, 0.0) + delay
        if ready and ref not in self.ready_at:
            self.ready_at[ref] = time.monotonic()
        gen = body["metadata"].get("generation", 1)
        if ref.kind == "Deployment":
            n = body.get("spec", {}).get("replicas", 1)
            if ref.name in self.terminal:
                body["status"] = {
                    "observedGeneration": gen,
                    "conditions": [
                        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
                    ],
                }
            elif ready:
                body["status"] = {
                    "observedGeneration": gen,
                    "replicas": n,
                    "updatedReplicas": n,
                    "availableReplicas": n,
                    "readyReplicas": n,
                }
            else:
                body["status"] = {"observedGeneration": gen}
        elif ref.kind == "CustomResourceDefinition":
            body["status"] = {"conditions": [{"type": "Established", "status": "True" if ready else "False"}]}

    def list(
        self, api_version: str, kind: str, *, namespace: str | None = None, label_selector: str | None = None
    ) -> list[KubeObject]:
        return [copy.deepcopy(b) for r, b in sorted(self.objects.items()) if r.kind == kind]

    def apply(
        self, body: KubeObject, *, field_manager: str = "designer", dry_run: bool = False, force: bool = False
    ) -> KubeObject:
        ref = ObjectRef.of(body)
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.latency)
            return self._apply(ref, body)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _apply(self, ref: ObjectRef, body: KubeObject) -> KubeObject:
        if ref.name in self.failing:
            error = self.failing[ref.name]
            if not isinstance(error, UnreachableError):
                raise error
            del self.failing[ref.name]  # a transient failure happens once
            raise error
        with self.lock:
            old = self.objects.get(ref)
            stored = copy.deepcopy(body)
            meta = stored.setdefault("metadata", {})
            gen = (old or {}).get("metadata", {}).get("generation", 0)
            meta["generation"] = gen + 1 if old is None or old.get("spec") != stored.get("spec") else gen
            meta["uid"] = (old or {}).get("metadata", {}).get("uid", f"uid-{ref.name}")
            self.objects[ref] = stored
            self.written_at[ref] = time.monotonic()
            self.ready_at.pop(ref, None)
            self.log.append((time.monotonic(), "apply", ref))
        result = copy.deepcopy(stored)
        self._status(ref, result)
        return result

    def delete(self, ref: ObjectRef, *, propagation: str = "Background", dry_run: bool = False) -> bool:
        with self.lock:
            self.log.append((time.monotonic(), "delete", ref))
            return self.objects.pop(ref, None) is not None

    def watch(self, api_version: str, kind: str, **kw: Any) -> Iterator[WatchEvent]:
        return iter(())

    def list_resource_version(
        self, api_version: str, kind: str, *, namespace: str | None = None
    ) -> str | None:
        return None

    def writes(self) -> list[ObjectRef]:
        return [ref for _, verb, ref in self.log if verb == "apply" and ref.kind != "ConfigMap"]


def invalid(name: str) -> InvalidError:
    return InvalidError(f"apply {name}: spec.replicas: Invalid value: -1", immutable=False)


def conflict(name: str) -> ConflictError:
    return ConflictError(f"apply {name}: conflict", conflicts=(FieldConflict("spec.replicas", "kubectl"),))
