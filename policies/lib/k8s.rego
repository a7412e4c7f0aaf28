# Shared helpers for the built-in checks (package designer.lib.k8s).
#
# Every check under policies/ reads the designs from `input.objects` (one entry per rendered
# object: index, design, component, file, line, object, and the object's kind, namespace and name) and
# `input.edges`. designer evaluates many designs (files) in one evaluation, each entry carrying the id
# of its design (a string): every index below that relates two objects is keyed by that id first, and
# cross-object checks pass it to the lookups, so an object never sees another design's objects. `entry.kind` is "" when the object has no string kind, `entry.namespace` "default"
# when it has no string namespace, `entry.name` "" when it has no string name: exactly what
# `string_at(obj, "kind")`, `namespace_of(obj)` and `name_of(obj)` return. designer computes them
# before evaluation (a user function call costs regorus several times a field read, and these three
# are read for every object by most checks); `testing.input_of` does the same for the unit tests.
# This package turns that into the
# views most checks need, computed once per evaluation:
#   * `pods`: one entry per object that carries a pod spec, with the key path of that spec;
#   * `containers`: every container, init container and ephemeral container with its key path;
#   * indexes keyed by namespace/name or by label, so cross-object checks stay linear.
# Checks import it with `import data.designer.lib.k8s`.
package designer.lib.k8s

import rego.v1

# Key path of the pod spec (and of the pod template metadata) for each workload kind.
pod_spec_path := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"ReplicationController": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

pod_meta_path := {
	"Pod": ["metadata"],
	"Deployment": ["spec", "template", "metadata"],
	"StatefulSet": ["spec", "template", "metadata"],
	"DaemonSet": ["spec", "template", "metadata"],
	"ReplicaSet": ["spec", "template", "metadata"],
	"ReplicationController": ["spec", "template", "metadata"],
	"Job": ["spec", "template", "metadata"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "metadata"],
}

container_fields := ["initContainers", "containers", "ephemeralContainers"]

# The namespace of an object; objects without one land in "default" when applied.
namespace_of(obj) := ns if {
	ns := object.get(obj, ["metadata", "namespace"], "default")
	is_string(ns)
} else := "default"

name_of(obj) := string_at(obj, ["metadata", "name"])

# "Deployment web" / "Service api", used at the start of messages.
describe(obj) := concat(" ", [kind, name_of(obj)]) if {
	kind := object.get(obj, "kind", "object")
	is_string(kind)
} else := concat(" ", ["object", name_of(obj)])

# describe(entry.object) for an input entry whose kind is known (any entry of objects_of_kind[K] for a
# non-empty K): "<kind> <name>" from the entry's precomputed fields, without describe's reads of the object.
describe_entry(entry) := concat(" ", [entry.kind, entry.name])

# One entry per object with a pod spec.
#
# Evaluation cost: `pods` and `containers` run once per evaluation but over every object of every design,
# so their bodies read fields directly (`ct.name`, `spec[field]`, guarded by is_object/is_array) rather
# than through the null-safe helpers below: in regorus a user function call costs several times a field
# read plus a builtin, and these loops run for each of 10,000s of objects. Field reads on a non-object are
# simply undefined (in OPA and regorus alike), which is what the helpers turn into their defaults.
# Values several checks read per pod or per container (description, where, image, replicas) are
# computed here once instead of in each check.
pods := [p |
	some entry in input.objects
	kind := entry.kind
	spath := pod_spec_path[kind]
	spec := object.get(entry.object, spath, null)
	is_object(spec)
	meta := object_at(entry.object, pod_meta_path[kind])
	p := {
		"index": entry.index,
		"design": entry.design,
		"kind": kind,
		"name": entry.name,
		"description": concat(" ", [kind, entry.name]),
		"namespace": entry.namespace,
		"object": entry.object,
		"spec": spec,
		"path": concat(".", spath),
		"labels": object_at(meta, "labels"),
		"annotations": object_at(meta, "annotations"),
		# effective_replicas of this entry (checks of replicated workloads read it for every pod).
		"replicas": _effective_replicas(entry.design, kind, entry.namespace, entry.name, entry.object),
	}
]

# Every container of every pod spec: index, pod (the `pods` entry), container, name, field, path,
# where (the start of container messages) and image (string_at(container, "image")).
containers := [c |
	some p in pods
	some field in container_fields
	list := p.spec[field]
	is_array(list)
	some i, ct in list
	is_object(ct)
	name := object.get(ct, "name", sprintf("#%d", [i]))
	c := {
		"index": p.index,
		"pod": p,
		"container": ct,
		"name": name,
		"field": field,
		"path": sprintf("%s.%s[%d]", [p.path, field, i]),
		"where": sprintf("%s '%s' of %s", [_container_word[field], name, p.description]),
		"image": string_at(ct, "image"),
	}
]

