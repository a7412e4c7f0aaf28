package designer.checks.loadbalancer_service

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-062",
	"title": "Service of type LoadBalancer without source ranges",
	"severity": "low",
	"rationale": "A LoadBalancer Service gets an external address; without loadBalancerSourceRanges it is open to the whole internet.",
	"remediation": "Expose the application through an Ingress or Gateway, or restrict spec.loadBalancerSourceRanges (and mark internal load balancers as such).",
	"kinds": ["Service"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.Service
	object.get(entry.object, ["spec", "type"], "ClusterIP") == "LoadBalancer"
	count(k8s.array_at(entry.object, ["spec", "loadBalancerSourceRanges"])) == 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s is of type LoadBalancer and accepts traffic from any source address", [k8s.describe_entry(entry)]),
		"path": "spec.type",
	}
}
