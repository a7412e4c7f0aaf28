"""Designs' Kubernetes objects checked against their kinds' shapes (designer.loading.apifields).

Each class of error (unknown field, wrong type, missing required field, unknown kind of a served
group-version, a value outside an enumeration, a repeated list key) is located by file:line and the
key path as the file writes it; all of a file's errors come at once; the design stays readable for
`read_file`; the opt-out annotation, custom resources checked against a CRD of the same design, and
kinds with no known shape left alone. The real loaders and the shapes recorded from a real
kube-apiserver run, and Istio's and the Gateway API's real CRDs; nothing is mocked.
"""

from __future__ import annotations

import textwrap

import pytest

from designer.adapters.registry import AdapterRegistry
from designer.errors import CombinedDesignError, DesignerError, FieldError
from designer.graph import build_graph
from designer.loading import load_file, load_text, read_parsed
from designer.loading.writing import dump_documents
from designer.loading.yamlnodes import scan_bytes
from designer.rendering import render
from tests import meshcrds
from tests.conftest import PATTERNS


def _errors(text: str, name: str = "app.yaml") -> list[DesignerError]:
    """Every error of ``text``, as `load_text` raises them (all at once)."""
    try:
        load_text(textwrap.dedent(text), name)
    except CombinedDesignError as exc:
        return list(exc.each())
    except DesignerError as exc:
        return [exc]
    return []


def _one(text: str) -> DesignerError:
    (error,) = _errors(text)
    assert isinstance(error, FieldError), error
    return error


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


def test_a_valid_object_has_no_error() -> None:
    assert _errors(DEPLOYMENT) == []


def test_an_unknown_field_is_located_with_did_you_mean() -> None:
    error = _one(DEPLOYMENT.replace("  replicas: 2", "  replica: 2"))
    assert error.message == "unknown field 'replica' in DeploymentSpec"
    assert error.path == "document[0].spec.replica"
    assert error.location is not None and (error.location.file, error.location.line) == ("app.yaml", 5)
    assert error.hint == "did you mean 'replicas'?"


def test_a_value_of_the_wrong_type_says_what_to_write() -> None:
    error = _one(DEPLOYMENT.replace("replicas: 2", 'replicas: "2"'))
    assert error.message == 'expected an integer, got the string "2"'
    assert error.path == "document[0].spec.replicas"
    assert error.location is not None and error.location.line == 5
    assert error.hint == "write 2 without quotes"


@pytest.mark.parametrize(
    ("line", "written", "expected"),
    [
        ("          ports: [{containerPort: 8080.5}]", "ports[0].containerPort", "an integer"),
        ("          resources: {limits: {memory: 1 GB}}", "resources.limits.memory", "a quantity"),
        ("          ports: {http: 80}", "ports", "a list"),
        ("          env: [{name: A, value: 8080}]", "env[0].value", "a string"),
        ("          stdin: 'yes'", "stdin", "true or false"),
    ],
)
def test_each_scalar_type_is_checked(line: str, written: str, expected: str) -> None:
    error = _one(DEPLOYMENT + line + "\n")
    assert error.path == f"document[0].spec.template.spec.containers[0].{written}"
    assert error.message.startswith(f"expected {expected}"), error.message
    assert error.location is not None and error.location.line == 13


def test_quantities_int_or_strings_and_base64_that_fit_are_accepted() -> None:
    container = (
        "          resources: {limits: {memory: 1Gi, cpu: 500m}, requests: {cpu: 0.25}}\n"
        "          readinessProbe: {httpGet: {port: http, path: /}}\n"
        "          livenessProbe: {tcpSocket: {port: 8080}}\n"
    )
    secret = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: token, namespace: shop}\n"
        "data: {token: aGVsbG8=}\nstringData: {plain: any text}\n"
    )
    assert _errors(DEPLOYMENT + container + "---\n" + secret) == []


def test_a_secret_value_that_is_not_base64_is_refused() -> None:
    error = _one("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {token: not base64!}\n")
    assert error.path == "document[0].data.token"
    assert error.message.startswith("is not base64 text")
    assert error.hint is not None and "stringData" in error.hint


def test_a_missing_required_field_is_located_at_the_mapping_that_lacks_it() -> None:
    error = _one(DEPLOYMENT.replace("        - name: web\n          image", "        - image"))
    assert error.message == "missing required field 'name' of Container"
    assert error.path == "document[0].spec.template.spec.containers[0].name"
    assert error.location is not None and error.location.line == 11  # the container's first key


