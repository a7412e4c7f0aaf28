package designer.checks.privileged_container

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-001",
	"title": "Container runs privileged",
	"severity": "critical",
	"rationale": "A privileged container has every capability and the host's devices: escaping to the node is trivial.",
	"remediation": "Remove securityContext.privileged (or set it to false) and grant only the capabilities the process needs.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	object.get(c.container, ["securityContext", "privileged"], false) == true
	f := {
		"index": c.index,
		"msg": sprintf("%s runs privileged (securityContext.privileged: true)", [c.where]),
		"path": concat("", [c.path, ".securityContext.privileged"]),
	}
}
