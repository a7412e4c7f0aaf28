package designer.checks.istio_proxy_uid

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-112",
	"title": "Application container runs as the Istio proxy UID 1337",
	"severity": "medium",
	"rationale": "Traffic from UID 1337 is treated as the sidecar's own and skips interception: an application running as 1337 bypasses mTLS and policies (istioctl analyze IST0144).",
	"remediation": "Run the application under another UID (runAsUser), never 1337.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

findings contains f if {
	some c in k8s.containers
	c.name != "istio-proxy"
	k8s.effective_security(c, "runAsUser") == 1337
	f := {
		"index": c.index,
		"msg": sprintf("%s runs as UID 1337, the Istio proxy's UID: its traffic escapes the sidecar", [c.where]),
		"path": concat("", [c.path, ".securityContext.runAsUser"]),
	}
}
