package designer.checks.default_namespace

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-091",
	"title": "Object in the default namespace",
	"severity": "low",
	"rationale": "The default namespace mixes unrelated workloads, cannot carry per-application quotas, policies or RBAC cleanly, and is where objects without a namespace land by accident.",
	"remediation": "Give the component a dedicated namespace (namespace: in the design, or metadata.namespace).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Service", "ConfigMap", "Secret", "Ingress", "ServiceAccount"],
}

_namespaced := {
	"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob",
	"Service", "ConfigMap", "Secret", "Ingress", "ServiceAccount", "Role", "RoleBinding",
	"PersistentVolumeClaim", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
	"VirtualService", "DestinationRule", "Gateway", "ServiceEntry", "Sidecar", "PeerAuthentication",
	"AuthorizationPolicy", "RequestAuthentication", "HTTPRoute", "Server",
}

findings contains f if {
	some kind in _namespaced
	some entry in object.get(k8s.objects_of_kind, kind, set())
	# entry.namespace is "default" for a missing or non-string namespace, else the namespace itself:
	# a cheap filter before the exact reading below (this runs for every object of these kinds).
	entry.namespace in _defaultish
	ns := k8s.string_at(entry.object, ["metadata", "namespace"])
	f := {
		"index": entry.index,
		"msg": sprintf("%s %s", [k8s.describe_entry(entry), _why(ns)]),
		"path": "metadata.namespace",
	}
}

_defaultish := {"", "default"}

_why("") := "has no namespace: it lands in whatever namespace the client defaults to"

_why("default") := "is in the default namespace"
