"""The seed corpus of the fuzzer: real files, plus a few small files of the formats they lack.

Real files come from ../shared/testdata (Meshery patterns, Gatekeeper samples, Compose files, Rego
suites' YAML) and the project's patterns/. The hand-written seeds below cover what those miss:
Meshery v1beta1 designs, Lists, files meant for other tools (Kustomization, istioctl's
IstioOperator, a Helm values file) and a native design with variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.conftest import PATTERNS, SHARED


@dataclass(frozen=True, slots=True)
class Seed:
    """One input the mutators start from; ``name`` is the file name the commands see."""

    name: str
    data: bytes


_WRITTEN = {
    "v1beta1-design.yaml": """\
schemaVersion: designs.meshery.io/v1beta1
name: shop
version: 0.0.1
components:
  - id: 11111111-1111-1111-1111-111111111111
    displayName: web
    component: {kind: Deployment, version: apps/v1}
    configuration:
      metadata: {name: web, namespace: shop, labels: {app: web}}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: nginx:1.27}]}
    metadata: {dependsOn: [22222222-2222-2222-2222-222222222222]}
  - id: 22222222-2222-2222-2222-222222222222
    displayName: shop
    component: {kind: Namespace, version: v1}
    configuration: {metadata: {name: shop}}
""",
    "list.yaml": """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings, namespace: default, labels: {app: web}}
    data: {mode: fast}
  - apiVersion: v1
    kind: Service
    metadata:
      name: web
      namespace: default
      annotations: {designer.dev/depends-on: configmap-settings}
    spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
""",
    "kustomization.yaml": """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop
resources: [list.yaml]
commonLabels: {app: web}
images: [{name: nginx, newTag: "1.27"}]
configMapGenerator: [{name: settings, literals: [mode=fast]}]
""",
    "istio-operator.yaml": """\
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  profile: minimal
  meshConfig: {accessLogFile: /dev/stdout}
  components:
    ingressGateways: [{name: istio-ingressgateway, enabled: true}]
  values:
    global: {proxy: {resources: {requests: {cpu: 10m}}}}
""",
    "values.yaml": """\
replicaCount: 2
image: {repository: nginx, tag: "1.27", pullPolicy: IfNotPresent}
service: {type: ClusterIP, port: 80}
ingress: {enabled: false, hosts: [{host: chart.local, paths: [/]}]}
""",
    "variables-design.yaml": """\
apiVersion: designer/v1
kind: Design
metadata: {name: vars, version: 1.0.0}
variables:
  ns: {default: shop}
  replicas: 2
  anchor: &shared {app: web}
components:
  - name: shop-ns
    kind: Namespace
    apiVersion: v1
    objectName: ${ns}
  - name: web
    kind: Deployment
    apiVersion: apps/v1
    namespace: ${ns}
    labels: *shared
    dependsOn: [shop-ns]
    settings:
      spec:
        replicas: ${replicas}
        selector: {matchLabels: *shared}
        template:
          metadata: {labels: *shared}
          spec: {containers: [{name: web, image: "nginx:1.27"}]}
    traits: {wait: {timeout: 120s}, prune: false}
""",
}


def corpus() -> list[Seed]:
    """Every seed, in a stable order (real files first)."""
    real: list[Path] = []
    testdata = SHARED / "testdata"
    if testdata.is_dir():
        real += sorted(p for p in testdata.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    real += sorted(PATTERNS.glob("*.yaml"))
    seeds = [Seed(p.name, p.read_bytes()) for p in real]
    seeds += [Seed(name, text.encode()) for name, text in _WRITTEN.items()]
    return seeds
