package designer.checks.secrets_access

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-082",
	"title": "RBAC rule reads Secrets",
	"severity": "medium",
	"rationale": "get, list or watch on secrets reveals every credential in scope (list returns the values too), including service account tokens.",
	"remediation": "Mount the one Secret the workload needs instead of reading it through the API, or restrict the rule with resourceNames.",
	"kinds": ["Role", "ClusterRole"],
}

_read := {"get", "list", "watch", "*"}

findings contains f if {
	some r in k8s.rbac_rules
	count({"secrets", "*"} & r.resources) > 0
	count({"", "*"} & r.groups) > 0
	verbs := r.verbs & _read
	count(verbs) > 0
	count(k8s.array_at(r.rule, "resourceNames")) == 0
	f := {
		"index": r.index,
		"msg": sprintf("%s %s can %s secrets", [k8s.describe(r.object), r.path, concat("/", sort(verbs))]),
		"path": concat("", [r.path, ".resources"]),
	}
}
