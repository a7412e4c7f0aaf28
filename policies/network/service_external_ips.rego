package designer.checks.service_external_ips

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-063",
	"title": "Service sets externalIPs",
	"severity": "high",
	"rationale": "spec.externalIPs lets a Service capture traffic for any address in the cluster (CVE-2020-8554, man-in-the-middle).",
	"remediation": "Remove spec.externalIPs; use a LoadBalancer Service or an Ingress/Gateway instead.",
	"kinds": ["Service"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.Service
	ips := k8s.array_at(entry.object, ["spec", "externalIPs"])
	count(ips) > 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s sets externalIPs %v", [k8s.describe_entry(entry), ips]),
		"path": "spec.externalIPs",
	}
}
