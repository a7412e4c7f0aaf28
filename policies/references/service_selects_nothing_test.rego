package designer.checks.service_selects_nothing_test

import data.designer.checks.service_selects_nothing as check
import data.designer.lib.testing as t
import rego.v1

test_pass_selects_deployment if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), t.service("web", {"app": "web"}, [{"port": 80}])])
}

test_pass_no_selector if {
	count(check.findings) == 0 with input as t.input_of([t.service("ext", {}, [{"port": 80}])])
}

test_fail_label_typo if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), t.service("web", {"app": "wbe"}, [{"port": 80}])])
	t.paths(fs) == {"spec.selector"}
	some f in fs
	f.index == 1
}

test_fail_partial_label_match if {
	count(check.findings) == 1 with input as t.input_of([t.deployment("web", [t.good_container]), t.service("web", {"app": "web", "tier": "front"}, [{"port": 80}])])
}
