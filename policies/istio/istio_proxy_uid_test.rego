package designer.checks.istio_proxy_uid_test

import data.designer.checks.istio_proxy_uid as check
import data.designer.lib.testing as t
import rego.v1

test_pass_other_uid if {
	c := t.container({"securityContext": {"runAsUser": 1000}})
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [c])])
}

test_fail_pod_level_1337 if {
	spec := object.union(t.pod_spec([t.good_container]), {"securityContext": {"runAsUser": 1337}})
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.runAsUser"}
}
