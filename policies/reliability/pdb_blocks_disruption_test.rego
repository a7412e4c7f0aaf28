package designer.checks.pdb_blocks_disruption_test

import data.designer.checks.pdb_blocks_disruption as check
import data.designer.lib.testing as t
import rego.v1

pdb(spec) := t.object_of("PodDisruptionBudget", "policy/v1", "web", object.union({"selector": {"matchLabels": {"app": "web"}}}, spec))

test_pass_max_unavailable_one if {
	count(check.findings) == 0 with input as t.input_of([pdb({"maxUnavailable": 1}), pdb({"minAvailable": "50%"})])
}

test_fail_max_unavailable_zero if {
	fs := check.findings with input as t.input_of([pdb({"maxUnavailable": 0})])
	t.paths(fs) == {"spec.maxUnavailable"}
}

test_fail_min_available_all if {
	fs := check.findings with input as t.input_of([pdb({"minAvailable": "100%"})])
	t.paths(fs) == {"spec.minAvailable"}
}
