package designer.checks.linkerd_server_port_test

import data.designer.checks.linkerd_server_port as check
import data.designer.lib.testing as t
import rego.v1

server(labels, port) := t.object_of("Server", "policy.linkerd.io/v1beta3", "web-http", {"podSelector": {"matchLabels": labels}, "port": port})

test_pass_named_and_numbered if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), server({"app": "web"}, "http"), server({"app": "web"}, 8080)])
}

test_fail_unknown_port if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), server({"app": "web"}, "grpc")])
	t.paths(fs) == {"spec.port"}
}

test_fail_selects_nothing if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), server({"app": "api"}, "http")])
	t.paths(fs) == {"spec.podSelector"}
}

test_pass_port_number_without_declared_ports if {
	c := object.remove(t.good_container, ["ports"])
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [c]), server({"app": "web"}, 9090)])
}

test_fail_named_port_without_declared_ports if {
	c := object.remove(t.good_container, ["ports"])
	fs := check.findings with input as t.input_of([t.deployment("web", [c]), server({"app": "web"}, "admin")])
	t.paths(fs) == {"spec.port"}
}
