package designer.checks.istio_dr_tls_disabled

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-108",
	"title": "DestinationRule disables TLS",
	"severity": "high",
	"rationale": "trafficPolicy.tls.mode: DISABLE makes sidecars send plain text to the host, bypassing mesh mTLS (and failing against STRICT peers).",
	"remediation": "Use ISTIO_MUTUAL for in-mesh hosts (or remove the tls block so auto-mTLS applies), SIMPLE/MUTUAL for external TLS.",
	"kinds": ["DestinationRule"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.DestinationRule
	k8s.string_at(entry.object, ["spec", "trafficPolicy", "tls", "mode"]) == "DISABLE"
	f := {
		"index": entry.index,
		"msg": sprintf("%s disables TLS to %v", [k8s.describe_entry(entry), object.get(entry.object, ["spec", "host"], "?")]),
		"path": "spec.trafficPolicy.tls.mode",
	}
}

findings contains f if {
	some entry in k8s.objects_of_kind.DestinationRule
	some i, setting in k8s.array_at(entry.object, ["spec", "trafficPolicy", "portLevelSettings"])
	k8s.string_at(setting, ["tls", "mode"]) == "DISABLE"
	f := {
		"index": entry.index,
		"msg": sprintf("%s disables TLS to port %v of %v", [k8s.describe_entry(entry), k8s.get(setting, ["port", "number"], "?"), object.get(entry.object, ["spec", "host"], "?")]),
		"path": sprintf("spec.trafficPolicy.portLevelSettings[%d].tls.mode", [i]),
	}
}

findings contains f if {
	some entry in k8s.objects_of_kind.DestinationRule
	some i, subset in k8s.array_at(entry.object, ["spec", "subsets"])
	k8s.string_at(subset, ["trafficPolicy", "tls", "mode"]) == "DISABLE"
	f := {
		"index": entry.index,
		"msg": sprintf("%s disables TLS for subset %v", [k8s.describe_entry(entry), k8s.get(subset, "name", "?")]),
		"path": sprintf("spec.subsets[%d].trafficPolicy.tls.mode", [i]),
	}
}
