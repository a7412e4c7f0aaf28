package designer.checks.pdb_missing

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-053",
	"title": "Replicated workload without a PodDisruptionBudget",
	"severity": "medium",
	"rationale": "Without a PodDisruptionBudget a node drain or cluster upgrade may evict every replica at once.",
	"remediation": "Add a PodDisruptionBudget whose selector matches the pod template labels (e.g. maxUnavailable: 1).",
	"kinds": ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"],
}

# Positions in k8s.pods covered by some PodDisruptionBudget of the design.
_covered contains i if {
	some entry in k8s.objects_of_kind.PodDisruptionBudget
	selector := k8s.object_at(entry.object, ["spec", "selector"])
	some i in k8s.label_selector_pods(entry.design, entry.namespace, selector)
}

findings contains f if {
	some i, p in k8s.pods
	p.kind in k8s.replicated_kinds
	p.replicas >= 2
	not i in _covered
	f := {
		"index": p.index,
		"msg": sprintf("%s runs several replicas but no PodDisruptionBudget selects its pods", [p.description]),
		"path": "",
	}
}
