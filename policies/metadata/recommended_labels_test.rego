package designer.checks.recommended_labels_test

import data.designer.checks.recommended_labels as check
import data.designer.lib.testing as t
import rego.v1

test_pass_labelled if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), t.service("web", {"app": "web"}, [])])
}

test_fail_unlabelled_service if {
	svc := json.remove(t.service("web", {"app": "web"}, []), ["metadata/labels"])
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), svc])
	{f.index | some f in fs} == {1}
	t.paths(fs) == {"metadata.labels"}
}
