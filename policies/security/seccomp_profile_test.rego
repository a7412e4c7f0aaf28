package designer.checks.seccomp_profile_test

import data.designer.checks.seccomp_profile as check
import data.designer.lib.testing as t
import rego.v1

test_pass_pod_runtime_default if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_missing if {
	spec := object.remove(t.pod_spec([t.good_container]), ["securityContext"])
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.seccompProfile"}
}

test_fail_unconfined_container if {
	c := t.container({"securityContext": {"seccompProfile": {"type": "Unconfined"}}})
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.seccompProfile.type"}
}
