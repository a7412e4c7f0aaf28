package designer.lib.istio_test

import data.designer.lib.istio
import data.designer.lib.testing as t
import rego.v1

objs := [t.service("reviews", {"app": "reviews"}, [])]

test_pass_service_key_forms if {
	istio.service_key("reviews", "shop") == "shop/reviews" with input as t.input_of(objs)
	istio.service_key("reviews.shop", "x") == "shop/reviews" with input as t.input_of(objs)
	istio.service_key("reviews.other.svc.cluster.local", "x") == "other/reviews" with input as t.input_of(objs)
}

test_fail_external_host_not_resolved if {
	not istio.service_key("api.example.com", "shop") with input as t.input_of(objs)
	not istio.host_checkable("*.example.com", "shop") with input as t.input_of(objs)
	not istio.host_checkable("*.shop.svc.cluster.local", "shop") with input as t.input_of(objs)
}

test_pass_gateway_key_forms if {
	istio.gateway_key("gw", "shop") == "shop/gw"
	istio.gateway_key("istio-system/gw", "shop") == "istio-system/gw"
	istio.gateway_key("gw.edge.svc.cluster.local", "shop") == "edge/gw"
}
