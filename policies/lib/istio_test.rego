package designer.lib.istio_test

import data.designer.lib.istio
import data.designer.lib.testing as t
import rego.v1

objs := [t.service("reviews", {"app": "reviews"}, [])]

test_pass_service_key_forms if {
	istio.service_key("0", "reviews", "shop") == "shop/reviews" with input as t.input_of(objs)
	istio.service_key("0", "reviews.shop", "x") == "shop/reviews" with input as t.input_of(objs)
	istio.service_key("0", "reviews.other.svc.cluster.local", "x") == "other/reviews" with input as t.input_of(objs)
}

test_fail_external_host_not_resolved if {
	not istio.service_key("0", "api.example.com", "shop") with input as t.input_of(objs)
	not istio.host_checkable("0", "*.example.com", "shop") with input as t.input_of(objs)
	not istio.host_checkable("0", "*.shop.svc.cluster.local", "shop") with input as t.input_of(objs)
}

test_pass_gateway_key_forms if {
	istio.gateway_key("gw", "shop") == "shop/gw"
	istio.gateway_key("istio-system/gw", "shop") == "istio-system/gw"
	istio.gateway_key("gw.edge.svc.cluster.local", "shop") == "edge/gw"
}

# Many designs are evaluated at once: a host resolves only to its own design's Services.
test_fail_host_of_another_design_is_not_defined if {
	other := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "edge"}}
	designs := [objs, [other]]
	istio.host_defined("0", "reviews.shop.svc.cluster.local", "edge") with input as t.designs_input_of(designs)
	not istio.host_defined("1", "reviews.shop.svc.cluster.local", "edge") with input as t.designs_input_of(designs)
	istio.service_key("0", "reviews.shop", "edge") == "shop/reviews" with input as t.designs_input_of(designs)
	not istio.service_key("1", "reviews.shop", "edge") with input as t.designs_input_of(designs)
}
