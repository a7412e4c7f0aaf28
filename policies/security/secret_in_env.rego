package designer.checks.secret_in_env

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-014",
	"title": "Secret value written literally in an environment variable",
	"severity": "high",
	"rationale": "A literal password or token in the manifest ends up in git, in the rendered objects and in every reader of the pod spec.",
	"remediation": "Move the value to a Secret and reference it with valueFrom.secretKeyRef (or mount it as a file).",
	"kinds": ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"],
}

_words := ["password", "passwd", "secret", "token", "apikey", "api_key", "private_key", "credential", "access_key"]

findings contains f if {
	some c in k8s.containers
	# k8s.array_at and k8s.string_at, read directly (this runs for every container and variable)
	envs := c.container.env
	is_array(envs)
	some i, env in envs
	value := env.value
	is_string(value)
	value != ""
	name := lower(k8s.string_at(env, "name"))
	some word in _words
	contains(name, word)
	f := {
		"index": c.index,
		"msg": sprintf("%s sets %s to a literal value; it looks like a secret", [c.where, env.name]),
		"path": sprintf("%s.env[%d].value", [c.path, i]),
	}
}
