package designer.checks.rbac_escalation_verbs

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-083",
	"title": "RBAC rule allows bind, escalate or impersonate",
	"severity": "high",
	"rationale": "bind and escalate let a subject grant itself permissions it does not hold; impersonate lets it act as any user, group or service account.",
	"remediation": "Remove bind, escalate and impersonate; keep them for cluster administrators only.",
	"kinds": ["Role", "ClusterRole"],
}

_dangerous := {"bind", "escalate", "impersonate"}

findings contains f if {
	some r in k8s.rbac_rules
	verbs := r.verbs & _dangerous
	count(verbs) > 0
	f := {
		"index": r.index,
		"msg": sprintf("%s %s allows %s", [k8s.describe(r.object), r.path, concat(", ", sort(verbs))]),
		"path": concat("", [r.path, ".verbs"]),
	}
}
