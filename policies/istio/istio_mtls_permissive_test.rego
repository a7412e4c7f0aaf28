package designer.checks.istio_mtls_permissive_test

import data.designer.checks.istio_mtls_permissive as check
import data.designer.lib.testing as t
import rego.v1

pa(spec) := t.object_of("PeerAuthentication", "security.istio.io/v1", "default", spec)

test_pass_strict if {
	count(check.findings) == 0 with input as t.input_of([pa({"mtls": {"mode": "STRICT"}})])
}

test_fail_permissive if {
	fs := check.findings with input as t.input_of([pa({"mtls": {"mode": "PERMISSIVE"}})])
	t.paths(fs) == {"spec.mtls.mode"}
}

test_fail_port_level_disable if {
	fs := check.findings with input as t.input_of([pa({"mtls": {"mode": "STRICT"}, "portLevelMtls": {"9000": {"mode": "DISABLE"}}})])
	t.paths(fs) == {"spec.portLevelMtls.9000.mode"}
}
