package designer.checks.ingress_tls_test

import data.designer.checks.ingress_tls as check
import data.designer.lib.testing as t
import rego.v1

ingress(spec) := t.object_of("Ingress", "networking.k8s.io/v1", "web", spec)

test_pass_tls if {
	ing := ingress({"tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}], "rules": [{"host": "shop.example.com"}]})
	count(check.findings) == 0 with input as t.input_of([ing])
}

test_fail_no_tls if {
	fs := check.findings with input as t.input_of([ingress({"rules": [{"host": "shop.example.com"}]})])
	t.paths(fs) == {"spec.tls"}
}

test_fail_host_not_covered if {
	ing := ingress({"tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}], "rules": [{"host": "shop.example.com"}, {"host": "api.example.com"}]})
	fs := check.findings with input as t.input_of([ing])
	t.paths(fs) == {"spec.rules[1].host"}
}
