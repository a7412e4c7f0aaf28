package designer.checks.update_strategy

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-055",
	"title": "Update strategy causes downtime or never rolls out",
	"severity": "low",
	"rationale": "Recreate stops every pod before starting new ones, maxUnavailable 100% does the same, and OnDelete leaves StatefulSet pods on the old version until deleted by hand.",
	"remediation": "Use the RollingUpdate strategy with a bounded maxUnavailable (e.g. 25%).",
	"kinds": ["Deployment", "StatefulSet", "DaemonSet"],
}

_bad := {
	"Deployment": ["spec.strategy.type", ["spec", "strategy", "type"], "Recreate"],
	"StatefulSet": ["spec.updateStrategy.type", ["spec", "updateStrategy", "type"], "OnDelete"],
	"DaemonSet": ["spec.updateStrategy.type", ["spec", "updateStrategy", "type"], "OnDelete"],
}

findings contains f if {
	some p in k8s.pods
	[path, keys, value] := _bad[p.kind]
	object.get(p.object, keys, null) == value # k8s.string_at(p.object, keys) == value, without the call
	f := {
		"index": p.index,
		"msg": sprintf("%s uses the %s update strategy", [p.description, value]),
		"path": path,
	}
}

findings contains f if {
	some p in k8s.pods
	p.kind == "Deployment"
	object.get(p.object, ["spec", "strategy", "rollingUpdate", "maxUnavailable"], null) == "100%"
	f := {
		"index": p.index,
		"msg": sprintf("%s allows every pod to be unavailable during a rollout (maxUnavailable: 100%%)", [p.description]),
		"path": "spec.strategy.rollingUpdate.maxUnavailable",
	}
}
