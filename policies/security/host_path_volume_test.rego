package designer.checks.host_path_volume_test

import data.designer.checks.host_path_volume as check
import data.designer.lib.testing as t
import rego.v1

test_pass_empty_dir if {
	spec := object.union(t.pod_spec([t.good_container]), {"volumes": [{"name": "tmp", "emptyDir": {}}]})
	count(check.findings) == 0 with input as t.input_of([t.deployment_with("web", spec)])
}

test_fail_docker_socket if {
	spec := object.union(t.pod_spec([t.good_container]), {"volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}]})
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.volumes[1].hostPath"}
	some f in fs
	contains(f.msg, "sensitive")
}
