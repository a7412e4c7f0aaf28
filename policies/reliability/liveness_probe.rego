package designer.checks.liveness_probe

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-050",
	"title": "Container has no liveness probe",
	"severity": "medium",
	"rationale": "Without a liveness probe a hung process keeps its pod Running forever; the kubelet restarts only what it can see failing.",
	"remediation": "Add a livenessProbe (httpGet, tcpSocket, grpc or exec) to every long-running container.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"],
}

findings contains f if {
	some c in k8s.app_containers
	c.pod.kind in k8s.long_running_kinds
	object.get(c.container, "livenessProbe", null) == null
	f := {
		"index": c.index,
		"msg": sprintf("%s has no liveness probe (livenessProbe)", [c.where]),
		"path": concat("", [c.path, ".livenessProbe"]),
	}
}
