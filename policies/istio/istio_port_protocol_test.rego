package designer.checks.istio_port_protocol_test

import data.designer.checks.istio_port_protocol as check
import data.designer.lib.testing as t
import rego.v1

ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}}}

test_pass_named_or_app_protocol if {
	svc := t.service("web", {"app": "web"}, [{"name": "http-web", "port": 80}, {"name": "metrics", "port": 9090, "appProtocol": "http"}, {"name": "grpc", "port": 9000}])
	count(check.findings) == 0 with input as t.input_of([ns, svc])
}

test_pass_outside_mesh if {
	svc := t.service("web", {"app": "web"}, [{"name": "web", "port": 80}])
	count(check.findings) == 0 with input as t.input_of([svc])
}

test_fail_unnamed_and_unknown_prefix if {
	svc := t.service("web", {"app": "web"}, [{"name": "http", "port": 80}, {"name": "web", "port": 8080}, {"port": 9090}])
	fs := check.findings with input as t.input_of([ns, svc])
	t.paths(fs) == {"spec.ports[1].name", "spec.ports[2].name"}
}
