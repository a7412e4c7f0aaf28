package designer.checks.service_selects_nothing

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-070",
	"title": "Service selects no workload of the design",
	"severity": "medium",
	"rationale": "A Service whose selector matches no pod template has no endpoints: every request to it fails. Usually a label typo or a namespace mix-up.",
	"remediation": "Make spec.selector match the pod template labels of the intended workload (same namespace).",
	"kinds": ["Service"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.Service
	object.get(entry.object, ["spec", "type"], "ClusterIP") != "ExternalName"
	# selected_pods of the Service's non-empty spec.selector, computed once for the Service checks
	count(k8s.service_selections[entry.index]) == 0
	selector := entry.object.spec.selector
	ns := entry.namespace
	f := {
		"index": entry.index,
		"msg": sprintf("%s selects %v but no pod template of the design in namespace %s has those labels", [k8s.describe_entry(entry), selector, ns]),
		"path": "spec.selector",
	}
}
