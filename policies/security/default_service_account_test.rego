package designer.checks.default_service_account_test

import data.designer.checks.default_service_account as check
import data.designer.lib.testing as t
import rego.v1

test_pass_dedicated_account if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_no_account if {
	spec := object.remove(t.pod_spec([t.good_container]), ["serviceAccountName"])
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.serviceAccountName"}
}
