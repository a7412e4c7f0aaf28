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
	selector := k8s.object_at(entry.object, ["spec", "selector"])
	is_object(selector)
	count(selector) > 0
	ns := entry.namespace
	count(k8s.selected_pods(entry.design, ns, selector)) == 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s selects %v but no pod template of the design in namespace %s has those labels", [k8s.describe_entry(entry), selector, ns]),
		"path": "spec.selector",
	}
}
