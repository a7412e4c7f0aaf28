package designer.checks.pod_spread_test

import data.designer.checks.pod_spread as check
import data.designer.lib.testing as t
import rego.v1

test_pass_anti_affinity if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_pass_topology_spread if {
	spec := object.union(object.remove(t.pod_spec([t.good_container]), ["affinity"]), {"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"}]})
	count(check.findings) == 0 with input as t.input_of([t.deployment_with("web", spec)])
}

test_fail_no_spread if {
	spec := object.remove(t.pod_spec([t.good_container]), ["affinity"])
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.topologySpreadConstraints"}
}
