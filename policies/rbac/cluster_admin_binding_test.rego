package designer.checks.cluster_admin_binding_test

import data.designer.checks.cluster_admin_binding as check
import data.designer.lib.testing as t
import rego.v1

binding(role) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role}, "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "shop"}]}

test_pass_view_role if {
	count(check.findings) == 0 with input as t.input_of([binding("view")])
}

test_fail_cluster_admin if {
	fs := check.findings with input as t.input_of([binding("cluster-admin")])
	t.paths(fs) == {"roleRef.name"}
	some f in fs
	contains(f.msg, "ServiceAccount/app")
}
