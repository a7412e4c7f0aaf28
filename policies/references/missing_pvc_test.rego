package designer.checks.missing_pvc_test

import data.designer.checks.missing_pvc as check
import data.designer.lib.testing as t
import rego.v1

spec := object.union(t.pod_spec([t.good_container]), {"volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]})

test_pass_claim_in_design if {
	pvc := t.object_of("PersistentVolumeClaim", "v1", "data", {"accessModes": ["ReadWriteOnce"]})
	count(check.findings) == 0 with input as t.input_of([t.deployment_with("web", spec), pvc])
}

test_fail_claim_absent if {
	fs := check.findings with input as t.input_of([t.deployment_with("web", spec)])
	t.paths(fs) == {"spec.template.spec.volumes[0].persistentVolumeClaim.claimName"}
}
