package designer.checks.capabilities_drop_all_test

import data.designer.checks.capabilities_drop_all as check
import data.designer.lib.testing as t
import rego.v1

test_pass_drop_all if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_drop_some if {
	c := t.container({"securityContext": {"capabilities": {"drop": ["NET_RAW"]}}})
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.capabilities.drop"}
}
