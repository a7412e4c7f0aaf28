package designer.checks.cpu_request_test

import data.designer.checks.cpu_request as check
import data.designer.lib.testing as t
import rego.v1

test_pass_set if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_pass_ephemeral_container_ignored if {
	spec := object.union(t.pod_spec([t.good_container]), {"ephemeralContainers": [{"name": "debug", "image": "busybox:1"}]})
	count(check.findings) == 0 with input as t.input_of([t.pod("solo", [t.good_container]), t.deployment_with("web", spec)])
}

test_fail_missing if {
	c := json.remove(t.good_container, ["resources/requests/cpu"])
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container, object.union(c, {"name": "side"})])])
	t.paths(fs) == {"spec.template.spec.containers[1].resources.requests.cpu"}
	some f in fs
	contains(f.msg, "'side'")
}