# Only the long-running containers (probes, ports and resources concern these).
app_containers := [c | some c in containers; c.field == "containers"]

# The indexes below run once per object of the design: they read the entry's kind, namespace and
# name fields. k8s_test.rego pins the odd cases (no kind, a non-string namespace).

# Set of "design/Kind/namespace/name" keys of every object.
object_keys contains concat("/", [entry.design, entry.kind, entry.namespace, entry.name]) if {
	some entry in input.objects
}

# True when design `design` holds the object kind/ns/name.
has_object(design, kind, ns, name) if concat("/", [design, kind, ns, name]) in object_keys

# Objects of one kind, every design's: kind -> set of input entries (iterate; relate through the keyed indexes).
objects_of_kind[entry.kind] contains entry if {
	some entry in input.objects
}

# Set of "design/namespace" of the namespaces each design's objects use.
namespaces contains concat("/", [entry.design, entry.namespace]) if {
	some entry in input.objects
}

# Pod label index: "design/namespace/key=value" -> set of `pods` positions.
pod_label_index[key] contains i if {
	some i, p in pods
	some k, v in p.labels
	key := concat("", [p.design, "/", p.namespace, "/", k, "=", format_label(v)])
}

# Pods by namespace: "design/namespace" -> set of `pods` positions.
pods_by_namespace[key] contains i if {
	some i, p in pods
	key := concat("/", [p.design, p.namespace])
}

# One definition with else, not two exclusive definitions: regorus evaluates every definition of a
# function on each call, and this runs for every label of every pod and selector.
format_label(v) := v if is_string(v) else := sprintf("%v", [v])

# Positions in `pods` of the pods of design `design` in namespace `ns` whose labels include every pair
# of `match_labels`. An empty selector selects every pod of the namespace (Kubernetes LabelSelector
# semantics).
selected_pods(design, ns, match_labels) := result if {
	# The common one-label selector: one index lookup, without the key list and the intersection.
	count(match_labels) == 1
	some k, v in match_labels
	result := object.get(pod_label_index, concat("", [design, "/", ns, "/", k, "=", format_label(v)]), set())
} else := result if {
	count(match_labels) > 1
	keys := [key | some k, v in match_labels; key := concat("", [design, "/", ns, "/", k, "=", format_label(v)])]
	every key in keys {
		pod_label_index[key]
	}
	result := intersection({pod_label_index[key] | some key in keys})
} else := get(pods_by_namespace, concat("/", [design, ns]), set()) if {
	count(match_labels) == 0
} else := set()

# Positions in `pods` that each Service with a non-empty selector selects: input index -> set (empty
# when it selects nothing). Both Service checks need it; computed once per Service here.
service_selections[entry.index] := selected_pods(entry.design, entry.namespace, selector) if {
	some entry in objects_of_kind.Service
	selector := entry.object.spec.selector
	is_object(selector)
	count(selector) > 0
}

# Same across all namespaces of the design (for mesh gateways): the union over the design's namespaces.
# Built from the namespace index rather than an index of its own, which every evaluation would compute
# (validate evaluates every rule of the lib) for the rare Gateway that asks.
selected_pods_anywhere(design, match_labels) := union({found |
	prefix := concat("", [design, "/"])
	some key in namespaces
	startswith(key, prefix)
	found := selected_pods(design, substring(key, count(prefix), -1), match_labels)
}) if {
	count(match_labels) > 0
} else := set()

# A LabelSelector's matchLabels; true when it also has matchExpressions we do not evaluate.
has_match_expressions(selector) if count(array_at(selector, "matchExpressions")) > 0

# The image's tag ("" when none) and whether it is pinned by digest.
image_has_digest(image) if contains(image, "@")

image_tag(image) := "" if {
	not image_has_digest(image)
	last := _last_segment(image)
	not contains(last, ":")
} else := tag if {
	not image_has_digest(image)
	parts := split(_last_segment(image), ":")
	tag := parts[count(parts) - 1]
} else := "@digest"

_last_segment(image) := parts[count(parts) - 1] if parts := split(image, "/")

# image_tag of every image the containers use, computed once per distinct image (image checks look it
# up for every container: the function above costs several calls each time).
image_tags := {image: image_tag(image) | some image in {c.image | some c in containers}}

# The number of replicas a workload asks for (Kubernetes defaults it to 1).
replicas(obj) := n if {
	n := object.get(obj, ["spec", "replicas"], 1)
	is_number(n)
} else := 1

