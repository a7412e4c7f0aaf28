# Names a pod spec refers to (package designer.lib.refs): ConfigMaps, Secrets, PersistentVolumeClaims
# and the ServiceAccount, each with the key path of the reference. The references checks
# (policies/references/missing_*.rego) compare them with the design's objects through
# data.designer.lib.k8s.has_object, one set lookup per reference.
package designer.lib.refs

import data.designer.lib.k8s
import rego.v1

# {index, design, kind, name, namespace, path, from} for every reference that is not marked optional.
references := [r |
	some ref in _all
	r := ref
]

_all contains r if {
	some p in k8s.pods
	some i, volume in k8s.array_at(p.spec, "volumes")
	some field, spec in _volume_refs
	source := k8s.get(volume, field, null)
	is_object(source)
	not source.optional == true
	name := k8s.string_at(source, spec[1])
	r := _ref(p, spec[0], name, p.namespace, sprintf("%s.volumes[%d].%s.%s", [p.path, i, field, spec[1]]), p.description)
}

_volume_refs := {
	"configMap": ["ConfigMap", "name"],
	"secret": ["Secret", "secretName"],
	"persistentVolumeClaim": ["PersistentVolumeClaim", "claimName"],
}

_all contains r if {
	some p in k8s.pods
	some i, volume in k8s.array_at(p.spec, "volumes")
	some j, source in k8s.array_at(volume, ["projected", "sources"])
	some field, kind in {"configMap": "ConfigMap", "secret": "Secret"}
	ref := k8s.get(source, field, null)
	is_object(ref)
	not ref.optional == true
	r := _ref(p, kind, k8s.string_at(ref, "name"), p.namespace, sprintf("%s.volumes[%d].projected.sources[%d].%s.name", [p.path, i, j, field]), p.description)
}

_all contains r if {
	some c in k8s.containers
	some i, env in k8s.array_at(c.container, "env")
	some field, kind in {"configMapKeyRef": "ConfigMap", "secretKeyRef": "Secret"}
	ref := k8s.get(env, ["valueFrom", field], null)
	is_object(ref)
	not ref.optional == true
	r := _ref(c.pod, kind, k8s.string_at(ref, "name"), c.pod.namespace, sprintf("%s.env[%d].valueFrom.%s.name", [c.path, i, field]), c.where)
}

_all contains r if {
	some c in k8s.containers
	some i, env in k8s.array_at(c.container, "envFrom")
	some field, kind in {"configMapRef": "ConfigMap", "secretRef": "Secret"}
	ref := k8s.get(env, field, null)
	is_object(ref)
	not ref.optional == true
	r := _ref(c.pod, kind, k8s.string_at(ref, "name"), c.pod.namespace, sprintf("%s.envFrom[%d].%s.name", [c.path, i, field]), c.where)
}

_all contains r if {
	some p in k8s.pods
	some i, secret in k8s.array_at(p.spec, "imagePullSecrets")
	r := _ref(p, "Secret", k8s.string_at(secret, "name"), p.namespace, sprintf("%s.imagePullSecrets[%d].name", [p.path, i]), p.description)
}

_all contains r if {
	some p in k8s.pods
	account := object.get(p.spec, "serviceAccountName", object.get(p.spec, "serviceAccount", "default"))
	is_string(account)
	account != "default"
	r := _ref(p, "ServiceAccount", account, p.namespace, concat("", [p.path, ".serviceAccountName"]), p.description)
}

# `pod` is the `k8s.pods` entry the reference is written in: its index and design.
_ref(pod, kind, name, ns, path, from) := {"index": pod.index, "design": pod.design, "kind": kind, "name": name, "namespace": ns, "path": path, "from": from}

# References of one kind whose target their own design does not define.
missing(kind) := [r |
	some r in references
	r.kind == kind
	r.name != ""
	not k8s.has_object(r.design, kind, r.namespace, r.name)
]
