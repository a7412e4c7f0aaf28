package designer.checks.image_digest_test

import data.designer.checks.image_digest as check
import data.designer.lib.testing as t
import rego.v1

test_pass_digest if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_tag_only if {
	c := t.container({"image": "app:1.0"})
	fs := check.findings with input as t.input_of([t.pod("solo", [c])])
	t.paths(fs) == {"spec.containers[0].image"}
}
