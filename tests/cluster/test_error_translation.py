"""Status bodies (as real API servers send them) → typed designer errors, without a server."""

from __future__ import annotations

from designer.cluster import errors
from designer.errors import ClusterError

CONFLICT = {
    "kind": "Status",
    "apiVersion": "v1",
    "status": "Failure",
    "reason": "Conflict",
    "code": 409,
    "message": 'Apply failed with 2 conflicts: conflicts with "kubectl" using apps/v1:\n- .spec.replicas\n'
    'conflicts with "helm":\n- .spec.template.spec.containers[name="web"].image',
    "details": {
        "causes": [
            {
                "reason": "FieldManagerConflict",
                "message": 'conflict with "kubectl" using apps/v1',
                "field": ".spec.replicas",
            },
            {
                "reason": "FieldManagerConflict",
                "message": 'conflict with "helm"',
                "field": '.spec.template.spec.containers[name="web"].image',
            },
        ]
    },
}


def test_ownership_conflicts_per_field_with_managers() -> None:
    error = errors.from_status(409, CONFLICT, action="apply", target="Deployment/shop/web")
    assert isinstance(error, errors.ConflictError) and isinstance(error, ClusterError)
    assert [(c.field, c.manager) for c in error.conflicts] == [
        (".spec.replicas", "kubectl"),
        ('.spec.template.spec.containers[name="web"].image', "helm"),
    ]
    assert error.causes == (
        '.spec.replicas: conflict with "kubectl" using apps/v1',
        '.spec.template.spec.containers[name="web"].image: conflict with "helm"',
    )
    assert str(error).startswith("apply Deployment/shop/web: Apply failed with 2 conflicts")


def test_immutable_and_plain_invalid() -> None:
    body = {
        "reason": "Invalid",
        "message": 'Deployment.apps "web" is invalid: spec.selector: Invalid value: ...: field is immutable',
        "details": {
            "causes": [
                {
                    "reason": "FieldValueInvalid",
                    "message": "Invalid value: field is immutable",
                    "field": "spec.selector",
                }
            ]
        },
    }
    error = errors.from_status(422, body, action="apply", target="Deployment/shop/web")
    assert isinstance(error, errors.InvalidError) and error.immutable and error.fields == ("spec.selector",)
    plain = errors.from_status(422, {"message": "metadata.name: Invalid value"}, action="apply", target="x")
    assert isinstance(plain, errors.InvalidError) and not plain.immutable


def test_not_found_tells_namespace_from_object() -> None:
    missing_ns = errors.from_status(
        404, {"message": 'namespaces "shop" not found'}, action="apply", target="ConfigMap/shop/c"
    )
    assert isinstance(missing_ns, errors.NotFoundError) and missing_ns.missing == "namespace"
    missing_obj = errors.from_status(
        404, {"message": 'configmaps "c" not found'}, action="get", target="ConfigMap/shop/c"
    )
    assert isinstance(missing_obj, errors.NotFoundError) and missing_obj.missing == "object"
    namespace_itself = errors.from_status(
        404, {"message": 'namespaces "shop" not found'}, action="get", target="Namespace/shop"
    )
    assert isinstance(namespace_itself, errors.NotFoundError) and namespace_itself.missing == "object"


def test_dry_run_refusal_only_on_dry_runs() -> None:
    body = {"message": 'admission webhook "x.example.com" does not support dry run'}
    assert isinstance(
        errors.from_status(400, body, action="a", target="t", dry_run=True), errors.DryRunUnsupportedError
    )
    assert type(errors.from_status(400, body, action="a", target="t")) is errors.ApiError
    forbidden = errors.from_status(403, {"message": "forbidden"}, action="a", target="t", dry_run=True)
    assert isinstance(forbidden, errors.ForbiddenError)


def test_server_side_failures_are_retryable_and_reported_as_unreachable() -> None:
    """UnreachableError is what the Retrier retries: throttling and server failures, not refusals."""
    for status in (429, 500, 503, 504):
        assert isinstance(errors.from_status(status, None, action="get", target="t"), errors.UnreachableError)
    assert not isinstance(errors.from_status(409, None, action="get", target="t"), errors.UnreachableError)


def test_a_500_for_values_of_the_wrong_type_is_a_refusal_not_an_outage() -> None:
    """kube-apiserver 1.37 answers an apply with a wrongly typed value with a 500
    (kubernetes/kubernetes#139253): not retried, and the hint says to fix the design."""
    for message in (
        "failed to create typed patch object (/c; /v1, Kind=ConfigMap): .data.port: expected string, got 8080",
        "failed to convert new object (/s; /v1, Kind=Secret) to proper version: illegal base64 data at input byte 0",
    ):
        error = errors.from_status(500, {"message": message}, action="apply", target="ConfigMap/default/c")
        assert not isinstance(error, errors.UnreachableError)
        assert error.status == 500 and "wrong type" in (error.hint or "")
    undeclared = errors.from_status(
        500,
        {
            "message": "failed to create typed patch object (/web; apps/v1, Kind=Deployment): "
            ".spec.replica: field not declared in schema"
        },
        action="apply",
        target="Deployment/default/web",
    )
    assert not isinstance(undeclared, errors.UnreachableError)
    assert "a field its kind does not have" in (undeclared.hint or "")
    assert "design validate" in (undeclared.hint or "")
    unauthorized = errors.from_status(401, {}, action="get", target="t")
    assert unauthorized.reason == "Unauthorized" and "credentials" in (unauthorized.hint or "")


def test_rbac_refusals_are_read_back_into_their_parts() -> None:
    """kube-apiserver's sentences (as its RBAC authorizer words them) for the shapes designer meets:
    namespaced, cluster scope, a subresource, a ServiceAccount, a non-resource URL (discovery)."""
    from designer.cluster.access import Caller, Refusal, can_i, forbidden_hint

    namespaced = Refusal.parse(
        'deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments" '
        'in API group "apps" in the namespace "shop"'
    )
    assert namespaced == Refusal("alice", "patch", "deployments", "apps", "shop")
    assert namespaced.resource_name == "deployments.apps" and not namespaced.needs_cluster_role
    cluster = Refusal.parse(
        'clusterroles.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:ci:deployer" '
        'cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope'
    )
    assert cluster is not None and cluster.namespace is None and cluster.needs_cluster_role
    assert cluster.subject == "ServiceAccount deployer (namespace ci)"
    assert can_i(cluster, Caller(context="prod")) == (
        "kubectl auth can-i list clusterroles.rbac.authorization.k8s.io --all-namespaces --context prod"
    )
    sub = Refusal.parse(
        'User "bob" cannot create resource "pods/eviction" in API group "" in the namespace "a"'
    )
    assert sub is not None and sub.resource_name == "pods/eviction"
    discovery = Refusal.parse('forbidden: User "system:anonymous" cannot get path "/apis/apps/v1"')
    assert discovery is not None and discovery.path
    hint = forbidden_hint(discovery, Caller(credential="no credential"))
    assert "discovery documents" in hint and "the server saw no valid credential" in hint
    assert Refusal.parse("configmaps is forbidden") is None
    plain = errors.from_status(403, {"message": "configmaps is forbidden"}, action="get", target="t")
    assert (
        isinstance(plain, errors.ForbiddenError)
        and plain.refusal is None
        and "auth can-i" in (plain.hint or "")
    )
