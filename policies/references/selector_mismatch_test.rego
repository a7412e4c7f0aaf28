package designer.checks.selector_mismatch_test

import data.designer.checks.selector_mismatch as check
import data.designer.lib.testing as t
import rego.v1

test_pass_matching if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_mismatch if {
	d := object.union(t.deployment("web", [t.good_container]), {"spec": {"selector": {"matchLabels": {"app": "web-v2"}}}})
	fs := check.findings with input as t.input_of([d])
	t.paths(fs) == {"spec.selector.matchLabels"}
	some f in fs
	contains(f.msg, "app=web-v2")
}
