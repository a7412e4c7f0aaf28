package designer.checks.ingress_wildcard_host

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-065",
	"title": "Ingress rule without a host or with a wildcard host",
	"severity": "low",
	"rationale": "A rule without host (or *.domain) catches traffic meant for other applications sharing the ingress controller.",
	"remediation": "Give every Ingress rule an explicit host name.",
	"kinds": ["Ingress"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.Ingress
	some i, rule in k8s.array_at(entry.object, ["spec", "rules"])
	host := k8s.string_at(rule, "host")
	_wild(host)
	f := {
		"index": entry.index,
		"msg": sprintf("%s rule %d matches %s", [k8s.describe_entry(entry), i, _shown(host)]),
		"path": sprintf("spec.rules[%d].host", [i]),
	}
}

_wild(host) if host == ""

_wild(host) if startswith(host, "*")

_shown(host) := "every host (no host set)" if host == ""

_shown(host) := concat("", ["the wildcard host ", host]) if host != ""
