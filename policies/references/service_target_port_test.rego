package designer.checks.service_target_port_test

import data.designer.checks.service_target_port as check
import data.designer.lib.testing as t
import rego.v1

web := t.deployment("web", [t.good_container])

test_pass_named_and_numbered_target if {
	svc := t.service("web", {"app": "web"}, [{"port": 80, "targetPort": "http"}, {"name": "alt", "port": 8080}])
	count(check.findings) == 0 with input as t.input_of([web, svc])
}

test_pass_no_declared_ports if {
	c := object.remove(t.good_container, ["ports"])
	svc := t.service("web", {"app": "web"}, [{"port": 80, "targetPort": 9000}])
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [c]), svc])
}

test_fail_unknown_port_name if {
	svc := t.service("web", {"app": "web"}, [{"port": 80, "targetPort": "http"}, {"name": "m", "port": 9090, "targetPort": "metrics"}])
	fs := check.findings with input as t.input_of([web, svc])
	t.paths(fs) == {"spec.ports[1].targetPort"}
}

test_fail_number_not_listened if {
	svc := t.service("web", {"app": "web"}, [{"port": 80}])
	fs := check.findings with input as t.input_of([web, svc])
	t.paths(fs) == {"spec.ports[0].port"}
}
