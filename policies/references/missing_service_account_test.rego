package designer.checks.missing_service_account_test

import data.designer.checks.missing_service_account as check
import data.designer.lib.testing as t
import rego.v1

test_pass_account_in_design if {
	sa := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "app", "namespace": "shop"}}
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), sa])
}

test_pass_default_account_not_reported if {
	spec := object.remove(t.pod_spec([t.good_container]), ["serviceAccountName"])
	count(check.findings) == 0 with input as t.input_of([t.deployment_with("web", spec)])
}

test_fail_account_absent if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container])])
	t.paths(fs) == {"spec.template.spec.serviceAccountName"}
}
