package designer.checks.image_latest_tag

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-030",
	"title": "Image without a tag or with the latest tag",
	"severity": "high",
	"rationale": "latest (or no tag) points at whatever was pushed last: rollouts are not reproducible and a rollback may not go back.",
	"remediation": "Use an explicit version tag (e.g. nginx:1.27.2), or pin the image by digest.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	image := k8s.string_at(c.container, "image")
	is_string(image)
	tag := k8s.image_tag(image)
	tag in {"", "latest"}
	why := {"": "has no tag (defaults to latest)", "latest": "uses the latest tag"}[tag]
	f := {
		"index": c.index,
		"msg": sprintf("%s image %s %s", [k8s.where(c), image, why]),
		"path": concat("", [c.path, ".image"]),
	}
}
