package designer.checks.image_pull_policy_test

import data.designer.checks.image_pull_policy as check
import data.designer.lib.testing as t
import rego.v1

test_pass_digest_or_always if {
	c := t.container({"name": "two", "image": "app:1.0", "imagePullPolicy": "Always"})
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container, c])])
}

test_fail_tag_with_default_policy if {
	c := object.remove(t.container({"image": "app:1.0"}), ["imagePullPolicy"])
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].imagePullPolicy"}
	some f in fs
	contains(f.msg, "IfNotPresent")
}
