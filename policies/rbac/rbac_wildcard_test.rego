package designer.checks.rbac_wildcard_test

import data.designer.checks.rbac_wildcard as check
import data.designer.lib.testing as t
import rego.v1

role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}, "rules": rules}

test_pass_explicit if {
	count(check.findings) == 0 with input as t.input_of([role([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}])])
}

test_fail_wildcards if {
	rules := [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
	fs := check.findings with input as t.input_of([role(rules)])
	t.paths(fs) == {"rules[1].verbs", "rules[1].resources"}
}
