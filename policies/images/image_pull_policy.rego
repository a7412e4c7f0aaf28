package designer.checks.image_pull_policy

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-031",
	"title": "Mutable image tag pulled only if not present",
	"severity": "info",
	"rationale": "With a tag that can move and imagePullPolicy IfNotPresent or Never, nodes keep whichever build they pulled first: replicas may run different code.",
	"remediation": "Pin the image by digest, or set imagePullPolicy: Always.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	image := k8s.string_at(c.container, "image")
	is_string(image)
	not k8s.image_has_digest(image)
	tag := k8s.image_tag(image)
	policy := object.get(c.container, "imagePullPolicy", _default_policy(tag))
	policy != "Always"
	f := {
		"index": c.index,
		"msg": sprintf("%s pulls mutable image %s with imagePullPolicy %s", [k8s.where(c), image, policy]),
		"path": concat("", [c.path, ".imagePullPolicy"]),
	}
}

# Kubernetes defaults to Always for latest (or no tag) and IfNotPresent otherwise.
_default_policy(tag) := "Always" if tag in {"", "latest"}

_default_policy(tag) := "IfNotPresent" if not tag in {"", "latest"}
