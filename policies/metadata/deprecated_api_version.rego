package designer.checks.deprecated_api_version

import data.designer.lib.k8s
import rego.v1

metadata := {
	"id": "DSN-092",
	"title": "apiVersion removed from Kubernetes",
	"severity": "high",
	"rationale": "API versions removed from Kubernetes make apply fail on current clusters (and upgrades break designs still using them).",
	"remediation": "Move the object to the supported apiVersion named in the message (fields may need adjusting, e.g. Ingress backends).",
}

# apiVersion -> [Kubernetes version that removed it, what to use instead].
_removed := {
	"extensions/v1beta1": ["1.22", "apps/v1 (workloads) or networking.k8s.io/v1 (Ingress, NetworkPolicy)"],
	"apps/v1beta1": ["1.16", "apps/v1"],
	"apps/v1beta2": ["1.16", "apps/v1"],
	"networking.k8s.io/v1beta1": ["1.22", "networking.k8s.io/v1"],
	"rbac.authorization.k8s.io/v1beta1": ["1.22", "rbac.authorization.k8s.io/v1"],
	"rbac.authorization.k8s.io/v1alpha1": ["1.22", "rbac.authorization.k8s.io/v1"],
	"apiextensions.k8s.io/v1beta1": ["1.22", "apiextensions.k8s.io/v1"],
	"admissionregistration.k8s.io/v1beta1": ["1.22", "admissionregistration.k8s.io/v1"],
	"certificates.k8s.io/v1beta1": ["1.22", "certificates.k8s.io/v1"],
	"coordination.k8s.io/v1beta1": ["1.22", "coordination.k8s.io/v1"],
	"scheduling.k8s.io/v1beta1": ["1.22", "scheduling.k8s.io/v1"],
	"storage.k8s.io/v1beta1": ["1.22", "storage.k8s.io/v1"],
	"policy/v1beta1": ["1.25", "policy/v1 (PodDisruptionBudget); PodSecurityPolicy has no successor: use Pod Security Admission"],
	"batch/v1beta1": ["1.25", "batch/v1"],
	"autoscaling/v2beta1": ["1.25", "autoscaling/v2"],
	"autoscaling/v2beta2": ["1.26", "autoscaling/v2"],
	"discovery.k8s.io/v1beta1": ["1.25", "discovery.k8s.io/v1"],
	"events.k8s.io/v1beta1": ["1.25", "events.k8s.io/v1"],
	"node.k8s.io/v1beta1": ["1.25", "node.k8s.io/v1"],
	"flowcontrol.apiserver.k8s.io/v1beta1": ["1.26", "flowcontrol.apiserver.k8s.io/v1"],
	"flowcontrol.apiserver.k8s.io/v1beta2": ["1.29", "flowcontrol.apiserver.k8s.io/v1"],
}

findings contains f if {
	some entry in input.objects
	# A direct field read (this runs for every object): a missing or non-string apiVersion is no key of
	# _removed, as k8s.string_at's "" is not.
	version := entry.object.apiVersion
	[removed, instead] := _removed[version]
	f := {
		"index": entry.index,
		"msg": sprintf("%s uses apiVersion %s, removed in Kubernetes %s; use %s", [k8s.describe(entry.object), version, removed, instead]),
		"path": "apiVersion",
	}
}
