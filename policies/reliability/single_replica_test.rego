package designer.checks.single_replica_test

import data.designer.checks.single_replica as check
import data.designer.lib.testing as t
import rego.v1

hpa(min) := t.object_of("HorizontalPodAutoscaler", "autoscaling/v2", "web", {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": min, "maxReplicas": 5})

test_pass_two_replicas if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_pass_hpa_min_two if {
	d := json.remove(t.deployment("web", [t.good_container]), ["spec/replicas"])
	count(check.findings) == 0 with input as t.input_of([d, hpa(2)])
}

test_fail_default_replicas if {
	d := json.remove(t.deployment("web", [t.good_container]), ["spec/replicas"])
	fs := check.findings with input as t.input_of([d])
	t.paths(fs) == {"spec.replicas"}
}

test_fail_hpa_min_one if {
	count(check.findings) == 1 with input as t.input_of([t.deployment("web", [t.good_container]), hpa(1)])
}
