package designer.checks.istio_vs_wildcard_host

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-107",
	"title": "VirtualService claims the wildcard host",
	"severity": "medium",
	"rationale": "hosts: [\"*\"] captures traffic for every host on the bound gateways (and every service on the mesh gateway), overriding other teams' routes.",
	"remediation": "List the exact host names the VirtualService serves.",
	"kinds": ["VirtualService"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.VirtualService
	some i, host in k8s.array_at(entry.object, ["spec", "hosts"])
	host == "*"
	f := {
		"index": entry.index,
		"msg": sprintf("%s claims every host (\"*\")", [k8s.describe_entry(entry)]),
		"path": sprintf("spec.hosts[%d]", [i]),
	}
}
