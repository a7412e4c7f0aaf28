"""The corpora of benchmarks/policy_bench.py: generated manifests, and a repository layout.

* `generate`: about N realistic objects (Deployments, StatefulSets, DaemonSets, Services, ConfigMaps,
  ServiceAccounts, RBAC, Ingresses, HPAs, PDBs, Istio VirtualServices/DestinationRules; with and without
  securityContext, probes, resources) in a few large multi-document files (`app_objects` per application).
* `build_repository`: several hundred files of 1-5 objects each, as teams keep them (pre-merge checks run
  on such repositories). It is built, never copied:
  * ``apps/<app>/``: the generated applications, each split the way teams split them (workload, service,
    autoscaling, ingress, RBAC, mesh routing), so cross-object checks see only what shares a file, as
    designer does;
  * ``samples/<template>/``: the Kubernetes objects of the Gatekeeper library's samples in
    ../shared/testdata (Pods, Services, Ingresses, RBAC…), re-serialised, three per file, skipping what
    the API server does not store (AdmissionReview) or a design cannot hold (no name, a duplicate);
  * ``patterns/<pattern>/``: the objects designer renders from the Meshery patterns in
    ../shared/testdata, written out as plain manifests, four per file.

Caller: benchmarks/policy_bench.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

SHARED_TESTDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "testdata"

# How the generated objects of one application are split into files (by kind), as a team would.
_APP_FILES = {
    "workload.yaml": ("ServiceAccount", "ConfigMap", "Deployment", "StatefulSet", "DaemonSet"),
    "service.yaml": ("Service",),
    "scaling.yaml": ("PodDisruptionBudget", "HorizontalPodAutoscaler"),
    "ingress.yaml": ("Ingress",),
    "rbac.yaml": ("Role", "RoleBinding"),
    "routing.yaml": ("VirtualService", "DestinationRule"),
}

Objects = list[dict[str, Any]]


def app_objects(i: int, ns: str) -> Iterator[dict[str, Any]]:
    """One application: about 10 objects, with deliberate variety (some hardened, some not)."""
    name = f"app-{i}"
    labels = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/version": f"1.{i % 7}.0",
        "team": f"t{i % 5}",
    }
    hardened = i % 3 == 0
    container: dict[str, Any] = {
        "name": name,
        "image": f"registry.example.com/{name}:{'1.2.' + str(i % 9) if i % 4 else 'latest'}",
        "ports": [{"containerPort": 8080, "name": "http"}],
        "env": [
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "DB_PASSWORD", "value": "hunter2"} if i % 6 == 1 else {"name": "MODE", "value": "prod"},
        ],
        "envFrom": [{"configMapRef": {"name": f"{name}-config"}}],
    }
    if hardened:
        container["securityContext"] = {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        container["resources"] = {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "500m", "memory": "256Mi"},
        }
        container["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}}
        container["livenessProbe"] = {"httpGet": {"path": "/live", "port": 8080}}
    elif i % 3 == 1:
        container["securityContext"] = {"privileged": i % 2 == 0}
        container["resources"] = {"requests": {"cpu": "50m"}}
    pod: dict[str, Any] = {
        "metadata": {"labels": labels},
        "spec": {"serviceAccountName": name, "containers": [container]},
    }
    if i % 10 == 7:
        pod["spec"]["hostNetwork"] = True
        pod["spec"]["volumes"] = [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]
    meta = {"name": name, "namespace": ns, "labels": labels}
    kind = ["Deployment", "Deployment", "StatefulSet", "Deployment", "DaemonSet"][i % 5]
    workload: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": meta,
        "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": name}}, "template": pod},
    }
    if kind != "DaemonSet":
        workload["spec"]["replicas"] = 1 + i % 3
    if kind == "StatefulSet":
        workload["spec"]["serviceName"] = name
    yield {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta}
    yield {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {**meta, "name": f"{name}-config"},
        "data": {"a": "b"},
    }
    yield workload
    yield {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {
            "type": "NodePort" if i % 8 == 3 else "ClusterIP",
            "selector": {"app.kubernetes.io/name": name if i % 9 else f"{name}-typo"},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }
    yield {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta,
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app.kubernetes.io/name": name}}},
    }
    yield {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta,
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
                }
            ],
        },
    }
    yield {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta,
        "spec": {
            "rules": [
                {
                    "host": f"{name}.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": name, "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ]
        },
    }
    yield {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": meta,
        "rules": [
            {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"] if i % 7 else ["*"]}
        ],
    }
    yield {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": meta,
        "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
    }
    yield {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": meta,
        "spec": {
            "hosts": [name],
            "http": [{"route": [{"destination": {"host": name, "subset": "v1"}}], "timeout": "5s"}],
        },
    }
    yield {
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": meta,
        "spec": {"host": name, "subsets": [{"name": "v1", "labels": {"app.kubernetes.io/version": "1.0.0"}}]},
    }


def generate(folder: Path, objects: int, files: int) -> int:
    """Write about ``objects`` objects into ``files`` multi-document files; returns the exact count."""
    docs: list[list[dict[str, Any]]] = [[] for _ in range(files)]
    count = 0
    i = 0
    while count < objects:
        ns = f"team-{i % files}"
        bucket = docs[i % files]
        if not any(d["kind"] == "Namespace" for d in bucket):
            bucket.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            count += 1
        for obj in app_objects(i, ns):
            bucket.append(obj)
            count += 1
        i += 1
    for n, bucket in enumerate(docs):
        (folder / f"manifests-{n:02d}.yaml").write_text(yaml.safe_dump_all(bucket, sort_keys=False))
    return count


def build_repository(folder: Path, files: int) -> dict[str, int]:
    """Write ``files`` files under ``folder``; returns the counts of files and objects written.

    The shared test data (samples, patterns) come first; generated applications fill up to ``files``.
    """
    written = {"files": 0, "objects": 0}

    def write(path: Path, objects: Objects) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump_all(objects, sort_keys=False), encoding="utf-8")
        written["files"] += 1
        written["objects"] += len(objects)

    for name, objects in _sample_groups():
        for n, chunk in enumerate(_chunks(objects, 3)):
            write(folder / "samples" / name / f"objects-{n}.yaml", chunk)
    for name, objects in _pattern_groups():
        for n, chunk in enumerate(_chunks(objects, 4)):
            write(folder / "patterns" / name / f"objects-{n}.yaml", chunk)
    i = 0
    while written["files"] < files:
        by_file: dict[str, Objects] = {}
        for obj in app_objects(i, f"team-{i % 8}"):
            file = next(f for f, kinds in _APP_FILES.items() if obj["kind"] in kinds)
            by_file.setdefault(file, []).append(obj)
        for file, objects in by_file.items():
            if written["files"] < files:
                write(folder / "apps" / f"app-{i}" / file, objects)
        i += 1
    return written


def _chunks(objects: Objects, size: int) -> Iterator[Objects]:
    for start in range(0, len(objects), size):
        yield objects[start : start + size]


def _storable(obj: Any) -> bool:
    """An object the API server stores and a design can hold: apiVersion, kind and a string name, and
    fields that fit its kind (a sample Pod with only ephemeral containers, a pattern's autoscaling/v1
    HPA with v2's metrics are refused: `design validate` reports them as errors)."""
    from designer.kubetypes import shapes
    from designer.kubetypes.conformance import check

    if not isinstance(obj, dict) or obj.get("kind") in (None, "AdmissionReview"):
        return False
    meta = obj.get("metadata")
    if not (
        isinstance(obj.get("apiVersion"), str)
        and isinstance(meta, dict)
        and isinstance(meta.get("name"), str)
    ):
        return False
    shape = shapes.for_kind(obj["apiVersion"], str(obj["kind"]))
    return shape is None or not check(obj, shape)


def _sample_groups() -> Iterator[tuple[str, Objects]]:
    """Per Gatekeeper template: the distinct objects of its samples (constraints and templates excluded)."""
    root = _testdata("gatekeeper-library")
    for template in sorted(p.parent for p in root.rglob("template.yaml")):
        objects: Objects = []
        for sample in sorted(template.glob("samples/*/*.yaml")):
            if sample.name != "constraint.yaml":
                objects.extend(yaml.safe_load_all(sample.read_text(encoding="utf-8")))
        if distinct := _distinct(objects):
            yield template.name, distinct


def _pattern_groups() -> Iterator[tuple[str, Objects]]:
    """Per Meshery pattern: the distinct Kubernetes objects designer renders from it."""
    from designer.adapters.registry import AdapterRegistry
    from designer.graph import build_graph
    from designer.loading import read_file
    from designer.rendering import render

    registry = AdapterRegistry.from_entry_points()
    for path in sorted(_testdata("meshery-patterns").glob("*.yaml")):
        objects: Objects = []
        # Every design, field errors or not (`_distinct` leaves out the objects the server refuses).
        for design in read_file(path).designs:
            objects.extend(item.body for item in render(design, build_graph(design), registry))
        if distinct := _distinct(objects):
            yield path.stem, distinct


def _distinct(objects: list[Any]) -> Objects:
    """The objects a design can hold, each once (a pattern or a sample set may define one twice)."""
    seen: set[tuple[str, str, str]] = set()
    kept: Objects = []
    for obj in objects:
        if _storable(obj):
            key = (obj["kind"], str(obj["metadata"].get("namespace", "")), obj["metadata"]["name"])
            if key not in seen:
                seen.add(key)
                kept.append(obj)
    return kept


def _testdata(name: str) -> Path:
    path = SHARED_TESTDATA / name
    if not path.is_dir():
        sys.exit(
            f"{path} is missing: the repository corpus is built from ../shared/testdata beside the project"
        )
    return path
