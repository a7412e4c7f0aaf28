package designer.checks.rbac_escalation_verbs_test

import data.designer.checks.rbac_escalation_verbs as check
import data.designer.lib.testing as t
import rego.v1

role(verbs) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}, "rules": [{"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": verbs}]}

test_pass_read_only if {
	count(check.findings) == 0 with input as t.input_of([role(["get", "list"])])
}

test_fail_escalate if {
	fs := check.findings with input as t.input_of([role(["get", "escalate", "bind"])])
	t.paths(fs) == {"rules[0].verbs"}
	some f in fs
	contains(f.msg, "bind, escalate")
}
