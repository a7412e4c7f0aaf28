package designer.checks.hpa_target_missing

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-077",
	"title": "HorizontalPodAutoscaler target missing or bounds inverted",
	"severity": "medium",
	"rationale": "An HPA whose scaleTargetRef names no workload of the design scales nothing, and minReplicas above maxReplicas is rejected.",
	"remediation": "Point spec.scaleTargetRef at a workload of the design (kind and name) and keep minReplicas <= maxReplicas.",
	"kinds": ["HorizontalPodAutoscaler"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.HorizontalPodAutoscaler
	target := k8s.object_at(entry.object, ["spec", "scaleTargetRef"])
	kind := k8s.string_at(target, "kind")
	name := k8s.string_at(target, "name")
	not k8s.has_object(entry.design, kind, entry.namespace, name)
	f := {
		"index": entry.index,
		"msg": sprintf("%s scales %s '%s', which the design does not define in namespace %s", [k8s.describe_entry(entry), kind, name, entry.namespace]),
		"path": "spec.scaleTargetRef.name",
	}
}

findings contains f if {
	some entry in k8s.objects_of_kind.HorizontalPodAutoscaler
	low := object.get(entry.object, ["spec", "minReplicas"], 1)
	high := object.get(entry.object, ["spec", "maxReplicas"], low)
	low > high
	f := {
		"index": entry.index,
		"msg": sprintf("%s has minReplicas %v above maxReplicas %v", [k8s.describe_entry(entry), low, high]),
		"path": "spec.minReplicas",
	}
}
