package designer.checks.istio_vs_unknown_host

import data.designer.lib.istio
import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-100",
	"title": "VirtualService routes to a host the design does not define",
	"severity": "medium",
	"rationale": "A route to a cluster host with no Service behind it fails with 503 (istioctl analyze IST0101); usually a typo or a wrong namespace.",
	"remediation": "Route to a Service of the design (name, name.namespace or the FQDN), or add the Service or a ServiceEntry.",
	"kinds": ["VirtualService"],
}

findings contains f if {
	some d in istio.destinations
	istio.host_checkable(d.design, d.host, d.namespace)
	not istio.host_defined(d.design, d.host, d.namespace)
	f := {
		"index": d.index,
		"msg": sprintf("%s routes to host %s, but the design has no Service %s", [k8s.describe(d.object), d.host, istio.service_key(d.design, d.host, d.namespace)]),
		"path": concat("", [d.path, ".host"]),
	}
}
