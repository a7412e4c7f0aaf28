package designer.checks.single_replica

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-052",
	"title": "Workload runs a single replica",
	"severity": "medium",
	"rationale": "One replica means downtime on every rollout, node drain or crash.",
	"remediation": "Set spec.replicas to 2 or more, or attach a HorizontalPodAutoscaler with minReplicas >= 2.",
	"kinds": ["Deployment", "StatefulSet"],
}

findings contains f if {
	some p in k8s.pods
	p.kind in {"Deployment", "StatefulSet"}
	n := p.replicas
	n < 2
	f := {
		"index": p.index,
		"msg": sprintf("%s runs %v replica(s); it is unavailable during rollouts and node drains", [p.description, n]),
		"path": "spec.replicas",
	}
}
