package designer.checks.host_port

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-005",
	"title": "Container binds a host port",
	"severity": "medium",
	"rationale": "A hostPort exposes the container on every node's address, bypasses Services and limits scheduling to one pod per node and port.",
	"remediation": "Remove ports[].hostPort and expose the pod through a Service.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	ports := c.container.ports # k8s.array_at, read directly: this runs for every container
	is_array(ports)
	some i, port in ports
	hp := k8s.get(port, "hostPort", 0)
	hp != 0
	f := {
		"index": c.index,
		"msg": sprintf("%s binds host port %v", [c.where, hp]),
		"path": sprintf("%s.ports[%d].hostPort", [c.path, i]),
	}
}
