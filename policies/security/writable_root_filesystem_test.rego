package designer.checks.writable_root_filesystem_test

import data.designer.checks.writable_root_filesystem as check
import data.designer.lib.testing as t
import rego.v1

test_pass_read_only if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_fail_writable if {
	c := t.container({"securityContext": {"readOnlyRootFilesystem": false}})
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container, object.union(c, {"name": "side"})])])
	t.paths(fs) == {"spec.template.spec.containers[1].securityContext.readOnlyRootFilesystem"}
	some f in fs
	contains(f.msg, "'side'")
}
