package designer.checks.pdb_blocks_disruption

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-056",
	"title": "PodDisruptionBudget allows no disruption",
	"severity": "medium",
	"rationale": "maxUnavailable: 0 or minAvailable: 100% blocks every voluntary eviction: node drains and cluster upgrades hang.",
	"remediation": "Allow at least one pod to be disrupted (e.g. maxUnavailable: 1) and run enough replicas to absorb it.",
	"kinds": ["PodDisruptionBudget"],
}

_blocking := {
	"maxUnavailable": {0, "0", "0%"},
	"minAvailable": {"100%"},
}

findings contains f if {
	some entry in k8s.objects_of_kind.PodDisruptionBudget
	some field, values in _blocking
	value := object.get(entry.object, ["spec", field], null)
	value in values
	f := {
		"index": entry.index,
		"msg": sprintf("%s sets %s: %v, so no pod can ever be evicted", [k8s.describe_entry(entry), field, value]),
		"path": concat(".", ["spec", field]),
	}
}
