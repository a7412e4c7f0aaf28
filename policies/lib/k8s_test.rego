package designer.lib.k8s_test

import data.designer.lib.k8s
import data.designer.lib.testing as t
import rego.v1

test_pass_pod_spec_paths_per_kind if {
	cron := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "x:1"}]}}}}}}
	got := {p.path | some p in k8s.pods} with input as t.input_of([t.deployment("web", [t.good_container]), cron, t.pod("solo", [t.good_container])])
	got == {"spec.template.spec", "spec.jobTemplate.spec.template.spec", "spec"}
}

test_pass_containers_include_init_and_ephemeral if {
	spec := object.union(t.pod_spec([t.good_container]), {"initContainers": [{"name": "init", "image": "x:1"}], "ephemeralContainers": [{"name": "debug", "image": "y:1"}]})
	got := {[c.name, c.path] | some c in k8s.containers} with input as t.input_of([t.deployment_with("web", spec)])
	got == {
		["init", "spec.template.spec.initContainers[0]"],
		["app", "spec.template.spec.containers[0]"],
		["debug", "spec.template.spec.ephemeralContainers[0]"],
	}
}

test_pass_selected_pods_uses_labels_and_namespace if {
	objs := [t.deployment("web", [t.good_container]), t.deployment("api", [t.good_container])]
	k8s.selected_pods("0", "shop", {"app": "web"}) == {0} with input as t.input_of(objs)
	count(k8s.selected_pods("0", "other", {"app": "web"})) == 0 with input as t.input_of(objs)
	k8s.selected_pods("0", "shop", {}) == {0, 1} with input as t.input_of(objs)
}

test_fail_selected_pods_with_unknown_label_is_empty if {
	objs := [t.deployment("web", [t.good_container])]
	count(k8s.selected_pods("0", "shop", {"app": "web", "tier": "front"})) == 0 with input as t.input_of(objs)
}

# Many designs are evaluated at once: the indexes that relate objects never cross from one to another.
test_pass_designs_do_not_see_each_other if {
	designs := [[t.deployment("web", [t.good_container])], [t.deployment("web", [t.good_container]), t.deployment("api", [t.good_container])]]
	k8s.selected_pods("0", "shop", {"app": "web"}) == {0} with input as t.designs_input_of(designs)
	k8s.selected_pods("1", "shop", {"app": "web"}) == {1} with input as t.designs_input_of(designs)
	k8s.selected_pods("0", "shop", {}) == {0} with input as t.designs_input_of(designs)
	k8s.selected_pods_anywhere("1", {"app": "api"}) == {2} with input as t.designs_input_of(designs)
	k8s.has_object("1", "Deployment", "shop", "api") with input as t.designs_input_of(designs)
	not k8s.has_object("0", "Deployment", "shop", "api") with input as t.designs_input_of(designs)
	[e.index | some e in input.objects] == [0, 1, 2] with input as t.designs_input_of(designs)
}

test_fail_selector_of_one_design_matches_nothing_in_another if {
	designs := [[t.service("web", {"app": "web"}, [])], [t.deployment("web", [t.good_container])]]
	count(k8s.selected_pods("0", "shop", {"app": "web"})) == 0 with input as t.designs_input_of(designs)
}

test_pass_image_tag if {
	k8s.image_tag("nginx") == ""
	k8s.image_tag("nginx:1.25") == "1.25"
	k8s.image_tag("localhost:5000/nginx") == ""
	k8s.image_tag("localhost:5000/nginx:latest") == "latest"
	k8s.image_tag("nginx@sha256:abc") == "@digest"
}

test_pass_object_keys if {
	objs := [t.deployment("web", [t.good_container])]
	k8s.has_object("0", "Deployment", "shop", "web") with input as t.input_of(objs)
	not k8s.has_object("0", "Deployment", "shop", "api") with input as t.input_of(objs)
}

# The object indexes read the entries' precomputed kind, namespace and name; values that are missing
# or not strings must fall back exactly as string_at and namespace_of do.
test_pass_indexes_tolerate_odd_metadata if {
	objs := [
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "numbered", "namespace": 7}},
		{"apiVersion": "v1", "kind": 3, "metadata": {"name": 5, "namespace": "shop"}},
		{"apiVersion": "v1", "metadata": {"namespace": "shop"}},
	]
	k8s.object_keys == {"0/ConfigMap/default/plain", "0/ConfigMap/default/numbered", "0//shop/"} with input as t.input_of(objs)
	k8s.namespaces == {"0/default", "0/shop"} with input as t.input_of(objs)
	{e.index | some e in k8s.objects_of_kind.ConfigMap} == {0, 1} with input as t.input_of(objs)
	{e.index | some e in k8s.objects_of_kind[""]} == {2, 3} with input as t.input_of(objs)
}

test_fail_pods_skip_objects_whose_kind_is_not_a_workload if {
	odd := {"apiVersion": "v1", "kind": 3, "metadata": {"name": "x"}, "spec": {"containers": []}}
	count(k8s.pods) == 0 with input as t.input_of([odd])
}

# selected_pods answers one-label selectors with one lookup and longer ones with an intersection;
# selected_pods_anywhere is their union over the design's namespaces. Both must keep LabelSelector
# semantics: every pair must match, a number matches its text, and an empty selector selects
# everything in a namespace (selected_pods) or nothing (selected_pods_anywhere).
test_pass_selected_pods_one_and_several_labels_across_namespaces if {
	web := t.deployment("web", [t.good_container])
	other := object.union(web, {"metadata": {"namespace": "other"}, "spec": {"template": {"metadata": {"labels": {"tier": "front", "port": "8080"}}}}})
	objs := [web, other, t.deployment("api", [t.good_container])]
	k8s.selected_pods("0", "shop", {"app": "web"}) == {0} with input as t.input_of(objs)
	k8s.selected_pods("0", "other", {"app": "web", "tier": "front"}) == {1} with input as t.input_of(objs)
	k8s.selected_pods("0", "other", {"port": 8080}) == {1} with input as t.input_of(objs)
	count(k8s.selected_pods("0", "shop", {"app": "web", "tier": "front"})) == 0 with input as t.input_of(objs)
	k8s.selected_pods_anywhere("0", {"app": "web"}) == {0, 1} with input as t.input_of(objs)
	k8s.selected_pods_anywhere("0", {"app": "web", "tier": "front"}) == {1} with input as t.input_of(objs)
	count(k8s.selected_pods_anywhere("0", {"app": "web", "tier": "back"})) == 0 with input as t.input_of(objs)
	count(k8s.selected_pods_anywhere("0", {})) == 0 with input as t.input_of(objs)
}
