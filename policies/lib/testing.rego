# Fixtures for the Rego unit tests of the built-in checks (package designer.lib.testing).
#
# `input_of(objects)` wraps plain Kubernetes objects into the input shape the checks read (the same
# fields designer.policy.builtin.designs_input writes; tests/policies pins the two together), and
# `designs_input_of(designs)` several designs at once (isolation tests);
# `good_container`, `pod_spec` and `deployment` give a hardened baseline that tests then break one
# field at a time with object.union. Only *_test.rego files use this package.
package designer.lib.testing

import data.designer.lib.k8s
import rego.v1

input_of(objects) := designs_input_of([objects])

# Several designs in one input, as designer evaluates many files at once: `designs` is a list of object
# lists; design d's entries carry the id sprintf("%d", [d]) and indexes run on across designs.
designs_input_of(designs) := {
	"objects": [entry |
		some d, objects in designs
		before := sum([count(earlier) | some e, earlier in designs; e < d])
		some i, obj in objects
		entry := {
			"index": before + i, "design": sprintf("%d", [d]), "component": sprintf("c%d", [before + i]),
			"file": "design.yaml", "line": i + 1, "object": obj,
			"kind": k8s.string_at(obj, "kind"), "namespace": k8s.namespace_of(obj), "name": k8s.name_of(obj),
		}
	],
	"edges": [],
}

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

good_container := {
	"name": "app",
	"image": concat("", ["registry.example.com/team/app:1.2.3@", digest]),
	"imagePullPolicy": "IfNotPresent",
	"ports": [{"name": "http", "containerPort": 8080}],
	"securityContext": {
		"privileged": false,
		"allowPrivilegeEscalation": false,
		"runAsNonRoot": true,
		"readOnlyRootFilesystem": true,
		"capabilities": {"drop": ["ALL"]},
	},
	"resources": {
		"requests": {"cpu": "100m", "memory": "128Mi"},
		"limits": {"cpu": "500m", "memory": "256Mi"},
	},
	"livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
	"readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}},
}

# A container differing from the baseline by `patch` (deep merge).
container(patch) := object.union(good_container, patch)

pod_spec(containers) := {
	"containers": containers,
	"serviceAccountName": "app",
	"automountServiceAccountToken": false,
	"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
	"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
		"weight": 100,
		"podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "web"}}},
	}]}},
}

labels(app) := {"app": app, "app.kubernetes.io/name": app}

deployment(name, containers) := deployment_with(name, pod_spec(containers))

deployment_with(name, spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": name, "namespace": "shop", "labels": labels(name)},
	"spec": {
		"replicas": 2,
		"selector": {"matchLabels": {"app": name}},
		"template": {"metadata": {"labels": labels(name)}, "spec": spec},
	},
}

pod(name, containers) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": name, "namespace": "shop", "labels": labels(name)},
	"spec": pod_spec(containers),
}

service(name, selector, ports) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": name, "namespace": "shop", "labels": labels(name)},
	"spec": {"selector": selector, "ports": ports},
}

object_of(kind, api_version, name, spec) := {
	"apiVersion": api_version,
	"kind": kind,
	"metadata": {"name": name, "namespace": "shop", "labels": labels(name)},
	"spec": spec,
}

# The paths of a check's findings, for compact assertions.
paths(findings) := {f.path | some f in findings}
