package designer.checks.istio_injection_disabled_test

import data.designer.checks.istio_injection_disabled as check
import data.designer.lib.testing as t
import rego.v1

ns(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": labels}}

opted_out := object.union(t.deployment("web", [t.good_container]), {"spec": {"template": {"metadata": {"annotations": {"sidecar.istio.io/inject": "false"}}}}})

test_pass_injected if {
	count(check.findings) == 0 with input as t.input_of([ns({"istio-injection": "enabled"}), t.deployment("web", [t.good_container])])
}

test_pass_opt_out_outside_mesh if {
	count(check.findings) == 0 with input as t.input_of([ns({}), opted_out])
}

test_fail_opt_out_in_meshed_namespace if {
	fs := check.findings with input as t.input_of([ns({"istio.io/rev": "stable"}), opted_out])
	t.paths(fs) == {"spec.template.metadata.annotations"}
}

test_fail_namespace_disabled_with_istio_config if {
	pa := t.object_of("PeerAuthentication", "security.istio.io/v1", "default", {"mtls": {"mode": "STRICT"}})
	fs := check.findings with input as t.input_of([ns({"istio-injection": "disabled"}), pa])
	t.paths(fs) == {"metadata.labels"}
}
