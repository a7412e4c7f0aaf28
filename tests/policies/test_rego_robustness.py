"""The built-in checks never abort an evaluation on odd but parseable manifests.

regorus turns `some x in null`, count(null), object.get(null, ...) and string builtins on
non-strings into runtime errors that abort the whole evaluation (OPA would just be undefined), so
one `env: null` in a design could hide every finding. This test takes a rich sample of every kind the
library reads, derives one variant per key path with the value replaced by null, a number and an empty
list, and evaluates all the variants in one input: no policy error may occur.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from designer.policy import rego_tests
from designer.policy.backend import RegoEngine
from designer.policy.builtin import object_entry
from tests.conftest import ROOT

CONTAINER = {
    "name": "app",
    "image": "registry.example.com/app:1.0",
    "ports": [{"name": "http", "containerPort": 8080, "hostPort": 8080}],
    "env": [
        {"name": "DB_PASSWORD", "value": "x"},
        {"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "a"}}},
        {"name": "B", "valueFrom": {"secretKeyRef": {"name": "sec", "key": "b"}}},
    ],
    "envFrom": [{"configMapRef": {"name": "cm"}}, {"secretRef": {"name": "sec"}}],
    "securityContext": {
        "privileged": True,
        "runAsUser": 0,
        "capabilities": {"add": ["SYS_ADMIN"], "drop": ["NET_RAW"]},
        "seccompProfile": {"type": "Unconfined"},
        "procMount": "Unmasked",
        "windowsOptions": {"hostProcess": True},
    },
    "resources": {"requests": {"cpu": "1"}, "limits": {"memory": "1Gi"}},
    "livenessProbe": {"tcpSocket": {"port": 8080}},
}

POD_SPEC = {
    "containers": [CONTAINER],
    "initContainers": [{"name": "init", "image": "busybox"}],
    "volumes": [
        {"name": "a", "configMap": {"name": "cm"}},
        {"name": "b", "secret": {"secretName": "sec"}},
        {"name": "c", "persistentVolumeClaim": {"claimName": "pvc"}},
        {"name": "d", "hostPath": {"path": "/etc"}},
        {"name": "e", "projected": {"sources": [{"configMap": {"name": "cm"}}, {"secret": {"name": "s"}}]}},
    ],
    "imagePullSecrets": [{"name": "pull"}],
    "serviceAccountName": "app",
    "hostNetwork": True,
    "securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}], "runAsNonRoot": True},
    "affinity": {"podAntiAffinity": {}},
    "topologySpreadConstraints": [{"maxSkew": 1}],
}

META = {
    "name": "web",
    "namespace": "shop",
    "labels": {"app": "web", "istio-injection": "enabled"},
    "annotations": {"linkerd.io/inject": "enabled"},
}
TEMPLATE_META = {
    "labels": {"app": "web"},
    "annotations": {"sidecar.istio.io/inject": "false", "config.linkerd.io/skip-inbound-ports": "1"},
}


def _obj(api: str, kind: str, **rest: Any) -> dict[str, Any]:
    return {"apiVersion": api, "kind": kind, "metadata": copy.deepcopy(META), **rest}


SAMPLES: list[dict[str, Any]] = [
    _obj(
        "apps/v1",
        "Deployment",
        spec={
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "x"}]},
            "strategy": {"type": "Recreate", "rollingUpdate": {"maxUnavailable": "100%"}},
            "template": {"metadata": TEMPLATE_META, "spec": POD_SPEC},
        },
    ),
    _obj(
        "batch/v1beta1",
        "CronJob",
        spec={"jobTemplate": {"spec": {"template": {"metadata": TEMPLATE_META, "spec": POD_SPEC}}}},
    ),
    _obj("v1", "ReplicationController", spec={"selector": {"app": "web"}, "template": {"spec": POD_SPEC}}),
    _obj(
        "v1",
        "Service",
        spec={
            "type": "LoadBalancer",
            "selector": {"app": "web"},
            "externalIPs": ["1.2.3.4"],
            "ports": [{"name": "http", "port": 80, "targetPort": "web"}],
        },
    ),
    _obj("v1", "ServiceAccount", automountServiceAccountToken=False),
    _obj("v1", "Namespace"),
    _obj(
        "networking.k8s.io/v1",
        "Ingress",
        spec={
            "tls": [{"hosts": ["a.example.com"]}],
            "defaultBackend": {"service": {"name": "web", "port": {"number": 80}}},
            "backend": {"serviceName": "web", "servicePort": 80},
            "rules": [
                {
                    "host": "*.example.com",
                    "http": {"paths": [{"backend": {"service": {"name": "x", "port": {"name": "h"}}}}]},
                }
            ],
        },
    ),
    _obj(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        spec={"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 5, "maxReplicas": 2},
    ),
    _obj(
        "policy/v1",
        "PodDisruptionBudget",
        spec={"maxUnavailable": 0, "selector": {"matchLabels": {"app": "x"}}},
    ),
    _obj("networking.k8s.io/v1", "NetworkPolicy", spec={"podSelector": {"matchLabels": {"app": "web"}}}),
    _obj(
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        rules=[{"apiGroups": ["*"], "resources": ["secrets", "pods/exec", "*"], "verbs": ["*", "bind"]}],
    ),
    _obj(
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        roleRef={"kind": "ClusterRole", "name": "cluster-admin"},
        subjects=[{"kind": "User", "name": "x"}],
    ),
    _obj(
        "networking.istio.io/v1",
        "VirtualService",
        spec={
            "hosts": ["*"],
            "gateways": ["mesh", "edge", "other/gw"],
            "http": [
                {
                    "name": "r",
                    "route": [{"destination": {"host": "web", "subset": "v9"}}],
                    "mirror": {"host": "web.shop.svc.cluster.local"},
                }
            ],
            "tcp": [{"route": [{"destination": {"host": "db.shop"}}]}],
            "tls": [{"route": [{"destination": {"host": "api.example.com"}}]}],
        },
    ),
    _obj(
        "networking.istio.io/v1",
        "DestinationRule",
        spec={
            "host": "web",
            "subsets": [{"name": "v1", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}],
            "trafficPolicy": {
                "tls": {"mode": "DISABLE"},
                "portLevelSettings": [{"port": {"number": 80}, "tls": {"mode": "DISABLE"}}],
            },
        },
    ),
    _obj("networking.istio.io/v1", "Gateway", spec={"selector": {"app": "gw"}}),
    _obj("networking.istio.io/v1", "ServiceEntry", spec={"hosts": ["api.example.com"]}),
    _obj(
        "security.istio.io/v1",
        "PeerAuthentication",
        spec={"mtls": {"mode": "PERMISSIVE"}, "portLevelMtls": {"80": {"mode": "DISABLE"}}},
    ),
    _obj(
        "security.istio.io/v1", "AuthorizationPolicy", spec={"action": "ALLOW", "rules": [{}, {"from": []}]}
    ),
    _obj(
        "policy.linkerd.io/v1beta3",
        "Server",
        spec={"podSelector": {"matchLabels": {"app": "web"}}, "port": "x"},
    ),
    _obj(
        "policy.linkerd.io/v1beta3",
        "HTTPRoute",
        spec={
            "parentRefs": [
                {"group": "policy.linkerd.io", "kind": "Server", "name": "s", "namespace": "shop"},
                {"group": "core", "kind": "Service", "name": "svc"},
            ]
        },
    ),
]

REPLACEMENTS: list[Any] = [None, 7, []]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


def _replaced(obj: dict[str, Any], path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    twin = copy.deepcopy(obj)
    target: Any = twin
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return twin


def variants() -> list[dict[str, Any]]:
    found = [copy.deepcopy(s) for s in SAMPLES]
    for sample in SAMPLES:
        for path in _paths(sample):
            if path[0] in ("apiVersion", "kind"):
                continue  # the loader guarantees both are strings
            found.extend(_replaced(sample, path, new) for new in REPLACEMENTS)
    return found


def test_odd_values_never_abort_the_evaluation() -> None:
    modules = rego_tests.collect_modules([ROOT / "policies"], with_library=False)
    engine = RegoEngine()
    for module in modules:
        if not module.path.endswith("_test.rego"):
            engine.add_module(module)
    objects = variants()
    assert len(objects) > 1500
    document = {
        "objects": [object_entry(i, f"c{i}", "d.yaml", 1, o) for i, o in enumerate(objects)],
        "edges": [],
    }
    engine.set_input_json(json.dumps(document))
    result = engine.eval_query("data.designer.checks")[0]
    fired = {name for name, body in result.items() if body.get("findings")}
    # The samples are deliberately bad: nearly every check must still fire somewhere.
    assert len(fired) >= 55, sorted(set(result) - fired)
