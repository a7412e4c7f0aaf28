package designer.checks.loadbalancer_service_test

import data.designer.checks.loadbalancer_service as check
import data.designer.lib.testing as t
import rego.v1

test_pass_restricted_ranges if {
	svc := object.union(t.service("web", {"app": "web"}, [{"port": 80}]), {"spec": {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8"]}})
	count(check.findings) == 0 with input as t.input_of([svc])
}

test_fail_open_load_balancer if {
	svc := object.union(t.service("web", {"app": "web"}, [{"port": 80}]), {"spec": {"type": "LoadBalancer"}})
	fs := check.findings with input as t.input_of([svc])
	t.paths(fs) == {"spec.type"}
}
