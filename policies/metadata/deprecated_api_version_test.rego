package designer.checks.deprecated_api_version_test

import data.designer.checks.deprecated_api_version as check
import data.designer.lib.testing as t
import rego.v1

test_pass_current_versions if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), t.object_of("Ingress", "networking.k8s.io/v1", "web", {})])
}

test_fail_removed_versions if {
	old := object.union(t.deployment("web", [t.good_container]), {"apiVersion": "extensions/v1beta1"})
	cron := t.object_of("CronJob", "batch/v1beta1", "nightly", {})
	fs := check.findings with input as t.input_of([old, cron])
	{f.index | some f in fs} == {0, 1}
	some f in fs
	f.index == 1
	contains(f.msg, "removed in Kubernetes 1.25; use batch/v1")
}
