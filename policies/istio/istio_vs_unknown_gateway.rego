package designer.checks.istio_vs_unknown_gateway

import data.designer.lib.istio
import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-110",
	"title": "VirtualService bound to a Gateway the design does not define",
	"severity": "medium",
	"rationale": "Routes bound to a missing Gateway are never programmed on any gateway proxy (istioctl analyze IST0101): external traffic gets 404.",
	"remediation": "Reference a Gateway of the design as name or namespace/name (\"mesh\" for sidecars), or add the Gateway.",
	"kinds": ["VirtualService"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.VirtualService
	ns := entry.namespace
	some i, ref in k8s.array_at(entry.object, ["spec", "gateways"])
	is_string(ref)
	ref != "mesh"
	key := istio.gateway_key(ref, ns)
	not concat("/", [entry.design, key]) in istio.gateways
	f := {
		"index": entry.index,
		"msg": sprintf("%s is bound to Gateway %s, which the design does not define", [k8s.describe_entry(entry), key]),
		"path": sprintf("spec.gateways[%d]", [i]),
	}
}
