package designer.checks.host_namespaces_test

import data.designer.checks.host_namespaces as check
import data.designer.lib.testing as t
import rego.v1

test_pass_no_host_namespaces if {
	spec := object.union(t.pod_spec([t.good_container]), {"hostNetwork": false})
	count(check.findings) == 0 with input as t.input_of([t.deployment_with("web", spec)])
}

test_fail_host_network_and_pid if {
	spec := object.union(t.pod_spec([t.good_container]), {"hostNetwork": true, "hostPID": true})
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.hostNetwork", "spec.template.spec.hostPID"}
}
