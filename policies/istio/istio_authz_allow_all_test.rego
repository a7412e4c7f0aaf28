package designer.checks.istio_authz_allow_all_test

import data.designer.checks.istio_authz_allow_all as check
import data.designer.lib.testing as t
import rego.v1

ap(spec) := t.object_of("AuthorizationPolicy", "security.istio.io/v1", "web", spec)

test_pass_allow_nothing_and_scoped_rules if {
	scoped := ap({"action": "ALLOW", "rules": [{"from": [{"source": {"principals": ["cluster.local/ns/shop/sa/api"]}}]}]})
	count(check.findings) == 0 with input as t.input_of([ap({}), scoped, ap({"action": "DENY", "rules": [{}]})])
}

test_fail_empty_rule if {
	fs := check.findings with input as t.input_of([ap({"rules": [{"to": [{"operation": {"methods": ["GET"]}}]}, {}]})])
	t.paths(fs) == {"spec.rules[1]"}
}
