package designer.checks.istio_dr_unknown_host

import data.designer.lib.istio
import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-102",
	"title": "DestinationRule for a host the design does not define",
	"severity": "medium",
	"rationale": "A DestinationRule whose host matches no Service applies to nothing: its subsets, TLS and traffic policy silently do not take effect.",
	"remediation": "Set spec.host to a Service of the design (or a ServiceEntry host), or remove the DestinationRule.",
	"kinds": ["DestinationRule"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.DestinationRule
	host := k8s.string_at(entry.object, ["spec", "host"])
	ns := entry.namespace
	istio.host_checkable(entry.design, host, ns)
	not istio.host_defined(entry.design, host, ns)
	f := {
		"index": entry.index,
		"msg": sprintf("%s applies to host %s, but the design has no Service %s", [k8s.describe_entry(entry), host, istio.service_key(entry.design, host, ns)]),
		"path": "spec.host",
	}
}
