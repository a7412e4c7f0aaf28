package designer.checks.ingress_backend_missing

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-076",
	"title": "Ingress backend Service or port not in the design",
	"severity": "medium",
	"rationale": "An Ingress path pointing at a missing Service, or at a port the Service does not have, answers 503 for that path.",
	"remediation": "Point the backend at a Service of the design (same namespace) and at one of its ports, or add the Service.",
	"kinds": ["Ingress"],
}

# "design/namespace/name" of each Service an Ingress could route to (in a namespace of its design
# that holds an Ingress) -> its port numbers and names. validate evaluates every rule of the package,
# needed or not: limited to the Ingresses' namespaces, this index costs nothing in the many designs
# without Ingresses (and an Ingress only looks up Services of its own namespace).
_service_ports[key] contains p if {
	some entry in k8s.objects_of_kind.Service
	concat("/", [entry.design, entry.namespace]) in _ingress_namespaces
	key := concat("/", [entry.design, entry.namespace, entry.name])
	some port in k8s.array_at(entry.object, ["spec", "ports"])
	some p in [k8s.get(port, "port", null), k8s.get(port, "name", null)]
	p != null
}

# "design/namespace" of each Ingress.
_ingress_namespaces contains concat("/", [entry.design, entry.namespace]) if {
	some entry in k8s.objects_of_kind.Ingress
}

# "design/namespace/name" of each Service in the Ingresses' namespaces.
_services contains concat("/", [entry.design, entry.namespace, entry.name]) if {
	some entry in k8s.objects_of_kind.Service
	concat("/", [entry.design, entry.namespace]) in _ingress_namespaces
}

# The backends of each Ingress (input index -> _backends), listed once for both findings rules.
_ingress_backends[entry.index] := _backends(entry.object) if {
	some entry in k8s.objects_of_kind.Ingress
}

# Every backend: [path, service name, port (number, name or null)].
_backends(ing) := array.concat(_rule_backends(ing), _default_backend(ing))

_rule_backends(ing) := [[path, name, port] |
	some i, rule in k8s.array_at(ing, ["spec", "rules"])
	some j, http_path in k8s.array_at(rule, ["http", "paths"])
	[suffix, name, port] := _service_of(k8s.object_at(http_path, "backend"))
	path := sprintf("spec.rules[%d].http.paths[%d].backend.%s", [i, j, suffix])
]

_default_backend(ing) := [[path, name, port] |
	backend := object.get(ing, ["spec", "defaultBackend"], object.get(ing, ["spec", "backend"], null))
	is_object(backend)
	[suffix, name, port] := _service_of(backend)
	path := concat("", [_default_field(ing), ".", suffix])
]

_default_field(ing) := "spec.defaultBackend" if ing.spec.defaultBackend

_default_field(ing) := "spec.backend" if not ing.spec.defaultBackend

# networking.k8s.io/v1 (service.name, service.port.number|name) and v1beta1 (serviceName, servicePort).
_service_of(backend) := ["service.name", backend.service.name, port] if {
	port := k8s.get(backend, ["service", "port", "number"], k8s.get(backend, ["service", "port", "name"], null))
}

_service_of(backend) := ["serviceName", backend.serviceName, k8s.get(backend, "servicePort", null)] if {
	not backend.service
}

findings contains f if {
	some entry in k8s.objects_of_kind.Ingress
	ns := entry.namespace
	some [path, name, _] in _ingress_backends[entry.index]
	is_string(name)
	not concat("/", [entry.design, ns, name]) in _services
	f := {
		"index": entry.index,
		"msg": sprintf("%s routes to Service '%s', which the design does not define in namespace %s", [k8s.describe_entry(entry), name, ns]),
		"path": path,
	}
}

findings contains f if {
	some entry in k8s.objects_of_kind.Ingress
	ns := entry.namespace
	some [path, name, port] in _ingress_backends[entry.index]
	port != null
	is_string(name)
	key := concat("/", [entry.design, ns, name])
	key in _services
	not port in k8s.get(_service_ports, key, set())
	f := {
		"index": entry.index,
		"msg": sprintf("%s routes to port %v of Service '%s', which has no such port", [k8s.describe_entry(entry), port, name]),
		"path": path,
	}
}
