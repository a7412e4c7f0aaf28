package designer.checks.automount_service_account_token

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-012",
	"title": "Service account token mounted automatically",
	"severity": "medium",
	"rationale": "Most applications never call the Kubernetes API; a mounted token only helps an intruder move laterally.",
	"remediation": "Set automountServiceAccountToken: false in the pod spec (or on its ServiceAccount) unless the workload calls the API.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

# ServiceAccounts that disable automounting: "design/namespace/name".
_quiet_accounts contains key if {
	some entry in k8s.objects_of_kind.ServiceAccount
	object.get(entry.object, "automountServiceAccountToken", true) == false
	key := concat("/", [entry.design, entry.namespace, entry.name])
}

findings contains f if {
	some p in k8s.pods
	object.get(p.spec, "automountServiceAccountToken", null) != false
	account := object.get(p.spec, "serviceAccountName", "default")
	is_string(account)
	not _account_quiet(p, account)
	f := {
		"index": p.index,
		"msg": sprintf("%s mounts the token of service account '%s' (automountServiceAccountToken is not false)", [p.description, account]),
		"path": concat("", [p.path, ".automountServiceAccountToken"]),
	}
}

_account_quiet(p, account) if {
	object.get(p.spec, "automountServiceAccountToken", null) == null
	concat("/", [p.design, p.namespace, account]) in _quiet_accounts
}
