package designer.checks.pod_spread

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-054",
	"title": "Replicas not spread across nodes or zones",
	"severity": "low",
	"rationale": "Without anti-affinity or topology spread constraints the scheduler may put every replica on one node or zone, which then takes them all down.",
	"remediation": "Add spec.topologySpreadConstraints (topologyKey kubernetes.io/hostname or topology.kubernetes.io/zone) or a podAntiAffinity rule.",
	"kinds": ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"],
}

findings contains f if {
	some p in k8s.pods
	p.kind in k8s.replicated_kinds
	p.replicas >= 2
	object.get(p.spec, ["affinity", "podAntiAffinity"], null) == null
	count(k8s.array_at(p.spec, "topologySpreadConstraints")) == 0
	f := {
		"index": p.index,
		"msg": sprintf("%s has neither podAntiAffinity nor topologySpreadConstraints: replicas may share one node", [p.description]),
		"path": concat("", [p.path, ".topologySpreadConstraints"]),
	}
}
