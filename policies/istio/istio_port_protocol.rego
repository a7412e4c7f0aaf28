package designer.checks.istio_port_protocol

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-111",
	"title": "Service port protocol not declared for the mesh",
	"severity": "low",
	"rationale": "Istio picks the protocol from the port name prefix (http-, grpc-, tcp-...) or appProtocol; otherwise it sniffs, which adds latency and fails for server-first protocols (istioctl analyze IST0118).",
	"remediation": "Name the port <protocol>[-suffix] (http, http2, https, grpc, tcp, tls, mongo, mysql, redis...) or set appProtocol.",
	"kinds": ["Service"],
}

_protocols := {"http", "http2", "https", "grpc", "grpc-web", "tcp", "tls", "udp", "mongo", "mysql", "redis"}

# Namespaces each design puts in the Istio mesh (Namespace labels or Istio objects there): "design/namespace".
_meshed contains concat("/", [entry.design, entry.name]) if {
	some entry in k8s.objects_of_kind.Namespace
	labels := k8s.object_at(entry.object, ["metadata", "labels"])
	_injecting(labels)
}

_meshed contains concat("/", [entry.design, entry.namespace]) if {
	some kind in ["VirtualService", "DestinationRule", "PeerAuthentication"]
	some entry in object.get(k8s.objects_of_kind, kind, set())
}

_injecting(labels) if labels["istio-injection"] == "enabled"

_injecting(labels) if k8s.string_at(labels, "istio.io/rev") != ""

findings contains f if {
	some entry in k8s.objects_of_kind.Service
	concat("/", [entry.design, entry.namespace]) in _meshed
	some i, port in k8s.array_at(entry.object, ["spec", "ports"])
	is_object(port)
	k8s.string_at(port, "appProtocol") == ""
	name := k8s.string_at(port, "name")
	not _declared(name)
	f := {
		"index": entry.index,
		"msg": sprintf("%s port %v is named '%s', which does not tell Istio its protocol", [k8s.describe_entry(entry), k8s.get(port, "port", "?"), name]),
		"path": sprintf("spec.ports[%d].name", [i]),
	}
}

_declared(name) if lower(name) in _protocols

_declared(name) if {
	some protocol in _protocols
	startswith(lower(name), concat("", [protocol, "-"]))
}
