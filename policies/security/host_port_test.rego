package designer.checks.host_port_test

import data.designer.checks.host_port as check
import data.designer.lib.testing as t
import rego.v1

test_pass_container_port_only if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_host_port if {
	c := object.union(t.good_container, {"ports": [{"name": "http", "containerPort": 8080}, {"containerPort": 9090, "hostPort": 9090}]})
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].ports[1].hostPort"}
}
