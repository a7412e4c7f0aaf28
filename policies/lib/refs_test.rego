package designer.lib.refs_test

import data.designer.lib.refs
import data.designer.lib.testing as t
import rego.v1

spec := object.union(t.pod_spec([t.container({
	"env": [{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "cm-env", "key": "a"}}}],
	"envFrom": [{"secretRef": {"name": "sec-from"}}, {"configMapRef": {"name": "opt", "optional": true}}],
})]), {
	"volumes": [
		{"name": "v", "configMap": {"name": "cm-vol"}},
		{"name": "p", "projected": {"sources": [{"secret": {"name": "sec-proj"}}]}},
		{"name": "d", "persistentVolumeClaim": {"claimName": "data"}},
	],
	"imagePullSecrets": [{"name": "pull"}],
})

test_pass_collects_every_reference_with_path if {
	got := {[r.kind, r.name, r.path] | some r in refs.references} with input as t.input_of([t.deployment_with("web", spec)])
	got == {
		["ConfigMap", "cm-env", "spec.template.spec.containers[0].env[0].valueFrom.configMapKeyRef.name"],
		["Secret", "sec-from", "spec.template.spec.containers[0].envFrom[0].secretRef.name"],
		["ConfigMap", "cm-vol", "spec.template.spec.volumes[0].configMap.name"],
		["Secret", "sec-proj", "spec.template.spec.volumes[1].projected.sources[0].secret.name"],
		["PersistentVolumeClaim", "data", "spec.template.spec.volumes[2].persistentVolumeClaim.claimName"],
		["Secret", "pull", "spec.template.spec.imagePullSecrets[0].name"],
		["ServiceAccount", "app", "spec.template.spec.serviceAccountName"],
	}
}

test_fail_missing_lists_only_absent_objects if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-vol", "namespace": "shop"}}
	got := {r.name | some r in refs.missing("ConfigMap")} with input as t.input_of([t.deployment_with("web", spec), cm])
	got == {"cm-env"}
}
