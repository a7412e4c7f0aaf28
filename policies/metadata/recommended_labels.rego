package designer.checks.recommended_labels

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-090",
	"title": "Recommended label app.kubernetes.io/name missing",
	"severity": "low",
	"rationale": "The app.kubernetes.io/* labels let dashboards, cost reports, policies and humans tell which application an object belongs to.",
	"remediation": "Add metadata.labels app.kubernetes.io/name (and app.kubernetes.io/part-of, version, component where useful).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Service"],
}

_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Service"}

findings contains f if {
	some kind in _kinds
	some entry in object.get(k8s.objects_of_kind, kind, set())
	not _named(entry.object)
	f := {
		"index": entry.index,
		# k8s.describe_entry(entry), which is "<kind> <name>" for an object of a known kind
		"msg": sprintf("%s has no app.kubernetes.io/name label", [concat(" ", [kind, entry.name])]),
		"path": "metadata.labels",
	}
}

# True when the object has a non-empty app.kubernetes.io/name label. A direct field read rather than
# k8s.object_at/string_at (this runs for every object of the kinds above): a field read of a value that is
# not an object is undefined, as the helpers' fallbacks are.
_named(obj) if {
	name := obj.metadata.labels["app.kubernetes.io/name"]
	is_string(name)
	name != ""
}
