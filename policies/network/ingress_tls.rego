package designer.checks.ingress_tls

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-064",
	"title": "Ingress without TLS",
	"severity": "medium",
	"rationale": "Without spec.tls the Ingress serves plain HTTP: credentials and cookies cross the network in clear text.",
	"remediation": "Add spec.tls with the hosts and a certificate Secret (cert-manager can issue it).",
	"kinds": ["Ingress"],
}

findings contains f if {
	some entry in k8s.objects_of_kind.Ingress
	count(k8s.array_at(entry.object, ["spec", "tls"])) == 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s has no TLS section: it serves plain HTTP", [k8s.describe_entry(entry)]),
		"path": "spec.tls",
	}
}

findings contains f if {
	some entry in k8s.objects_of_kind.Ingress
	tls := k8s.array_at(entry.object, ["spec", "tls"])
	count(tls) > 0
	covered := {h | some t in tls; some h in k8s.array_at(t, "hosts")}
	some i, rule in k8s.array_at(entry.object, ["spec", "rules"])
	host := k8s.string_at(rule, "host")
	host != ""
	not host in covered
	f := {
		"index": entry.index,
		"msg": sprintf("%s serves host %s without TLS (not listed in spec.tls[].hosts)", [k8s.describe_entry(entry), host]),
		"path": sprintf("spec.rules[%d].host", [i]),
	}
}
