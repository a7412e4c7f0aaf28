package designer.checks.missing_service_account

import data.designer.lib.refs
import rego.v1

metadata := {
	"id": "DSN-075",
	"title": "Workload refers to a ServiceAccount the design does not define",
	"severity": "medium",
	"rationale": "A pod that needs a missing ServiceAccount does not start (ContainerCreating or CreateContainerConfigError). The object may legitimately be created outside the design, hence the moderate severity.",
	"remediation": "Add the ServiceAccount to the design, mark the reference optional, or waive this finding with the reason it exists in the cluster.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some r in refs.missing("ServiceAccount")
	f := {
		"index": r.index,
		"msg": sprintf("%s refers to ServiceAccount '%s', which the design does not define in namespace %s (it must already exist in the cluster)", [r.from, r.name, r.namespace]),
		"path": r.path,
	}
}
