package designer.checks.nodeport_service

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-061",
	"title": "Service of type NodePort",
	"severity": "medium",
	"rationale": "A NodePort opens the port on every node's address, usually outside the load balancer, firewall and TLS set up for the cluster.",
	"remediation": "Use a ClusterIP Service behind an Ingress, a Gateway or a LoadBalancer.",
	"kinds": ["Service"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.Service
	object.get(entry.object, ["spec", "type"], "ClusterIP") == "NodePort"
	f := {
		"index": entry.index,
		"msg": sprintf("%s is of type NodePort: it is reachable on every node's address", [k8s.describe_entry(entry)]),
		"path": "spec.type",
	}
}
