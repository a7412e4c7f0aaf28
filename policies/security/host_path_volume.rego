package designer.checks.host_path_volume

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-006",
	"title": "Pod mounts a hostPath volume",
	"severity": "high",
	"rationale": "hostPath volumes expose the node's filesystem; runtime sockets or /etc, /proc, / give control of the node.",
	"remediation": "Use a PersistentVolumeClaim, emptyDir, ConfigMap or Secret volume instead of hostPath.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

_sensitive := {"/", "/etc", "/proc", "/sys", "/root", "/var/run", "/run", "/var/lib/kubelet", "/var/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/crio/crio.sock"}

findings contains f if {
	some p in k8s.pods
	# k8s.array_at and k8s.get, read directly (this runs for every pod and volume): a field of a value
	# that is not an object is undefined, where get gave null.
	volumes := p.spec.volumes
	is_array(volumes)
	some i, volume in volumes
	host := volume.hostPath
	host != null
	where := k8s.string_at(host, "path")
	note := _note(where)
	f := {
		"index": p.index,
		"msg": sprintf("%s mounts hostPath %s in volume '%s'%s", [p.description, where, k8s.string_at(volume, "name"), note]),
		"path": sprintf("%s.volumes[%d].hostPath", [p.path, i]),
	}
}

_note(path) := " (a sensitive node path)" if path in _sensitive

_note(path) := "" if not path in _sensitive