def test_a_value_outside_an_enumeration_suggests_the_allowed_one() -> None:
    error = _one(DEPLOYMENT + "          imagePullPolicy: always\n")
    assert error.message == 'unsupported value "always"'
    assert error.hint == "did you mean 'Always'?"


def test_two_items_with_one_key_in_a_keyed_list() -> None:
    error = _one(DEPLOYMENT + "        - name: web\n          image: busybox\n")
    assert error.path == "document[0].spec.template.spec.containers[1]"
    assert 'repeats the key name="web"' in error.message


def test_an_unknown_kind_of_a_served_group_version() -> None:
    error = _one(DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnet"))
    assert error.path == "document[0].kind"
    assert "has no kind 'Deploymnet' in apps/v1" in error.message
    assert error.hint is not None and error.hint.startswith("did you mean 'Deployment'")


def test_an_unknown_metadata_field_of_a_manifest() -> None:
    error = _one(
        DEPLOYMENT.replace("metadata: {name: web, namespace: shop}", "metadata: {name: web, lables: {}}")
    )
    assert error.path == "document[0].metadata.lables"
    assert error.hint == "did you mean 'labels'?"


def test_every_error_of_a_file_is_reported_at_once() -> None:
    text = DEPLOYMENT.replace("  replicas: 2", '  replicas: "2"\n  paused: 1\n  strategy: {typ: Recreate}')
    text += "---\n" + DEPLOYMENT.replace("name: web,", "name: api,").replace("- name: web", "- nme: web")
    errors = _errors(text)
    assert all(isinstance(e, FieldError) for e in errors)
    assert [e.path for e in errors] == [
        "document[0].spec.replicas",
        "document[0].spec.paused",
        "document[0].spec.strategy.typ",
        "document[1].spec.template.spec.containers[0].nme",
        "document[1].spec.template.spec.containers[0].name",
    ]


MIXED_MISTAKES = """\
apiVersion: designer/v1
kind: Design
metadata: {name: shop}
components:
  - name: web
    kind: Deployment
    apiVersion: apps/v1
    namespace: shop
    dependsOn: [nope]
    settings:
      spec:
        replicas: "three"
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers: [{name: web, image: nginx, ports: [{containerPort: "http"}]}]
  - name: api
    kind: Service
    apiVersion: v1
    namespace: shop
    replicass: 2
    settings:
      spec: {ports: [{port: "eighty"}]}
"""


def test_field_errors_come_with_a_designs_other_errors() -> None:
    """A wrong dependsOn name does not hide a wrong field type until the next run; a component whose
    own shape is wrong (an unknown key) is not field-checked, as its reading stopped there."""
    errors = _errors(MIXED_MISTAKES)
    assert [(type(e).__name__, e.path) for e in errors] == [
        ("UnresolvedReferenceError", "components[0].dependsOn[0]"),
        ("FieldError", "components[0].settings.spec.replicas"),
        ("FieldError", "components[0].settings.spec.template.spec.containers[0].ports[0].containerPort"),
        ("SchemaError", "components[1].replicass"),
    ]
    reading = read_parsed(scan_bytes(MIXED_MISTAKES.encode(), "app.yaml"), "app.yaml", "app", folder=None)
    assert [e.path for e in reading.errors] == [e.path for e in errors]  # validate reports the same
    unchecked = read_parsed(
        scan_bytes(MIXED_MISTAKES.encode(), "app.yaml"), "app.yaml", "app", folder=None, check_fields=False
    )
    assert not any(isinstance(e, FieldError) for e in unchecked.errors)


def test_the_design_stays_readable_beside_its_field_errors() -> None:
    """`read_file` (validate) keeps the design, so its objects still meet the policies."""
    raw = (DEPLOYMENT.replace("  replicas: 2", "  replica: 2")).encode()
    reading = read_parsed(scan_bytes(raw, "app.yaml"), "app.yaml", "app", folder=None)
    assert [type(e) for e in reading.errors] == [FieldError]
    (design,) = reading.designs
    assert design.components[0].settings["spec"]["replica"] == 2
    assert (
        read_parsed(scan_bytes(raw, "app.yaml"), "app.yaml", "app", folder=None, check_fields=False).errors
        == []
    )


def test_the_opt_out_annotation_leaves_an_object_unchecked() -> None:
    text = DEPLOYMENT.replace(
        "metadata: {name: web, namespace: shop}",
        "metadata:\n  name: web\n  annotations: {designer.dev/field-validation: ignore}\n  lables: {}",
    ).replace("  replicas: 2", "  replica: 2")
    assert _errors(text) == []
    assert len(_errors(text.replace("field-validation: ignore", "field-validation: strict"))) == 2


def test_native_designs_name_the_path_as_written() -> None:
    error = _one(
        """\
        apiVersion: designer/v1
        kind: Design
        metadata: {name: shop}
        components:
          - name: web
            kind: Service
            apiVersion: v1
            namespace: shop
            settings:
              spec:
                ports: [{port: "80"}]
        """
    )
    assert error.path == "components[0].settings.spec.ports[0].port"
    assert error.location is not None and error.location.line == 11


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer}
                colour: {type: string, enum: [red, blue]}
                extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
