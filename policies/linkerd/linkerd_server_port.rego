package designer.checks.linkerd_server_port

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-122",
	"title": "Linkerd Server matches no pod or no container port",
	"severity": "high",
	"rationale": "A Server whose selector matches no pod, or whose port no selected container declares, protects nothing: the port stays under the default policy.",
	"remediation": "Make spec.podSelector match the workload's pod labels and spec.port a containerPort number or name of those pods.",
	"kinds": ["Server"],
}

findings contains f if {
	some entry in _servers
	selector := object.get(entry.object, ["spec", "podSelector"], null)
	is_object(selector)
	count(k8s.label_selector_pods(entry.design, entry.namespace, selector)) == 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s selects no pod template of the design in namespace %s", [k8s.describe_entry(entry), entry.namespace]),
		"path": "spec.podSelector",
	}
}

findings contains f if {
	some entry in _servers
	selector := object.get(entry.object, ["spec", "podSelector"], null)
	is_object(selector)
	pods := k8s.label_selector_pods(entry.design, entry.namespace, selector)
	count(pods) > 0
	port := object.get(entry.object, ["spec", "port"], null)
	port != null
	not k8s.pods_expose(pods, port)
	f := {
		"index": entry.index,
		"msg": sprintf("%s is for port %v, which no selected container declares", [k8s.describe_entry(entry), port]),
		"path": "spec.port",
	}
}

_servers contains entry if {
	some entry in k8s.objects_of_kind.Server
	startswith(k8s.string_at(entry.object, "apiVersion"), "policy.linkerd.io/")
}
