package designer.checks.missing_configmap_test

import data.designer.checks.missing_configmap as check
import data.designer.lib.testing as t
import rego.v1

cm(name, ns) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": {}}

web := t.deployment("web", [t.container({"envFrom": [{"configMapRef": {"name": "settings"}}]})])

test_pass_configmap_in_design if {
	count(check.findings) == 0 with input as t.input_of([web, cm("settings", "shop")])
}

test_fail_configmap_absent if {
	fs := check.findings with input as t.input_of([web])
	t.paths(fs) == {"spec.template.spec.containers[0].envFrom[0].configMapRef.name"}
	some f in fs
	contains(f.msg, "container 'app' of Deployment web refers to ConfigMap 'settings'")
}

test_fail_configmap_in_other_namespace if {
	count(check.findings) == 1 with input as t.input_of([web, cm("settings", "other")])
}
