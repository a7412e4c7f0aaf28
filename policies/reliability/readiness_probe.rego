package designer.checks.readiness_probe

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-051",
	"title": "Container has no readiness probe",
	"severity": "medium",
	"rationale": "Without a readiness probe traffic reaches the pod as soon as it starts, before it can serve, and keeps reaching it when it cannot.",
	"remediation": "Add a readinessProbe (httpGet, tcpSocket, grpc or exec) to every long-running container.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"],
}

findings contains f if {
	some c in k8s.app_containers
	c.pod.kind in k8s.long_running_kinds
	object.get(c.container, "readinessProbe", null) == null
	f := {
		"index": c.index,
		"msg": sprintf("%s has no readiness probe (readinessProbe)", [c.where]),
		"path": concat("", [c.path, ".readinessProbe"]),
	}
}
