package designer.checks.run_as_root_test

import data.designer.checks.run_as_root as check
import data.designer.lib.testing as t
import rego.v1

test_pass_run_as_non_root if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_pass_pod_level_run_as_user if {
	c := object.remove(t.good_container, ["securityContext"])
	spec := object.union(t.pod_spec([c]), {"securityContext": {"runAsUser": 1000}})
	count(check.findings) == 0 with input as t.input_of([t.deployment_with("web", spec)])
}

test_fail_nothing_set if {
	c := object.remove(t.good_container, ["securityContext"])
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.runAsNonRoot"}
}

test_fail_uid_zero if {
	c := t.container({"securityContext": {"runAsUser": 0, "runAsNonRoot": false}})
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.runAsUser"}
}

test_fail_pod_non_root_overridden_by_container_uid_zero if {
	c := t.container({"securityContext": {"runAsUser": 0, "runAsNonRoot": false}})
	spec := object.union(t.pod_spec([c]), {"securityContext": {"runAsNonRoot": true}})
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.runAsUser"}
}
