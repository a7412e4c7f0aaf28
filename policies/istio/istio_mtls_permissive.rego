package designer.checks.istio_mtls_permissive

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-104",
	"title": "PeerAuthentication allows plain-text traffic",
	"severity": "high",
	"rationale": "PERMISSIVE or DISABLE mTLS accepts unauthenticated plain-text connections, so workload identity and encryption are not enforced.",
	"remediation": "Set spec.mtls.mode: STRICT (after every client is in the mesh); keep PERMISSIVE only during a migration, with a waiver.",
	"kinds": ["PeerAuthentication"],
}

_weak := {"PERMISSIVE", "DISABLE"}

findings contains f if {
	some entry in k8s.objects_of_kind.PeerAuthentication
	mode := k8s.string_at(entry.object, ["spec", "mtls", "mode"])
	mode in _weak
	f := {
		"index": entry.index,
		"msg": sprintf("%s sets mTLS mode %s", [k8s.describe_entry(entry), mode]),
		"path": "spec.mtls.mode",
	}
}

findings contains f if {
	some entry in k8s.objects_of_kind.PeerAuthentication
	some port, setting in k8s.object_at(entry.object, ["spec", "portLevelMtls"])
	mode := k8s.string_at(setting, "mode")
	mode in _weak
	f := {
		"index": entry.index,
		"msg": sprintf("%s sets mTLS mode %s on port %v", [k8s.describe_entry(entry), mode, port]),
		"path": sprintf("spec.portLevelMtls.%v.mode", [port]),
	}
}
