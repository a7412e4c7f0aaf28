package designer.checks.nodeport_service_test

import data.designer.checks.nodeport_service as check
import data.designer.lib.testing as t
import rego.v1

test_pass_cluster_ip if {
	count(check.findings) == 0 with input as t.input_of([t.service("web", {"app": "web"}, [{"port": 80}])])
}

test_fail_node_port if {
	svc := object.union(t.service("web", {"app": "web"}, [{"port": 80}]), {"spec": {"type": "NodePort"}})
	fs := check.findings with input as t.input_of([svc])
	t.paths(fs) == {"spec.type"}
}
