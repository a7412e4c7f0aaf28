package designer.checks.network_policy_coverage

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-060",
	"title": "Workload not selected by any NetworkPolicy",
	"severity": "medium",
	"rationale": "Pods no NetworkPolicy selects accept traffic from every pod in the cluster; a compromised neighbour can reach them freely.",
	"remediation": "Add a NetworkPolicy in the namespace (a default-deny with podSelector: {} plus explicit allows) that selects these pods.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

_covered contains i if {
	some entry in k8s.objects_of_kind.NetworkPolicy
	selector := k8s.object_at(entry.object, ["spec", "podSelector"])
	some i in k8s.label_selector_pods(entry.design, entry.namespace, selector)
}

findings contains f if {
	some i, p in k8s.pods
	not i in _covered
	f := {
		"index": p.index,
		"msg": sprintf("%s in namespace %s is not selected by any NetworkPolicy of the design", [p.description, p.namespace]),
		"path": "",
	}
}
