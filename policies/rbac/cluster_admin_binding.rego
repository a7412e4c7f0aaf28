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
	some entry in k8s.get(k8s.objects_of_kind, kind, set())
	k8s.string_at(entry.object, ["roleRef", "kind"]) == "ClusterRole"
	k8s.string_at(entry.object, ["roleRef", "name"]) == "cluster-admin"
	subjects := [concat("/", [k8s.string_at(s, "kind"), k8s.string_at(s, "name")]) | some s in k8s.array_at(entry.object, "subjects")]
	f := {
		"index": entry.index,
		"msg": sprintf("%s grants cluster-admin to %s", [k8s.describe_entry(entry), concat(", ", subjects)]),
		"path": "roleRef.name",
	}
}
