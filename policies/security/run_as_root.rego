package designer.checks.run_as_root

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-003",
	"title": "Container may run as root",
	"severity": "high",
	"rationale": "A process running as UID 0 keeps root's powers over the container filesystem and gets them on the node after an escape.",
	"remediation": "Set runAsNonRoot: true (pod or container securityContext) and a non-zero runAsUser, or build the image with a non-root USER.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	object.get(c.container, ["securityContext", "runAsUser"], null) == 0
	f := {
		"index": c.index,
		"msg": sprintf("%s runs as UID 0 (securityContext.runAsUser: 0)", [c.where]),
		"path": concat("", [c.path, ".securityContext.runAsUser"]),
	}
}

findings contains f if {
	some c in k8s.containers
	object.get(c.container, ["securityContext", "runAsUser"], null) != 0
	not _non_root(c)
	f := {
		"index": c.index,
		"msg": sprintf("%s may run as root: neither runAsNonRoot: true nor a non-zero runAsUser is set", [c.where]),
		"path": concat("", [c.path, ".securityContext.runAsNonRoot"]),
	}
}

# k8s.effective_security(c, "runAsNonRoot") == true, or a positive effective runAsUser: the container's
# value, or the pod's when the container's is null. Written out as one else chain of builtin reads
# rather than calls of effective_security (this runs for every container, and in regorus a call costs
# several reads; an else chain stops at the first branch that holds).
_non_root(c) if {
	object.get(c.container, ["securityContext", "runAsNonRoot"], null) == true
} else if {
	object.get(c.container, ["securityContext", "runAsNonRoot"], null) == null
	object.get(c.pod.spec, ["securityContext", "runAsNonRoot"], null) == true
} else if {
	uid := object.get(c.container, ["securityContext", "runAsUser"], null)
	is_number(uid)
	uid > 0
} else if {
	object.get(c.container, ["securityContext", "runAsUser"], null) == null
	uid := object.get(c.pod.spec, ["securityContext", "runAsUser"], null)
	is_number(uid)
	uid > 0
}
