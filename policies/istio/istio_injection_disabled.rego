package designer.checks.istio_injection_disabled

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-106",
	"title": "Istio sidecar injection disabled in a meshed namespace",
	"severity": "medium",
	"rationale": "A pod that opts out of injection in a meshed namespace sends plain text, escapes mTLS and authorization policies, and breaks STRICT peers.",
	"remediation": "Remove sidecar.istio.io/inject: \"false\" from the pod template (or move the workload out of the meshed namespace).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Namespace"],
}

# Namespaces of the design labelled for injection.
# Namespace objects that turn injection on: "design/name".
_meshed contains concat("/", [entry.design, entry.name]) if {
	some entry in k8s.objects_of_kind.Namespace
	labels := k8s.object_at(entry.object, ["metadata", "labels"])
	_injecting(labels)
}

_injecting(labels) if labels["istio-injection"] == "enabled"

_injecting(labels) if {
	not labels["istio-injection"] == "disabled"
	k8s.string_at(labels, "istio.io/rev") != ""
}

_istio_routing := {"VirtualService", "DestinationRule", "PeerAuthentication", "AuthorizationPolicy", "Sidecar"}

# Namespaces holding Istio configuration: "design/namespace".
_istio_namespaces contains concat("/", [entry.design, entry.namespace]) if {
	some kind in _istio_routing
	some entry in k8s.get(k8s.objects_of_kind, kind, set())
}

findings contains f if {
	some p in k8s.pods
	concat("/", [p.design, p.namespace]) in _meshed
	some where, values in {"labels": p.labels, "annotations": p.annotations}
	k8s.string_at(values, "sidecar.istio.io/inject") == "false"
	prefix := trim_suffix(p.path, "spec")
	f := {
		"index": p.index,
		"msg": sprintf("%s opts out of sidecar injection (%s sidecar.istio.io/inject: \"false\") in meshed namespace %s", [p.description, where, p.namespace]),
		"path": concat("", [prefix, "metadata.", where]),
	}
}

findings contains f if {
	some entry in k8s.objects_of_kind.Namespace
	k8s.string_at(entry.object, ["metadata", "labels", "istio-injection"]) == "disabled"
	concat("/", [entry.design, entry.name]) in _istio_namespaces
	f := {
		"index": entry.index,
		"msg": sprintf("%s disables sidecar injection but holds Istio traffic or security configuration", [k8s.describe_entry(entry)]),
		"path": "metadata.labels",
	}
}
