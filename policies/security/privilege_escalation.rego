package designer.checks.privilege_escalation

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-002",
	"title": "Privilege escalation not disabled",
	"severity": "high",
	"rationale": "Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent (setuid binaries, file capabilities).",
	"remediation": "Set securityContext.allowPrivilegeEscalation: false on every container.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	object.get(c.container, ["securityContext", "allowPrivilegeEscalation"], null) != false
	f := {
		"index": c.index,
		"msg": sprintf("%s does not set securityContext.allowPrivilegeEscalation: false", [c.where]),
		"path": concat("", [c.path, ".securityContext.allowPrivilegeEscalation"]),
	}
}
