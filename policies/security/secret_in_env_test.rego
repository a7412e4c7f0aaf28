package designer.checks.secret_in_env_test

import data.designer.checks.secret_in_env as check
import data.designer.lib.testing as t
import rego.v1

test_pass_secret_key_ref if {
	c := t.container({"env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}, {"name": "LOG_LEVEL", "value": "info"}]})
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [c])])
}

test_fail_literal_password if {
	c := t.container({"env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "DB_PASSWORD", "value": "hunter2"}, {"name": "API_TOKEN", "value": "abc"}]})
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].env[1].value", "spec.template.spec.containers[0].env[2].value"}
}
