package designer.checks.rbac_wildcard

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-080",
	"title": "RBAC rule grants wildcard verbs or resources",
	"severity": "high",
	"rationale": "A * in verbs, resources or apiGroups grants everything, including resources and verbs added in future versions.",
	"remediation": "List the exact apiGroups, resources and verbs the subject needs.",
	"kinds": ["Role", "ClusterRole"],
}

findings contains f if {
	some r in k8s.rbac_rules
	some field in ["verbs", "resources"]
	"*" in r[field]
	f := {
		"index": r.index,
		"msg": sprintf("%s %s grants every %s (*)", [k8s.describe(r.object), r.path, trim_suffix(field, "s")]),
		"path": concat(".", [r.path, field]),
	}
}
