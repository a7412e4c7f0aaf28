package designer.checks.istio_vs_wildcard_host_test

import data.designer.checks.istio_vs_wildcard_host as check
import data.designer.lib.testing as t
import rego.v1

vs(hosts) := t.object_of("VirtualService", "networking.istio.io/v1", "web", {"hosts": hosts})

test_pass_explicit_hosts if {
	count(check.findings) == 0 with input as t.input_of([vs(["shop.example.com", "*.example.com"])])
}

test_fail_star if {
	fs := check.findings with input as t.input_of([vs(["shop.example.com", "*"])])
	t.paths(fs) == {"spec.hosts[1]"}
}
