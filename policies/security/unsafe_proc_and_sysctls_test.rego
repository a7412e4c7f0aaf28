package designer.checks.unsafe_proc_and_sysctls_test

import data.designer.checks.unsafe_proc_and_sysctls as check
import data.designer.lib.testing as t
import rego.v1

test_pass_safe_sysctl if {
	spec := object.union(t.pod_spec([t.good_container]), {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]}})
	count(check.findings) == 0 with input as t.input_of([t.deployment_with("web", spec)])
}

test_fail_unsafe_sysctl_and_unmasked if {
	c := t.container({"securityContext": {"procMount": "Unmasked"}})
	spec := object.union(t.pod_spec([c]), {"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]}})
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.procMount", "spec.template.spec.securityContext.sysctls[0].name"}
}

test_fail_host_process if {
	spec := object.union(t.pod_spec([t.good_container]), {"securityContext": {"windowsOptions": {"hostProcess": true}}})
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess"}
}
