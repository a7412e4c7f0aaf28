package designer.checks.istio_vs_unknown_subset

import data.designer.lib.istio
import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-101",
	"title": "VirtualService routes to a subset no DestinationRule defines",
	"severity": "high",
	"rationale": "A route to an undefined subset has no endpoints: Envoy answers 503 (no healthy upstream) for all its traffic.",
	"remediation": "Define the subset in a DestinationRule for that host (subsets[].name with labels), or fix the subset name.",
	"kinds": ["VirtualService"],
}

findings contains f if {
	some d in istio.destinations
	d.subset != ""
	key := concat("/", [d.design, istio.host_key(d.design, d.host, d.namespace)])
	not d.subset in k8s.get(istio.subsets, key, set())
	f := {
		"index": d.index,
		"msg": sprintf("%s routes to subset '%s' of %s, but no DestinationRule of the design defines it", [k8s.describe(d.object), d.subset, d.host]),
		"path": concat("", [d.path, ".subset"]),
	}
}
