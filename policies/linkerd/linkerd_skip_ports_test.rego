package designer.checks.linkerd_skip_ports_test

import data.designer.checks.linkerd_skip_ports as check
import data.designer.lib.testing as t
import rego.v1

annotated(annotations) := object.union(t.deployment("web", [t.good_container]), {"spec": {"template": {"metadata": {"annotations": annotations}}}})

test_pass_opaque_ports if {
	count(check.findings) == 0 with input as t.input_of([annotated({"config.linkerd.io/opaque-ports": "5432"})])
}

test_fail_skip_inbound if {
	fs := check.findings with input as t.input_of([annotated({"config.linkerd.io/skip-inbound-ports": "9090"})])
	t.paths(fs) == {"spec.template.metadata.annotations"}
	some f in fs
	contains(f.msg, "9090")
}
