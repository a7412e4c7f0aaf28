package designer.checks.pdb_missing_test

import data.designer.checks.pdb_missing as check
import data.designer.lib.testing as t
import rego.v1

pdb(ns, labels) := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb", "namespace": ns}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels}}}

test_pass_pdb_selects_pods if {
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), pdb("shop", {"app": "web"})])
}

test_pass_single_replica_needs_none if {
	d := object.union(t.deployment("web", [t.good_container]), {"spec": {"replicas": 1}})
	count(check.findings) == 0 with input as t.input_of([d])
}

test_fail_pdb_in_other_namespace if {
	fs := check.findings with input as t.input_of([t.deployment("web", [t.good_container]), pdb("other", {"app": "web"})])
	count(fs) == 1
	some f in fs
	f.index == 0
}

test_fail_pdb_selects_other_app if {
	count(check.findings) == 1 with input as t.input_of([t.deployment("web", [t.good_container]), pdb("shop", {"app": "api"})])
}

test_pass_match_expressions_counted_as_covering if {
	expr := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb", "namespace": "shop"}, "spec": {"maxUnavailable": 1, "selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}}}
	count(check.findings) == 0 with input as t.input_of([t.deployment("web", [t.good_container]), expr])
}
