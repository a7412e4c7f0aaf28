package designer.checks.recommended_labels

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-090",
	"title": "Recommended label app.kubernetes.io/name missing",
	"severity": "low",
	"rationale": "The app.kubernetes.io/* labels let dashboards, cost reports, policies and humans tell which application an object belongs to.",
	"remediation": "Add metadata.labels app.kubernetes.io/name (and app.kubernetes.io/part-of, version, component where useful).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Service"],
}

_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Service"}

findings contains f if {
	some kind in _kinds
	some entry in k8s.get(k8s.objects_of_kind, kind, set())
	labels := k8s.object_at(entry.object, ["metadata", "labels"])
	k8s.string_at(labels, "app.kubernetes.io/name") == ""
	f := {
		"index": entry.index,
		"msg": sprintf("%s has no app.kubernetes.io/name label", [k8s.describe(entry.object)]),
		"path": "metadata.labels",
	}
}
