package designer.checks.pod_exec_access

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-084",
	"title": "RBAC rule allows exec or attach into pods",
	"severity": "medium",
	"rationale": "pods/exec and pods/attach give a shell in any pod in scope, with that pod's secrets and service account.",
	"remediation": "Drop pods/exec and pods/attach from the rule; use ephemeral debug containers under separate, audited roles.",
	"kinds": ["Role", "ClusterRole"],
}

findings contains f if {
	some r in k8s.rbac_rules
	resources := r.resources & {"pods/exec", "pods/attach", "*"}
	count(resources) > 0
	count(r.verbs & {"create", "get", "*"}) > 0
	not "*" in r.resources # reported by the wildcard check
	f := {
		"index": r.index,
		"msg": sprintf("%s %s allows %s", [k8s.describe(r.object), r.path, concat(", ", sort(resources))]),
		"path": concat("", [r.path, ".resources"]),
	}
}
