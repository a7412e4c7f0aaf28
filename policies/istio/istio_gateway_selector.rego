package designer.checks.istio_gateway_selector

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-103",
	"title": "Istio Gateway selects no gateway pod",
	"severity": "low",
	"rationale": "A Gateway is configuration for the proxies its selector matches; when it matches none, the listeners never exist and external traffic is not served.",
	"remediation": "Set spec.selector to the labels of a gateway deployment of the design (or of the installed ingress gateway, istio: ingressgateway).",
	"kinds": ["Gateway"],
}

# Gateways installed with Istio itself: their pods are not part of application designs.
_installed := [{"istio": "ingressgateway"}, {"istio": "egressgateway"}, {"app": "istio-ingressgateway"}, {"app": "istio-egressgateway"}]

findings contains f if {
	some entry in k8s.objects_of_kind.Gateway
	startswith(k8s.string_at(entry.object, "apiVersion"), "networking.istio.io/")
	selector := k8s.object_at(entry.object, ["spec", "selector"])
	count(selector) > 0
	not selector in _installed
	count(k8s.selected_pods_anywhere(entry.design, selector)) == 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s selects %v, but no pod template of the design has those labels", [k8s.describe_entry(entry), selector]),
		"path": "spec.selector",
	}
}
