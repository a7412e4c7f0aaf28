package designer.checks.linkerd_skip_ports

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-121",
	"title": "Linkerd proxy skips ports",
	"severity": "medium",
	"rationale": "Ports listed in skip-inbound-ports or skip-outbound-ports bypass the proxy entirely: no mTLS, no authorization policy and no metrics for that traffic.",
	"remediation": "Remove the skip annotations; mark server-speaks-first protocols opaque (config.linkerd.io/opaque-ports) instead.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some p in k8s.pods
	some key in _keys
	# k8s.string_at(p.annotations, key) != "", read directly (this runs for every pod).
	ports := p.annotations[key]
	is_string(ports)
	ports != ""
	f := {
		"index": p.index,
		"msg": sprintf("%s sets %s: %v, so that traffic bypasses the Linkerd proxy", [p.description, key, ports]),
		"path": concat("", [trim_suffix(p.path, "spec"), "metadata.annotations"]),
	}
}

_keys := ["config.linkerd.io/skip-inbound-ports", "config.linkerd.io/skip-outbound-ports"]
