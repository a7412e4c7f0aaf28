package designer.checks.service_target_port

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-071",
	"title": "Service targetPort not exposed by the selected pods",
	"severity": "high",
	"rationale": "When the targetPort names a port no selected container declares (or a number none listens on), the Service has endpoints but connections fail.",
	"remediation": "Set targetPort to a containerPort (or port name) of the selected containers, or add the port to the container.",
	"kinds": ["Service"],
}

# Declared port names and numbers of each pod (position in k8s.pods).
_names[i] := {n |
	some c in object.get(p.spec, "containers", [])
	some port in object.get(c, "ports", [])
	n := object.get(port, "name", "")
	n != ""
} if some i, p in k8s.pods

_numbers[i] := {n |
	some c in object.get(p.spec, "containers", [])
	some port in object.get(c, "ports", [])
	n := object.get(port, "containerPort", 0)
} if some i, p in k8s.pods

findings contains f if {
	some entry in k8s.objects_of_kind.Service
	selector := object.get(entry.object, ["spec", "selector"], {})
	is_object(selector)
	count(selector) > 0
	pods := k8s.selected_pods(k8s.namespace_of(entry.object), selector)
	count(pods) > 0
	some i, port in object.get(entry.object, ["spec", "ports"], [])
	target := object.get(port, "targetPort", object.get(port, "port", null))
	not _exposed(pods, target)
	field := _field(port)
	f := {
		"index": entry.index,
		"msg": sprintf("%s port %v sends traffic to target port %v, which no selected container declares", [k8s.describe(entry.object), object.get(port, "port", "?"), target]),
		"path": sprintf("spec.ports[%d].%s", [i, field]),
	}
}

_exposed(pods, target) if {
	is_string(target)
	some i in pods
	target in _names[i]
}

_exposed(pods, target) if {
	is_number(target)
	some i in pods
	target in _numbers[i]
}

# Container ports are informational: with none declared at all, a numeric target cannot be judged.
_exposed(pods, target) if {
	is_number(target)
	every i in pods {
		count(_numbers[i]) == 0
	}
}

_field(port) := "targetPort" if "targetPort" in object.keys(port)

_field(port) := "port" if not "targetPort" in object.keys(port)