"""
WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: shop}
spec:
  size: 3
  colour: red
  extra: {anything: [1, 2]}
"""


def test_a_custom_resource_is_checked_against_the_crd_of_its_design() -> None:
    assert _errors(CRD + WIDGET) == []
    errors = _errors(CRD + WIDGET.replace("size: 3", "sise: 3").replace("colour: red", "colour: rde"))
    assert [(e.path, e.message) for e in errors] == [
        ("document[1].spec.size", "missing required field 'size'"),  # located at `spec:`, first
        ("document[1].spec.sise", "unknown field 'sise'"),
        ("document[1].spec.colour", 'unsupported value "rde"'),
    ]
    assert errors[1].hint == "did you mean 'size'?"
    assert errors[2].hint == "did you mean 'red'?"


def test_whole_numbers_with_a_fraction_are_integers_only_for_custom_resources() -> None:
    """apiextensions-apiserver stores a custom resource's 2.0 as 2; a built-in kind's Go decoding
    refuses it (designer sends the number as written)."""
    assert _errors(CRD + WIDGET.replace("size: 3", "size: 3.0")) == []
    assert (
        _one(CRD + WIDGET.replace("size: 3", "size: 3.5")).message
        == "expected an integer, got the number 3.5"
    )
    assert _one(DEPLOYMENT.replace("replicas: 2", "replicas: 2.0")).message == (
        "expected an integer, got the number 2.0"
    )


def test_a_version_the_crd_does_not_serve() -> None:
    error = _one(CRD + WIDGET.replace("example.com/v1", "example.com/v2"))
    assert error.path == "document[1].apiVersion"
    assert error.hint == "use one of: example.com/v1"


def test_kinds_with_no_known_shape_are_left_alone() -> None:
    """A custom resource without its CRD, an API version this Kubernetes does not serve: designer
    knows nothing of their fields, so it judges none of them (metadata included)."""
    assert _errors(WIDGET.replace("size: 3", "sise: '3'").replace("name: w,", "name: w, email: x,")) == []
    assert _errors(DEPLOYMENT.replace("apps/v1", "apps/v1beta1").replace("replicas: 2", "replica: 2")) == []


def test_a_written_status_is_not_held_to_its_required_fields() -> None:
    status = "status:\n  conditions: [{type: Available}]\n"
    assert _errors(DEPLOYMENT + status) == []


def test_the_mesh_objects_of_the_patterns_fit_the_real_istio_and_gateway_api_crds() -> None:
    """Istio's and the Gateway API's real CRDs in one design with every mesh object the patterns
    render (each of which the real control plane accepts): no field error; one misspelt field is one."""
    crds = meshcrds.required()
    head = crds.istio.read_text() + "".join("\n---\n" + p.read_text() for p in crds.gateway_api())
    registry = AdapterRegistry.from_entry_points()
    objects = []
    for path in sorted(PATTERNS.glob("*.yaml")):
        for design in load_file(path):
            rendered = render(design, build_graph(design), registry)
            objects += [o.body for o in rendered if o.body["apiVersion"].split("/")[0] in _MESH_GROUPS]
    assert len(objects) >= 10
    written = dump_documents(objects)
    text = head + "\n---\n" + written

    def field_errors(text: str) -> list[str]:
        reading = read_parsed(scan_bytes(text.encode(), "mesh.yaml"), "mesh.yaml", "mesh", folder=None)
        return [e.message for e in reading.errors if isinstance(e, FieldError)]

    assert field_errors(text) == []
    misspelt = head + "\n---\n" + written.replace("  hosts:\n", "  hostz:\n", 1)
    assert sorted(field_errors(misspelt)) == ["missing required field 'hosts'", "unknown field 'hostz'"]


_MESH_GROUPS = {"networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"}
_MESH_GROUPS |= {"gateway.networking.k8s.io"}
