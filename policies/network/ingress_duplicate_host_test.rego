package designer.checks.ingress_duplicate_host_test

import data.designer.checks.ingress_duplicate_host as check
import data.designer.lib.testing as t
import rego.v1

ingress(name, spec) := t.object_of("Ingress", "networking.k8s.io/v1", name, spec)

test_pass_distinct_hosts_or_classes if {
	a := ingress("a", {"rules": [{"host": "a.example.com"}]})
	b := ingress("b", {"rules": [{"host": "b.example.com"}]})
	c := ingress("c", {"ingressClassName": "internal", "rules": [{"host": "a.example.com"}]})
	count(check.findings) == 0 with input as t.input_of([a, b, c])
}

test_fail_same_host if {
	a := ingress("a", {"rules": [{"host": "a.example.com"}]})
	b := ingress("b", {"rules": [{"host": "b.example.com"}, {"host": "a.example.com"}]})
	fs := check.findings with input as t.input_of([a, b])
	{[f.index, f.path] | some f in fs} == {[0, "spec.rules[0].host"], [1, "spec.rules[1].host"]}
}
