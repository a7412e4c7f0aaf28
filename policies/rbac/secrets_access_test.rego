package designer.checks.secrets_access_test

import data.designer.checks.secrets_access as check
import data.designer.lib.testing as t
import rego.v1

role(rule) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "shop"}, "rules": [rule]}

test_pass_named_secret if {
	count(check.findings) == 0 with input as t.input_of([role({"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["tls"], "verbs": ["get"]})])
}

test_pass_configmaps_only if {
	count(check.findings) == 0 with input as t.input_of([role({"apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]})])
}

test_fail_list_secrets if {
	fs := check.findings with input as t.input_of([role({"apiGroups": [""], "resources": ["secrets", "configmaps"], "verbs": ["list", "create"]})])
	t.paths(fs) == {"rules[0].resources"}
}
