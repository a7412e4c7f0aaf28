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

# Evaluation cost: these bodies run for every pod or container of every design, so lists are read
# with direct field reads guarded by is_array / is_object (a read through a value that is not an
# object is undefined, as k8s.array_at's and k8s.get's fallbacks are) rather than through those
# helpers, whose calls cost regorus several times more; the tables they iterate are rules, not
# literals rebuilt on every iteration.
_all contains r if {
	some p in k8s.pods
	volumes := p.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	some field, spec in _volume_refs
	source := volume[field]
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
	volumes := p.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	sources := volume.projected.sources
	is_array(sources)
	some j, source in sources
	some field, kind in _projected_refs
	ref := source[field]
	is_object(ref)
	not ref.optional == true
	r := _ref(p, kind, k8s.string_at(ref, "name"), p.namespace, sprintf("%s.volumes[%d].projected.sources[%d].%s.name", [p.path, i, j, field]), p.description)
}

_projected_refs := {"configMap": "ConfigMap", "secret": "Secret"}

_all contains r if {
	some c in k8s.containers
	envs := c.container.env
	is_array(envs)
	some i, env in envs
	some field, kind in _env_refs
	ref := env.valueFrom[field]
	is_object(ref)
	not ref.optional == true
	pod := c.pod
	r := {
		"index": pod.index, "design": pod.design, "kind": kind, "name": k8s.string_at(ref, "name"),
		"namespace": pod.namespace, "path": sprintf("%s.env[%d].valueFrom.%s.name", [c.path, i, field]), "from": c.where,
	}
}

_env_refs := {"configMapKeyRef": "ConfigMap", "secretKeyRef": "Secret"}

_all contains r if {
	some c in k8s.containers
	sources := c.container.envFrom
	is_array(sources)
	some i, env in sources
	some field, kind in _env_from_refs
	ref := env[field]
	is_object(ref)
	not ref.optional == true
	pod := c.pod
	r := {
		"index": pod.index, "design": pod.design, "kind": kind, "name": k8s.string_at(ref, "name"),
		"namespace": pod.namespace, "path": sprintf("%s.envFrom[%d].%s.name", [c.path, i, field]), "from": c.where,
	}
}

_env_from_refs := {"configMapRef": "ConfigMap", "secretRef": "Secret"}

_all contains r if {
	some p in k8s.pods
	secrets := p.spec.imagePullSecrets
	is_array(secrets)
	some i, secret in secrets
	r := _ref(p, "Secret", k8s.string_at(secret, "name"), p.namespace, sprintf("%s.imagePullSecrets[%d].name", [p.path, i]), p.description)
}

_all contains r if {
	some p in k8s.pods
	account := object.get(p.spec, "serviceAccountName", object.get(p.spec, "serviceAccount", "default"))
	is_string(account)
	account != "default"
	r := _ref(p, "ServiceAccount", account, p.namespace, concat("", [p.path, ".serviceAccountName"]), p.description)
}

# `pod` is the `k8s.pods` entry the reference is written in: its index and design. (The per-container
# rules above build the same object in place: one call fewer for each reference of each container.)
_ref(pod, kind, name, ns, path, from) := {"index": pod.index, "design": pod.design, "kind": kind, "name": name, "namespace": ns, "path": path, "from": from}

# References of one kind whose target their own design does not define.
missing(kind) := [r |
	some r in _missing
	r.kind == kind
]

# The references (in `references` order) whose target their own design does not define: one pass for
# the four kinds the references checks ask about (k8s.has_object, inlined).
_missing := [r |
	some r in references
	r.name != ""
	not concat("/", [r.design, r.kind, r.namespace, r.name]) in k8s.object_keys
]
