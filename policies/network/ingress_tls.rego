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
	count(object.get(entry.object, ["spec", "tls"], [])) == 0
	f := {
		"index": entry.index,
		"msg": sprintf("%s has no TLS section: it serves plain HTTP", [k8s.describe(entry.object)]),
		"path": "spec.tls",
	}
}

findings contains f if {
	some entry in k8s.objects_of_kind.Ingress
	tls := object.get(entry.object, ["spec", "tls"], [])
	count(tls) > 0
	covered := {h | some t in tls; some h in object.get(t, "hosts", [])}
	some i, rule in object.get(entry.object, ["spec", "rules"], [])
	host := object.get(rule, "host", "")
	host != ""
	not host in covered
	f := {
		"index": entry.index,
		"msg": sprintf("%s serves host %s without TLS (not listed in spec.tls[].hosts)", [k8s.describe(entry.object), host]),
		"path": sprintf("spec.rules[%d].host", [i]),
	}
}
