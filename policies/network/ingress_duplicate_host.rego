package designer.checks.ingress_duplicate_host

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-066",
	"title": "Host served by several Ingresses",
	"severity": "medium",
	"rationale": "When two Ingresses claim the same host, which one wins depends on the controller: routes silently shadow each other.",
	"remediation": "Serve each host from one Ingress (merge the paths), or give the Ingresses different hosts or ingress classes.",
	"kinds": ["Ingress"],
}

# "design|class|host" -> indexes of the Ingresses (in input.objects) that serve it.
_claims[key] contains entry.index if {
	some entry in k8s.objects_of_kind.Ingress
	some rule in k8s.array_at(entry.object, ["spec", "rules"])
	host := k8s.string_at(rule, "host")
	host != ""
	key := concat("|", [entry.design, _class(entry.object), host])
}

_class(ing) := c if {
	c := k8s.string_at(ing, ["spec", "ingressClassName"])
	c != ""
} else := ""

findings contains f if {
	some entry in k8s.objects_of_kind.Ingress
	some i, rule in k8s.array_at(entry.object, ["spec", "rules"])
	host := k8s.string_at(rule, "host")
	host != ""
	others := _claims[concat("|", [entry.design, _class(entry.object), host])] - {entry.index}
	count(others) > 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s serves host %s, which %d other Ingress(es) of the design also serve", [k8s.describe_entry(entry), host, count(others)]),
		"path": sprintf("spec.rules[%d].host", [i]),
	}
}
