# Istio helpers (package designer.lib.istio): host-name resolution and indexes over the designs'
# Services, ServiceEntries, DestinationRules and Gateways, built once per evaluation so the
# VirtualService and DestinationRule checks resolve every reference with set lookups. Like the k8s
# indexes, every index is keyed by the design first: a host resolves only within its own design.
package designer.lib.istio

import data.designer.lib.k8s
import rego.v1

# "namespace/name" of the Kubernetes Service an Istio host names, seen from namespace `ns` of design
# `design`: "reviews", "reviews.bookinfo" (when the design uses namespace bookinfo), "reviews.bookinfo.svc"
# and "reviews.bookinfo.svc.cluster.local". Undefined for external names (api.example.com) and wildcards.
service_key(design, host, ns) := concat("/", [ns, host]) if {
	not contains(host, ".")
	not contains(host, "*")
} else := concat("/", [parts[1], parts[0]]) if {
	not contains(host, "*")
	parts := split(host, ".")
	count(parts) == 2
	concat("/", [design, parts[1]]) in k8s.namespaces
} else := concat("/", [parts[1], parts[0]]) if {
	parts := split(host, ".")
	not contains(host, "*")
	count(parts) >= 3
	parts[2] == "svc"
}

# "design/namespace/name" of every Service.
services contains concat("/", [entry.design, entry.namespace, entry.name]) if {
	some entry in k8s.objects_of_kind.Service
}

# "design/host" of every ServiceEntry host.
serviceentry_hosts contains concat("/", [entry.design, host]) if {
	some entry in k8s.objects_of_kind.ServiceEntry
	some host in k8s.array_at(entry.object, ["spec", "hosts"])
	is_string(host)
}

# The key a host is indexed by within its design: the Service key when it names one, else the host itself.
host_key(design, host, ns) := key if key := service_key(design, host, ns) else := host

# True when design `design` defines what `host` names (a Service or a ServiceEntry host).
host_defined(design, host, ns) if concat("/", [design, service_key(design, host, ns)]) in services

host_defined(design, host, _) if concat("/", [design, host]) in serviceentry_hosts

# True when `host` can be checked: a cluster-local name, not an external one or a wildcard.
host_checkable(design, host, ns) if service_key(design, host, ns)

# "design/host key" -> subset names defined by the DestinationRules of that design.
subsets[key] contains name if {
	some entry in k8s.objects_of_kind.DestinationRule
	key := concat("/", [entry.design, host_key(entry.design, k8s.string_at(entry.object, ["spec", "host"]), entry.namespace)])
	some subset in k8s.array_at(entry.object, ["spec", "subsets"])
	name := k8s.string_at(subset, "name")
}

# Every route destination of every VirtualService: {index, design, object, namespace, host, subset, path}.
destinations := [d |
	some entry in k8s.objects_of_kind.VirtualService
	some protocol in ["http", "tcp", "tls"]
	some i, route in k8s.array_at(entry.object, ["spec", protocol])
	some target in _targets(route, protocol, i)
	[path, destination] := target
	d := {
		"index": entry.index,
		"design": entry.design,
		"object": entry.object,
		"namespace": entry.namespace,
		"host": k8s.string_at(destination, "host"),
		"subset": k8s.string_at(destination, "subset"),
		"path": path,
	}
]

_targets(route, protocol, i) := array.concat(
	[[path, dest] |
		some j, r in k8s.array_at(route, "route")
		dest := k8s.object_at(r, "destination")
		path := sprintf("spec.%s[%d].route[%d].destination", [protocol, i, j])
	],
	[[path, dest] |
		dest := k8s.get(route, "mirror", null)
		is_object(dest)
		path := sprintf("spec.%s[%d].mirror", [protocol, i])
	],
)

# Set of "design/namespace/name" of the Gateways.
gateways contains concat("/", [entry.design, entry.namespace, entry.name]) if {
	some entry in k8s.objects_of_kind.Gateway
	startswith(k8s.string_at(entry.object, "apiVersion"), "networking.istio.io/")
}

# "namespace/name" a VirtualService gateway reference names ("name", "ns/name" or a FQDN).
gateway_key(ref, ns) := ref if contains(ref, "/")

gateway_key(ref, ns) := concat("/", [parts[1], parts[0]]) if {
	not contains(ref, "/")
	contains(ref, ".")
	parts := split(ref, ".")
}

gateway_key(ref, ns) := concat("/", [ns, ref]) if {
	not contains(ref, "/")
	not contains(ref, ".")
}
