package designer.checks.memory_request

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-041",
	"title": "Memory request not set",
	"severity": "medium",
	"rationale": "Without a memory request the scheduler may overcommit the node, and the pod is among the first evicted under memory pressure.",
	"remediation": "Set resources.requests.memory on every container (size it from observed usage).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	c.field != "ephemeralContainers"
	object.get(c.container, ["resources", "requests", "memory"], null) == null
	f := {
		"index": c.index,
		"msg": sprintf("%s has no memory request (resources.requests.memory)", [c.where]),
		"path": concat("", [c.path, ".resources.requests.memory"]),
	}
}
