package designer.checks.linkerd_injection

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-120",
	"title": "Workload outside the Linkerd mesh in a meshed namespace",
	"severity": "medium",
	"rationale": "A pod without the Linkerd proxy gets no mTLS, no metrics and no policy enforcement; Servers and authorization policies in its namespace then do not protect it.",
	"remediation": "Annotate the namespace (or the pod template) with linkerd.io/inject: enabled and do not override it with disabled.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

_on := {"enabled", "ingress"}

# Namespace objects annotated for injection: "design/name".
_injected_namespaces contains concat("/", [entry.design, entry.name]) if {
	some entry in k8s.objects_of_kind.Namespace
	k8s.string_at(entry.object, ["metadata", "annotations", "linkerd.io/inject"]) in _on
}

# Namespaces holding Linkerd policy objects: "design/namespace".
_policy_namespaces contains concat("/", [entry.design, entry.namespace]) if {
	some entry in input.objects
	# A direct field read, not k8s.string_at: this runs for every object.
	version := entry.object.apiVersion
	is_string(version)
	startswith(version, "policy.linkerd.io/")
}

findings contains f if {
	some p in k8s.pods
	concat("/", [p.design, p.namespace]) in _injected_namespaces
	k8s.string_at(p.annotations, "linkerd.io/inject") == "disabled"
	f := {
		"index": p.index,
		"msg": sprintf("%s opts out of Linkerd injection (linkerd.io/inject: disabled) in meshed namespace %s", [p.description, p.namespace]),
		"path": concat("", [trim_suffix(p.path, "spec"), "metadata.annotations"]),
	}
}

findings contains f if {
	some p in k8s.pods
	key := concat("/", [p.design, p.namespace])
	key in _policy_namespaces
	not key in _injected_namespaces
	not k8s.string_at(p.annotations, "linkerd.io/inject") in _on
	f := {
		"index": p.index,
		"msg": sprintf("%s is not injected (no linkerd.io/inject: enabled on it or on namespace %s), yet the namespace has Linkerd policies", [p.description, p.namespace]),
		"path": concat("", [trim_suffix(p.path, "spec"), "metadata.annotations"]),
	}
}
