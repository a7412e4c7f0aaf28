package designer.checks.host_namespaces

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-004",
	"title": "Pod shares host namespaces",
	"severity": "critical",
	"rationale": "hostNetwork, hostPID and hostIPC give the pod the node's network stack, processes or shared memory, bypassing isolation and NetworkPolicies.",
	"remediation": "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

_what := {"hostNetwork": "network", "hostPID": "process", "hostIPC": "IPC"}

findings contains f if {
	some p in k8s.pods
	some field, word in _what
	object.get(p.spec, field, false) == true
	f := {
		"index": p.index,
		"msg": sprintf("%s shares the host %s namespace (%s: true)", [p.description, word, field]),
		"path": concat(".", [p.path, field]),
	}
}