# Workloads that run several replicas of one pod template.
replicated_kinds := {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}

# "container 'app' of Deployment web", used in container-level messages (computed once per container).
where(c) := c.where

_container_word := {"containers": "container", "initContainers": "init container", "ephemeralContainers": "ephemeral container"}

# A container's securityContext field, falling back to the pod's (pod-level defaults).
effective_security(c, field) := v if {
	v := object.get(c.container, ["securityContext", field], null)
	v != null
} else := object.get(c.pod.spec, ["securityContext", field], null)

# Long-running workload kinds (probes and replicas make sense for these, not for Jobs).
long_running_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}

# Positions in `pods` selected in namespace `ns` of design `design` by a LabelSelector ({matchLabels,
# matchExpressions}). matchExpressions are not evaluated here: such a selector counts as selecting
# every pod of the namespace, so checks never report "selects nothing" or "not covered" because of them.
label_selector_pods(design, ns, selector) := get(pods_by_namespace, concat("/", [design, ns]), set()) if {
	has_match_expressions(selector)
} else := selected_pods(design, ns, object_at(selector, "matchLabels"))

# "design/Kind/namespace/name" of each HPA's target -> the set of minReplicas asking for it.
hpa_min_replicas[key] contains n if {
	some entry in objects_of_kind.HorizontalPodAutoscaler
	target := object_at(entry.object, ["spec", "scaleTargetRef"])
	key := concat("/", [entry.design, string_at(target, "kind"), entry.namespace, string_at(target, "name")])
	n := object.get(entry.object, ["spec", "minReplicas"], 1)
}

# Replicas a workload (a `pods` entry) runs: its HPA's minReplicas when one of its design targets it,
# else spec.replicas. `pods` entries carry it as `replicas` (computed once per pod).
effective_replicas(p) := _effective_replicas(p.design, p.kind, p.namespace, p.name, p.object)

_effective_replicas(design, kind, ns, name, obj) := n if {
	asked := hpa_min_replicas[concat("/", [design, kind, ns, name])]
	n := max(asked)
} else := replicas(obj)

# Every RBAC rule of the design's Roles and ClusterRoles: {index, object, rule, path, verbs, resources}.
rbac_rules := [r |
	some kind in ["Role", "ClusterRole"]
	some entry in get(objects_of_kind, kind, set())
	some i, rule in array_at(entry.object, "rules")
	is_object(rule)
	r := {
		"index": entry.index,
		"object": entry.object,
		"rule": rule,
		"path": sprintf("rules[%d]", [i]),
		"verbs": {v | some v in array_at(rule, "verbs")},
		"resources": {x | some x in array_at(rule, "resources")},
		"groups": {g | some g in array_at(rule, "apiGroups")},
	}
]

# Port names and numbers declared by each pod's containers (keyed by position in `pods`).
# (Direct field reads guarded by is_array: these run for every pod; see `pods`.)
pod_port_names[i] := {n |
	list := p.spec.containers
	is_array(list)
	some c in list
	ports := c.ports
	is_array(ports)
	some port in ports
	n := port.name
	is_string(n)
	n != ""
} if some i, p in pods

pod_port_numbers[i] := {n |
	list := p.spec.containers
	is_array(list)
	some c in list
	ports := c.ports
	is_array(ports)
	some port in ports
	n := get(port, "containerPort", 0)
} if some i, p in pods

# True when one of the pods (positions in `pods`) declares `port` (a name or a number). With no
# containerPort declared at all, a number cannot be judged (declarations are informational).
pods_expose(positions, port) if {
	is_string(port)
	some i in positions
	port in pod_port_names[i]
}

pods_expose(positions, port) if {
	is_number(port)
	some i in positions
	port in pod_port_numbers[i]
}

pods_expose(positions, port) if {
	is_number(port)
	every i in positions {
		count(pod_port_numbers[i]) == 0
	}
}

# Null-safe accessors. regorus raises a runtime error (aborting the whole evaluation) for
# `some x in null`, count(null), object.get(null, ...) and string builtins on non-strings, where
# OPA would just be undefined; manifests do contain `env: null` or `volumes:` with no value.
# Use these wherever a value is iterated, counted or handled as a string.
array_at(x, path) := v if {
	is_object(x)
	v := object.get(x, path, [])
	is_array(v)
} else := []

object_at(x, path) := v if {
	is_object(x)
	v := object.get(x, path, {})
	is_object(v)
} else := {}

string_at(x, path) := v if {
	is_object(x)
	v := object.get(x, path, "")
	is_string(v)
} else := ""

# object.get for values that may not be objects (list elements).
get(x, path, fallback) := object.get(x, path, fallback) if is_object(x) else := fallback
