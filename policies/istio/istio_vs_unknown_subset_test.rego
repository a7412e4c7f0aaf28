package designer.checks.istio_vs_unknown_subset_test

import data.designer.checks.istio_vs_unknown_subset as check
import data.designer.lib.testing as t
import rego.v1

vs := t.object_of("VirtualService", "networking.istio.io/v1", "reviews", {"hosts": ["reviews"], "http": [{"route": [
	{"destination": {"host": "reviews", "subset": "v1"}, "weight": 90},
	{"destination": {"host": "reviews.shop.svc.cluster.local", "subset": "v2"}, "weight": 10},
]}]})

dr(names) := t.object_of("DestinationRule", "networking.istio.io/v1", "reviews", {"host": "reviews", "subsets": [{"name": n, "labels": {"version": n}} | some n in names]})

test_pass_subsets_defined if {
	count(check.findings) == 0 with input as t.input_of([t.service("reviews", {"app": "reviews"}, []), vs, dr(["v1", "v2"])])
}

test_fail_subset_missing if {
	fs := check.findings with input as t.input_of([t.service("reviews", {"app": "reviews"}, []), vs, dr(["v1"])])
	t.paths(fs) == {"spec.http[0].route[1].destination.subset"}
}

test_fail_no_destination_rule if {
	count(check.findings) == 2 with input as t.input_of([t.service("reviews", {"app": "reviews"}, []), vs])
}
