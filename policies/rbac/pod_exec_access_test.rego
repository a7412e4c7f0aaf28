package designer.checks.pod_exec_access_test

import data.designer.checks.pod_exec_access as check
import data.designer.lib.testing as t
import rego.v1

role(resources) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "shop"}, "rules": [{"apiGroups": [""], "resources": resources, "verbs": ["get", "create"]}]}

test_pass_pods_only if {
	count(check.findings) == 0 with input as t.input_of([role(["pods", "pods/log"])])
}

test_fail_exec if {
	fs := check.findings with input as t.input_of([role(["pods", "pods/exec"])])
	t.paths(fs) == {"rules[0].resources"}
}
