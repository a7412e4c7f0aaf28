package designer.checks.readiness_probe_test

import data.designer.checks.readiness_probe as check
import data.designer.lib.testing as t
import rego.v1

test_pass_probe_set if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container])])
}

test_pass_jobs_and_init_containers_ignored if {
	job := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"}, "spec": {"template": {"spec": {"containers": [{"name": "run", "image": "x:1"}]}}}}
	spec := object.union(t.pod_spec([t.good_container]), {"initContainers": [{"name": "init", "image": "x:1"}]})
	count(check.findings) == 0 with input as t.input_of([job, t.deployment_with("web", spec)])
}

test_fail_missing if {
	c := object.remove(t.good_container, ["readinessProbe"])
	fs := check.findings with input as t.input_of([t.deployment("web", [c])])
	t.paths(fs) == {"spec.template.spec.containers[0].readinessProbe"}
}
