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

findings contains f if {
	some entry in k8s.objects_of_kind.Service
	# selected_pods of the Service's non-empty spec.selector, computed once for the Service checks
	pods := k8s.service_selections[entry.index]
	count(pods) > 0
	# Direct field reads rather than k8s.array_at / k8s.get (this runs for every Service port).
	ports := entry.object.spec.ports
	is_array(ports)
	some i, port in ports
	is_object(port)
	target := object.get(port, "targetPort", object.get(port, "port", null))
	not k8s.pods_expose(pods, target)
	field := _field(port)
	f := {
		"index": entry.index,
		"msg": sprintf("%s port %v sends traffic to target port %v, which no selected container declares", [k8s.describe_entry(entry), k8s.get(port, "port", "?"), target]),
		"path": sprintf("spec.ports[%d].%s", [i, field]),
	}
}

_field(port) := "targetPort" if "targetPort" in object.keys(port)

_field(port) := "port" if not "targetPort" in object.keys(port)
