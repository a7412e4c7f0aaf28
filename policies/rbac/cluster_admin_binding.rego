package designer.checks.cluster_admin_binding

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-081",
	"title": "Binding to cluster-admin",
	"severity": "critical",
	"rationale": "cluster-admin can do anything anywhere in the cluster; whoever holds the bound identity owns the cluster.",
	"remediation": "Bind a Role or ClusterRole that lists only the permissions needed, in the namespace needed.",
	"kinds": ["RoleBinding", "ClusterRoleBinding"],
}

findings contains f if {
	some kind in ["RoleBinding", "ClusterRoleBinding"]
	some entry in object.get(k8s.objects_of_kind, kind, set())
	object.get(entry.object, ["roleRef", "kind"], "") == "ClusterRole"
	object.get(entry.object, ["roleRef", "name"], "") == "cluster-admin"
	subjects := [concat("/", [object.get(s, "kind", ""), object.get(s, "name", "")]) | some s in object.get(entry.object, "subjects", [])]
	f := {
		"index": entry.index,
		"msg": sprintf("%s grants cluster-admin to %s", [k8s.describe(entry.object), concat(", ", subjects)]),
		"path": "roleRef.name",
	}
}
