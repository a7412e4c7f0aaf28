package designer.checks.istio_vs_unknown_host_test

import data.designer.checks.istio_vs_unknown_host as check
import data.designer.lib.testing as t
import rego.v1

vs(host) := t.object_of("VirtualService", "networking.istio.io/v1", "reviews", {"hosts": ["reviews"], "http": [{"route": [{"destination": {"host": host}}]}]})

test_pass_service_exists if {
	count(check.findings) == 0 with input as t.input_of([t.service("reviews", {"app": "reviews"}, []), vs("reviews"), vs("reviews.shop.svc.cluster.local")])
}

test_pass_external_host if {
	count(check.findings) == 0 with input as t.input_of([vs("api.example.com")])
}

test_fail_missing_service if {
	fs := check.findings with input as t.input_of([t.service("reviews", {"app": "reviews"}, []), vs("ratings")])
	t.paths(fs) == {"spec.http[0].route[0].destination.host"}
	some f in fs
	contains(f.msg, "shop/ratings")
}
