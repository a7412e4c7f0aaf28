package designer.checks.hpa_target_missing_test

import data.designer.checks.hpa_target_missing as check
import data.designer.lib.testing as t
import rego.v1

hpa(kind, name, low, high) := t.object_of("HorizontalPodAutoscaler", "autoscaling/v2", "web", {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": name}, "minReplicas": low, "maxReplicas": high})

test_pass_target_exists if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), hpa("Deployment", "web", 2, 5)])
}

test_fail_wrong_kind if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), hpa("StatefulSet", "web", 2, 5)])
	t.paths(fs) == {"spec.scaleTargetRef.name"}
}

test_fail_inverted_bounds if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), hpa("Deployment", "web", 6, 3)])
	t.paths(fs) == {"spec.minReplicas"}
}
