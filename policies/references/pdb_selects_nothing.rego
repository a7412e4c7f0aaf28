package designer.checks.pdb_selects_nothing

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-078",
	"title": "PodDisruptionBudget selects no pod of the design",
	"severity": "medium",
	"rationale": "A PodDisruptionBudget whose selector matches nothing protects nothing; the workload it was meant for can be evicted all at once.",
	"remediation": "Make spec.selector match the pod template labels of the workload (same namespace).",
	"kinds": ["PodDisruptionBudget"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.PodDisruptionBudget
	ns := entry.namespace
	selector := k8s.object_at(entry.object, ["spec", "selector"])
	count(k8s.label_selector_pods(entry.design, ns, selector)) == 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s selects no pod template of the design in namespace %s", [k8s.describe_entry(entry), ns]),
		"path": "spec.selector",
	}
}
