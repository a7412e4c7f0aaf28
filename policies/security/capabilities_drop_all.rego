package designer.checks.capabilities_drop_all

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-007",
	"title": "Container does not drop all capabilities",
	"severity": "high",
	"rationale": "The default capability set (NET_RAW, CHOWN, SETUID...) is more than most processes need and helps exploits.",
	"remediation": "Set securityContext.capabilities.drop: [ALL] and add back only what the process needs.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	# k8s.array_at, read directly (this runs for every container)
	drops := {upper(d) |
		dropped := c.container.securityContext.capabilities.drop
		is_array(dropped)
		some d in dropped
		is_string(d)
	}
	not "ALL" in drops
	f := {
		"index": c.index,
		"msg": sprintf("%s does not drop ALL capabilities", [c.where]),
		"path": concat("", [c.path, ".securityContext.capabilities.drop"]),
	}
}
