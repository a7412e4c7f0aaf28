package designer.checks.cpu_request

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-040",
	"title": "CPU request not set",
	"severity": "medium",
	"rationale": "Without a CPU request the scheduler cannot place the pod sensibly and the container gets the lowest CPU share under contention.",
	"remediation": "Set resources.requests.cpu on every container (size it from observed usage).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	c.field != "ephemeralContainers"
	object.get(c.container, ["resources", "requests", "cpu"], null) == null
	f := {
		"index": c.index,
		"msg": sprintf("%s has no cpu request (resources.requests.cpu)", [c.where]),
		"path": concat("", [c.path, ".resources.requests.cpu"]),
	}
}
