package designer.checks.istio_dr_unknown_host_test

import data.designer.checks.istio_dr_unknown_host as check
import data.designer.lib.testing as t
import rego.v1

dr(host) := t.object_of("DestinationRule", "networking.istio.io/v1", "reviews", {"host": host})

test_pass_service_exists if {
	count(check.findings) == 0 with input as t.input_of([t.service("reviews", {"app": "reviews"}, []), dr("reviews.shop.svc.cluster.local"), dr("*.example.com")])
}

test_fail_missing_service if {
	fs := check.findings with input as t.input_of([t.service("reviews", {"app": "reviews"}, []), dr("review")])
	t.paths(fs) == {"spec.host"}
}
