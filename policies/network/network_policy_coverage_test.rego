package designer.checks.network_policy_coverage_test

import data.designer.checks.network_policy_coverage as check
import data.designer.lib.testing as t
import rego.v1

netpol(selector) := t.object_of("NetworkPolicy", "networking.k8s.io/v1", "deny", {"podSelector": selector, "policyTypes": ["Ingress"]})

test_pass_default_deny if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), netpol({})])
}

test_pass_selected_by_labels if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), netpol({"matchLabels": {"app": "web"}})])
}

test_fail_other_pods_selected if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), t.deployment("api", [t.good_container]), netpol({"matchLabels": {"app": "api"}})])
	{f.index | some f in fs} == {0}
}
