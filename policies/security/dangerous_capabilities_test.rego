package designer.checks.dangerous_capabilities_test

import data.designer.checks.dangerous_capabilities as check
import data.designer.lib.testing as t
import rego.v1

test_pass_harmless_add if {
	c := t.container({"securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"]}}})
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [c])])
}

test_fail_sys_admin if {
	c := t.container({"securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE", "cap_sys_admin"]}}})
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.capabilities.add[1]"}
	some f in fs
	contains(f.msg, "SYS_ADMIN")
}
