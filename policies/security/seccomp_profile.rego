package designer.checks.seccomp_profile

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-010",
	"title": "No seccomp profile (or Unconfined)",
	"severity": "medium",
	"rationale": "Without a seccomp profile a container can call every system call, including rarely used ones that carry kernel exploits.",
	"remediation": "Set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

_confined := {"RuntimeDefault", "Localhost"}

findings contains f if {
	some c in k8s.containers
	kind := object.get(c.container, ["securityContext", "seccompProfile", "type"], null)
	kind != null
	not kind in _confined
	f := {
		"index": c.index,
		"msg": sprintf("%s uses seccomp profile %v", [c.where, kind]),
		"path": concat("", [c.path, ".securityContext.seccompProfile.type"]),
	}
}

findings contains f if {
	some p in k8s.pods
	kind := object.get(p.spec, ["securityContext", "seccompProfile", "type"], null)
	kind != null
	not kind in _confined
	f := {
		"index": p.index,
		"msg": sprintf("%s uses seccomp profile %v for the whole pod", [p.description, kind]),
		"path": concat("", [p.path, ".securityContext.seccompProfile.type"]),
	}
}

findings contains f if {
	some c in k8s.containers
	object.get(c.container, ["securityContext", "seccompProfile", "type"], null) == null
	object.get(c.pod.spec, ["securityContext", "seccompProfile", "type"], null) == null
	f := {
		"index": c.index,
		"msg": sprintf("%s has no seccomp profile (set seccompProfile.type: RuntimeDefault on the pod)", [c.where]),
		"path": concat("", [c.path, ".securityContext.seccompProfile"]),
	}
}
