package designer.checks.linkerd_route_parent

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-123",
	"title": "Route attached to a Server or Service the design does not define",
	"severity": "medium",
	"rationale": "An HTTPRoute or GRPCRoute whose parentRef names a missing Server or Service is never attached: its matches, filters and authorization targets do nothing.",
	"remediation": "Point parentRefs at a Server (group policy.linkerd.io) or Service (group core) of the design, or add it.",
	"kinds": ["HTTPRoute", "GRPCRoute"],
}

_route_groups := ["policy.linkerd.io/", "gateway.networking.k8s.io/"]

# parentRef group -> kind it must name to be checked here.
_parent_kinds := {"Server": {"policy.linkerd.io"}, "Service": {"", "core"}}

findings contains f if {
	some kind in ["HTTPRoute", "GRPCRoute"]
	some entry in k8s.get(k8s.objects_of_kind, kind, set())
	strings.any_prefix_match(k8s.string_at(entry.object, "apiVersion"), _route_groups)
	some i, ref in k8s.array_at(entry.object, ["spec", "parentRefs"])
	parent_kind := k8s.get(ref, "kind", "Gateway")
	k8s.get(ref, "group", "gateway.networking.k8s.io") in _parent_kinds[parent_kind]
	ns := k8s.get(ref, "namespace", entry.namespace)
	is_string(ns)
	name := k8s.string_at(ref, "name")
	not k8s.has_object(entry.design, parent_kind, ns, name)
	f := {
		"index": entry.index,
		"msg": sprintf("%s is attached to %s '%s', which the design does not define in namespace %s", [k8s.describe_entry(entry), parent_kind, name, ns]),
		"path": sprintf("spec.parentRefs[%d].name", [i]),
	}
}
