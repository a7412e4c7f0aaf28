package designer.checks.writable_root_filesystem

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-009",
	"title": "Container root filesystem is writable",
	"severity": "medium",
	"rationale": "A read-only root filesystem stops an intruder from dropping tools or changing binaries, and makes the container immutable.",
	"remediation": "Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the process must write.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	object.get(c.container, ["securityContext", "readOnlyRootFilesystem"], false) != true
	f := {
		"index": c.index,
		"msg": sprintf("%s has a writable root filesystem (readOnlyRootFilesystem is not true)", [c.where]),
		"path": concat("", [c.path, ".securityContext.readOnlyRootFilesystem"]),
	}
}
