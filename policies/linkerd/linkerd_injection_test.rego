package designer.checks.linkerd_injection_test

import data.designer.checks.linkerd_injection as check
import data.designer.lib.testing as t
import rego.v1

ns(annotations) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "annotations": annotations}}

server := t.object_of("Server", "policy.linkerd.io/v1beta3", "web-http", {"podSelector": {"matchLabels": {"app": "web"}}, "port": "http"})

with_annotation(value) := object.union(t.deployment("web", [t.good_container]), {"spec": {"template": {"metadata": {"annotations": {"linkerd.io/inject": value}}}}})

test_pass_namespace_injected if {
	count(check.findings) == 0 with input as t.input_of([ns({"linkerd.io/inject": "enabled"}), t.deployment("web", [t.good_container]), server])
}

test_pass_pod_injected if {
	count(check.findings) == 0 with input as t.input_of([ns({}), with_annotation("enabled"), server])
}

test_fail_pod_opts_out if {
	fs := check.findings with input as t.input_of([ns({"linkerd.io/inject": "enabled"}), with_annotation("disabled")])
	t.paths(fs) == {"spec.template.metadata.annotations"}
}

test_fail_not_injected_with_policies if {
	fs := check.findings with input as t.input_of([ns({}), t.deployment("web", [t.good_container]), server])
	{f.index | some f in fs} == {1}
}
