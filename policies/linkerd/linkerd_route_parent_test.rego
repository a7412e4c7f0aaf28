package designer.checks.linkerd_route_parent_test

import data.designer.checks.linkerd_route_parent as check
import data.designer.lib.testing as t
import rego.v1

server := t.object_of("Server", "policy.linkerd.io/v1beta3", "web-http", {"podSelector": {"matchLabels": {"app": "web"}}, "port": "http"})

route(refs) := t.object_of("HTTPRoute", "policy.linkerd.io/v1beta3", "web-get", {"parentRefs": refs, "rules": []})

test_pass_parents_exist if {
	refs := [{"group": "policy.linkerd.io", "kind": "Server", "name": "web-http"}, {"group": "core", "kind": "Service", "name": "web"}, {"name": "public-gw"}]
	count(check.findings) == 0 with input as t.input_of([server, t.service("web", {"app": "web"}, []), route(refs)])
}

test_fail_missing_server_and_service if {
	refs := [{"group": "policy.linkerd.io", "kind": "Server", "name": "web-grpc"}, {"group": "", "kind": "Service", "name": "api"}]
	fs := check.findings with input as t.input_of([server, route(refs)])
	t.paths(fs) == {"spec.parentRefs[0].name", "spec.parentRefs[1].name"}
}
