package designer.checks.default_namespace_test

import data.designer.checks.default_namespace as check
import data.designer.lib.testing as t
import rego.v1

test_pass_dedicated_namespace if {
	ns := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
	count(check.findings) == 0 with input as t.input_of([ns, t.deployment("web", [t.good_container])])
}

test_fail_default_and_missing if {
	d := object.union(t.deployment("web", [t.good_container]), {"metadata": {"namespace": "default"}})
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}
	fs := check.findings with input as t.input_of([d, cm])
	{f.index | some f in fs} == {0, 1}
	t.paths(fs) == {"metadata.namespace"}
}
