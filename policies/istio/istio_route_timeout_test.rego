package designer.checks.istio_route_timeout_test

import data.designer.checks.istio_route_timeout as check
import data.designer.lib.testing as t
import rego.v1

vs(routes) := t.object_of("VirtualService", "networking.istio.io/v1", "web", {"hosts": ["web"], "http": routes})

test_pass_timeout_and_redirect if {
	routes := [{"timeout": "5s", "route": [{"destination": {"host": "web"}}]}, {"redirect": {"uri": "/new"}}]
	count(check.findings) == 0 with input as t.input_of([vs(routes)])
}

test_fail_no_timeout if {
	fs := check.findings with input as t.input_of([vs([{"timeout": "5s", "route": [{"destination": {"host": "web"}}]}, {"name": "slow", "route": [{"destination": {"host": "web"}}]}])])
	t.paths(fs) == {"spec.http[1].timeout"}
	some f in fs
	contains(f.msg, "route slow")
}
