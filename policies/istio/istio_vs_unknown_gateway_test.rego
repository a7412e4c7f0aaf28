package designer.checks.istio_vs_unknown_gateway_test

import data.designer.checks.istio_vs_unknown_gateway as check
import data.designer.lib.testing as t
import rego.v1

gw := t.object_of("Gateway", "networking.istio.io/v1", "edge", {"selector": {"istio": "ingressgateway"}})

vs(gateways) := t.object_of("VirtualService", "networking.istio.io/v1", "web", {"hosts": ["shop.example.com"], "gateways": gateways})

test_pass_known_gateways if {
	count(check.findings) == 0 with input as t.input_of([gw, vs(["edge", "shop/edge", "mesh"])])
}

test_fail_unknown_gateway if {
	fs := check.findings with input as t.input_of([gw, vs(["edge", "istio-system/public"])])
	t.paths(fs) == {"spec.gateways[1]"}
	some f in fs
	contains(f.msg, "istio-system/public")
}
