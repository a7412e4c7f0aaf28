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
	p.kind in _label_selector_kinds
	# k8s.object_at, read directly (this runs for every pod)
	selector := p.object.spec.selector.matchLabels
	is_object(selector)
	some key, value in selector
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
	selector := p.object.spec.selector
	is_object(selector)
	some key, value in selector
	object.get(p.labels, key, null) != value
	f := {
		"index": p.index,
		"msg": sprintf("%s selects %s=%v but its pod template labels do not carry it", [p.description, key, value]),
		"path": "spec.selector",
	}
}

_label_selector_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}
