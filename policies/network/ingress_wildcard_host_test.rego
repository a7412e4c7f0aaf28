package designer.checks.ingress_wildcard_host_test

import data.designer.checks.ingress_wildcard_host as check
import data.designer.lib.testing as t
import rego.v1

ingress(rules) := t.object_of("Ingress", "networking.k8s.io/v1", "web", {"rules": rules})

test_pass_explicit_host if {
	count(check.findings) == 0 with input as t.input_of([ingress([{"host": "shop.example.com"}])])
}

test_fail_wildcard_and_missing if {
	fs := check.findings with input as t.input_of([ingress([{"host": "shop.example.com"}, {"host": "*.example.com"}, {"http": {}}])])
	t.paths(fs) == {"spec.rules[1].host", "spec.rules[2].host"}
}
