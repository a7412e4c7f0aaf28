package designer.checks.privileged_container_test

import data.designer.checks.privileged_container as check
import data.designer.lib.testing as t
import rego.v1

test_pass_not_privileged if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_privileged_container if {
	c := t.container({"securityContext": {"privileged": true}})
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.privileged"}
	some f in fs
	contains(f.msg, "container 'app' of Deployment web")
}

test_fail_privileged_init_container if {
	spec := object.union(t.pod_spec([t.good_container]), {"initContainers": [{"name": "setup", "image": "x:1", "securityContext": {"privileged": true}}]})
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.initContainers[0].securityContext.privileged"}
}
