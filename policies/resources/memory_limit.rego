package designer.checks.memory_limit

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-042",
	"title": "Memory limit not set",
	"severity": "medium",
	"rationale": "A container without a memory limit can exhaust the node's memory and get neighbours killed.",
	"remediation": "Set resources.limits.memory on every container (size it from observed usage).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	c.field != "ephemeralContainers"
	object.get(c.container, ["resources", "limits", "memory"], null) == null
	f := {
		"index": c.index,
		"msg": sprintf("%s has no memory limit (resources.limits.memory)", [c.where]),
		"path": concat("", [c.path, ".resources.limits.memory"]),
	}
}
