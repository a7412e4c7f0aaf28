package designer.checks.istio_gateway_selector_test

import data.designer.checks.istio_gateway_selector as check
import data.designer.lib.testing as t
import rego.v1

gw(selector) := t.object_of("Gateway", "networking.istio.io/v1", "edge", {"selector": selector, "servers": []})

test_pass_default_ingress_gateway if {
	count(check.findings) == 0 with input as t.input_of([gw({"istio": "ingressgateway"})])
}

test_pass_own_gateway_pods if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("edge-gw", [t.good_container]), gw({"app": "edge-gw"})])
}

test_fail_selects_nothing if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), gw({"app": "edge-gw"})])
	t.paths(fs) == {"spec.selector"}
}
