package designer.checks.cpu_limit

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-043",
	"title": "CPU limit not set",
	"severity": "low",
	"rationale": "Without a CPU limit one busy container can starve others on the node (some teams omit CPU limits on purpose: waive with a reason).",
	"remediation": "Set resources.limits.cpu on every container (size it from observed usage).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	c.field != "ephemeralContainers"
	object.get(c.container, ["resources", "limits", "cpu"], null) == null
	f := {
		"index": c.index,
		"msg": sprintf("%s has no cpu limit (resources.limits.cpu)", [c.where]),
		"path": concat("", [c.path, ".resources.limits.cpu"]),
	}
}
