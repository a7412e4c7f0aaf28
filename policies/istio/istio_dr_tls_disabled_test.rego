package designer.checks.istio_dr_tls_disabled_test

import data.designer.checks.istio_dr_tls_disabled as check
import data.designer.lib.testing as t
import rego.v1

dr(spec) := t.object_of("DestinationRule", "networking.istio.io/v1", "reviews", object.union({"host": "reviews"}, spec))

test_pass_istio_mutual if {
	count(check.findings) == 0 with input as t.input_of([dr({"trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}}), dr({})])
}

test_fail_disabled if {
	fs := check.findings with input as t.input_of([dr({"trafficPolicy": {"tls": {"mode": "DISABLE"}}})])
	t.paths(fs) == {"spec.trafficPolicy.tls.mode"}
}

test_fail_subset_disabled if {
	fs := check.findings with input as t.input_of([dr({"subsets": [{"name": "v1"}, {"name": "v2", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}]})])
	t.paths(fs) == {"spec.subsets[1].trafficPolicy.tls.mode"}
}
