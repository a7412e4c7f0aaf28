package designer.checks.ingress_backend_missing_test

import data.designer.checks.ingress_backend_missing as check
import data.designer.lib.testing as t
import rego.v1

ingress(service, port) := t.object_of("Ingress", "networking.k8s.io/v1", "web", {"rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": service, "port": port}}}]}}]})

svc := t.service("web", {"app": "web"}, [{"name": "http", "port": 80}])

test_pass_backend_exists if {
	count(check.findings) == 0 with input as t.input_of([svc, ingress("web", {"number": 80}), ingress("web", {"name": "http"})])
}

test_fail_service_missing if {
	fs := check.findings with input as t.input_of([svc, ingress("api", {"number": 80})])
	t.paths(fs) == {"spec.rules[0].http.paths[0].backend.service.name"}
}

test_fail_port_missing if {
	fs := check.findings with input as t.input_of([svc, ingress("web", {"number": 8080})])
	count(fs) == 1
	some f in fs
	contains(f.msg, "port 8080")
}

test_fail_default_backend_missing if {
	ing := t.object_of("Ingress", "networking.k8s.io/v1", "web", {"defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}}})
	fs := check.findings with input as t.input_of([svc, ing])
	t.paths(fs) == {"spec.defaultBackend.service.name"}
}

test_fail_v1beta1_backend_missing if {
	ing := t.object_of("Ingress", "networking.k8s.io/v1beta1", "web", {"rules": [{"http": {"paths": [{"backend": {"serviceName": "old", "servicePort": 80}}]}}]})
	fs := check.findings with input as t.input_of([svc, ing])
	t.paths(fs) == {"spec.rules[0].http.paths[0].backend.serviceName"}
}
