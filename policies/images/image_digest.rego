package designer.checks.image_digest

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-032",
	"title": "Image not pinned by digest",
	"severity": "low",
	"rationale": "Only a digest names one exact image; tags can be moved or overwritten in the registry.",
	"remediation": "Reference the image as name:tag@sha256:<digest> (resolve the digest in CI).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	image := c.image
	not contains(image, "@") # k8s.image_has_digest, inlined: this runs for every container
	f := {
		"index": c.index,
		"msg": sprintf("%s image %s is not pinned by digest", [c.where, image]),
		"path": concat("", [c.path, ".image"]),
	}
}
