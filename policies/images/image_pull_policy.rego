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
	image := c.image
	not contains(image, "@") # k8s.image_has_digest, inlined: this runs for every container
	fallback := object.get(_default_policy, k8s.image_tags[image], "IfNotPresent")
	policy := object.get(c.container, "imagePullPolicy", fallback)
	policy != "Always"
	f := {
		"index": c.index,
		"msg": sprintf("%s pulls mutable image %s with imagePullPolicy %s", [c.where, image, policy]),
		"path": concat("", [c.path, ".imagePullPolicy"]),
	}
}

# Kubernetes defaults to Always for latest (or no tag) and IfNotPresent otherwise (a lookup, not a
# function: this runs for every container).
_default_policy := {"": "Always", "latest": "Always"}
