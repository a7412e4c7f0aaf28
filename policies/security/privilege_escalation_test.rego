package designer.checks.privilege_escalation_test

import data.designer.checks.privilege_escalation as check
import data.designer.lib.testing as t
import rego.v1

test_pass_escalation_disabled if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_escalation_unset if {
	c := object.remove(t.good_container, ["securityContext"])
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"}
}

test_fail_escalation_true if {
	c := t.container({"securityContext": {"allowPrivilegeEscalation": true}})
	count(check.findings) == 1 with input as t.input_of([t.pod("solo", [c])])
}
