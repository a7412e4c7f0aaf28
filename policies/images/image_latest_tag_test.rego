package designer.checks.image_latest_tag_test

import data.designer.checks.image_latest_tag as check
import data.designer.lib.testing as t
import rego.v1

test_pass_version_tag if {
	c := t.container({"image": "registry.example.com:5000/app:1.2.3"})
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [c, t.good_container])])
}

test_fail_latest_and_untagged if {
	init := {"name": "init", "image": "busybox"}
	c := t.container({"image": "registry.example.com:5000/app:latest"})
	spec := object.union(t.pod_spec([c]), {"initContainers": [init]})
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.containers[0].image", "spec.template.spec.initContainers[0].image"}
}

test_fail_cronjob_container_path if {
	cron := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "busybox:latest"}]}}}}}}
	fs := check.findings with input as t.input_of([cron])
	t.paths(fs) == {"spec.jobTemplate.spec.template.spec.containers[0].image"}
	some f in fs
	contains(f.msg, "container 'job' of CronJob nightly")
}
