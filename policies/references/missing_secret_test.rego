package designer.checks.missing_secret_test

import data.designer.checks.missing_secret as check
import data.designer.lib.testing as t
import rego.v1

web := t.deployment("web", [t.container({"env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}]})])

test_pass_secret_in_design if {
	sec := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"}}
	count(check.findings) == 0 with input as t.input_of([web, sec])
}

test_pass_optional_reference if {
	d := t.deployment("web", [t.container({"env": [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw", "optional": true}}}]})])
	count(check.findings) == 0 with input as t.input_of([d])
}

test_fail_secret_absent if {
	fs := check.findings with input as t.input_of([web])
	t.paths(fs) == {"spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name"}
}
