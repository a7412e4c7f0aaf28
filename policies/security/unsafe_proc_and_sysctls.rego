package designer.checks.unsafe_proc_and_sysctls

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-011",
	"title": "Unmasked /proc, unsafe sysctl or Windows host process",
	"severity": "medium",
	"rationale": "procMount: Unmasked exposes kernel details, unsafe sysctls change node-wide kernel settings, and a Windows hostProcess container runs on the host itself.",
	"remediation": "Remove procMount: Unmasked, keep to the safe sysctl set, and do not set windowsOptions.hostProcess.",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

# The sysctls Kubernetes considers safe (namespaced, no effect on other pods).
_safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

findings contains f if {
	some c in k8s.containers
	object.get(c.container, ["securityContext", "procMount"], "Default") == "Unmasked"
	f := {
		"index": c.index,
		"msg": sprintf("%s sets procMount: Unmasked", [c.where]),
		"path": concat("", [c.path, ".securityContext.procMount"]),
	}
}

findings contains f if {
	some c in k8s.containers
	k8s.effective_security(c, "windowsOptions").hostProcess == true
	f := {
		"index": c.index,
		"msg": sprintf("%s runs as a Windows host process", [c.where]),
		"path": concat("", [c.path, ".securityContext.windowsOptions.hostProcess"]),
	}
}

findings contains f if {
	some p in k8s.pods
	sysctls := p.spec.securityContext.sysctls # k8s.array_at, read directly (every pod)
	is_array(sysctls)
	some i, sysctl in sysctls
	name := k8s.string_at(sysctl, "name")
	not name in _safe_sysctls
	f := {
		"index": p.index,
		"msg": sprintf("%s sets unsafe sysctl %s", [p.description, name]),
		"path": sprintf("%s.securityContext.sysctls[%d].name", [p.path, i]),
	}
}
