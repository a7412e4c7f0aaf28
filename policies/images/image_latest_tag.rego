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
	image := c.image
	why := _why[k8s.image_tags[image]] # undefined unless the tag is "" or "latest"
	f := {
		"index": c.index,
		"msg": sprintf("%s image %s %s", [c.where, image, why]),
		"path": concat("", [c.path, ".image"]),
	}
}

_why := {"": "has no tag (defaults to latest)", "latest": "uses the latest tag"}
