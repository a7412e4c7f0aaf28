package designer.checks.dangerous_capabilities

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-008",
	"title": "Container adds a dangerous capability",
	"severity": "high",
	"rationale": "SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, SYS_MODULE and similar capabilities allow container escapes, traffic spoofing or reading other processes.",
	"remediation": "Remove the capability from securityContext.capabilities.add; redesign the workload if it truly needs it.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

_dangerous := {"ALL", "SYS_ADMIN", "NET_ADMIN", "NET_RAW", "SYS_PTRACE", "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT", "DAC_READ_SEARCH", "BPF", "PERFMON", "SYS_TIME", "MKNOD"}

findings contains f if {
	some c in k8s.containers
	added := c.container.securityContext.capabilities.add # k8s.array_at, read directly (every container)
	is_array(added)
	some i, cap in added
	is_string(cap)
	name := trim_prefix(upper(cap), "CAP_")
	name in _dangerous
	f := {
		"index": c.index,
		"msg": sprintf("%s adds capability %s", [c.where, name]),
		"path": sprintf("%s.securityContext.capabilities.add[%d]", [c.path, i]),
	}
}
