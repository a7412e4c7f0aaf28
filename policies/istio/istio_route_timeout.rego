package designer.checks.istio_route_timeout

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-109",
	"title": "HTTP route without a timeout",
	"severity": "low",
	"rationale": "Istio routes have no timeout by default: a hung upstream holds client connections and threads until the client gives up, which spreads failures.",
	"remediation": "Set http[].timeout on each route (e.g. 5s), and bounded retries (retries.attempts, perTryTimeout).",
	"kinds": ["VirtualService"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.VirtualService
	some i, route in k8s.array_at(entry.object, ["spec", "http"])
	count(k8s.array_at(route, "route")) > 0
	k8s.string_at(route, "timeout") == ""
	f := {
		"index": entry.index,
		"msg": sprintf("%s http route %s has no timeout", [k8s.describe_entry(entry), k8s.get(route, "name", sprintf("#%d", [i]))]),
		"path": sprintf("spec.http[%d].timeout", [i]),
	}
}
