package designer.checks.service_external_ips_test

import data.designer.checks.service_external_ips as check
import data.designer.lib.testing as t
import rego.v1

test_pass_no_external_ips if {
	count(check.findings) == 0 with input as t.input_of([t.service("web", {"app": "web"}, [{"port": 80}])])
}

test_fail_external_ips if {
	svc := object.union(t.service("web", {"app": "web"}, [{"port": 80}]), {"spec": {"externalIPs": ["203.0.113.7"]}})
	fs := check.findings with input as t.input_of([svc])
	t.paths(fs) == {"spec.externalIPs"}
}
