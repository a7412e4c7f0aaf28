package designer.checks.automount_service_account_token_test

import data.designer.checks.automount_service_account_token as check
import data.designer.lib.testing as t
import rego.v1

test_pass_disabled_in_pod if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_pass_disabled_on_service_account if {
	spec := object.remove(t.pod_spec([t.good_container]), ["automountServiceAccountToken"])
	sa := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "app", "namespace": "shop"}, "automountServiceAccountToken": false}
	count(check.findings) == 0 with input as t.input_of([t.deployment_with("web", spec), sa])
}

test_fail_default if {
	spec := object.remove(t.pod_spec([t.good_container]), ["automountServiceAccountToken"])
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.automountServiceAccountToken"}
}
