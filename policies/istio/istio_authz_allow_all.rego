package designer.checks.istio_authz_allow_all

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-105",
	"title": "AuthorizationPolicy allows every request",
	"severity": "high",
	"rationale": "An ALLOW policy with an empty rule ({}) matches every request from every source, which defeats the default-deny the policy was meant to open up.",
	"remediation": "Give every ALLOW rule a from (principals, namespaces) and/or a to (methods, paths, ports) condition.",
	"kinds": ["AuthorizationPolicy"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.AuthorizationPolicy
	startswith(k8s.string_at(entry.object, "apiVersion"), "security.istio.io/")
	object.get(entry.object, ["spec", "action"], "ALLOW") == "ALLOW"
	some i, rule in k8s.array_at(entry.object, ["spec", "rules"])
	_empty(rule)
	f := {
		"index": entry.index,
		"msg": sprintf("%s rule %d is empty: it allows every request", [k8s.describe_entry(entry), i]),
		"path": sprintf("spec.rules[%d]", [i]),
	}
}

_empty(rule) if {
	count(k8s.array_at(rule, "from")) == 0
	count(k8s.array_at(rule, "to")) == 0
	count(k8s.array_at(rule, "when")) == 0
}
