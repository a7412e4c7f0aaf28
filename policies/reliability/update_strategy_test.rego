package designer.checks.update_strategy_test

import data.designer.checks.update_strategy as check
import data.designer.lib.testing as t
import rego.v1

test_pass_rolling_update if {
	d := object.union(t.deployment("web", [t.good_container]), {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%"}}}})
	count(check.findings) == 0 with input as t.input_of([d])
}

test_fail_recreate if {
	d := object.union(t.deployment("web", [t.good_container]), {"spec": {"strategy": {"type": "Recreate"}}})
	fs := check.findings with input as t.input_of([d])
	t.paths(fs) == {"spec.strategy.type"}
}

test_fail_max_unavailable_all if {
	d := object.union(t.deployment("web", [t.good_container]), {"spec": {"strategy": {"rollingUpdate": {"maxUnavailable": "100%"}}}})
	fs := check.findings with input as t.input_of([d])
	t.paths(fs) == {"spec.strategy.rollingUpdate.maxUnavailable"}
}

test_fail_statefulset_on_delete if {
	sts := object.union(t.deployment("db", [t.good_container]), {"kind": "StatefulSet", "spec": {"updateStrategy": {"type": "OnDelete"}}})
	fs := check.findings with input as t.input_of([sts])
	t.paths(fs) == {"spec.updateStrategy.type"}
}
