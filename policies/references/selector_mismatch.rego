package designer.checks.selector_mismatch

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-079",
	"title": "Workload selector does not match its pod template",
	"severity": "high",
	"rationale": "The API server rejects a Deployment, StatefulSet, DaemonSet or ReplicaSet whose selector does not match its own template labels.",
	"remediation": "Make every key of spec.selector.matchLabels appear with the same value in spec.template.metadata.labels.",
	"kinds": ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"],
}

findings contains f if {
	some p in k8s.pods
	p.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}
	some key, value in k8s.object_at(p.object, ["spec", "selector", "matchLabels"])
	object.get(p.labels, key, null) != value
	f := {
		"index": p.index,
		"msg": sprintf("%s selects %s=%v but its pod template labels do not carry it", [p.description, key, value]),
		"path": "spec.selector.matchLabels",
	}
}

findings contains f if {
	some p in k8s.pods
	p.kind == "ReplicationController"
	some key, value in k8s.object_at(p.object, ["spec", "selector"])
	object.get(p.labels, key, null) != value
	f := {
		"index": p.index,
		"msg": sprintf("%s selects %s=%v but its pod template labels do not carry it", [p.description, key, value]),
		"path": "spec.selector",
	}
}
