package designer.checks.pdb_selects_nothing_test

import data.designer.checks.pdb_selects_nothing as check
import data.designer.lib.testing as t
import rego.v1

pdb(labels) := t.object_of("PodDisruptionBudget", "policy/v1", "web", {"maxUnavailable": 1, "selector": {"matchLabels": labels}})

test_pass_selects_pods if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), pdb({"app": "web"})])
}

test_fail_selects_nothing if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), pdb({"app": "api"})])
	t.paths(fs) == {"spec.selector"}
}
