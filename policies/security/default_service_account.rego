package designer.checks.default_service_account

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-013",
	"title": "Pod uses the default service account",
	"severity": "low",
	"rationale": "Workloads sharing the namespace's default service account share its permissions; a dedicated account keeps RBAC grants per workload.",
	"remediation": "Create a ServiceAccount for the workload and set serviceAccountName.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some p in k8s.pods
	object.get(p.spec, "serviceAccountName", object.get(p.spec, "serviceAccount", "default")) == "default"
	f := {
		"index": p.index,
		"msg": sprintf("%s runs with the namespace's default service account", [p.description]),
		"path": concat("", [p.path, ".serviceAccountName"]),
	}
}
