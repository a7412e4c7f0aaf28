"""The loader: native designs, variables, positions, and every kind of bad input."""

from __future__ import annotations

import resource
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.errors import DesignError, FieldError, SchemaError, UnresolvedReferenceError
from designer.loading import load_file, load_paths, load_text, read_file
from designer.loading.writing import dump
from tests import requirements

NATIVE = textwrap.dedent(
    """\
    apiVersion: designer/v1
    kind: Design
    metadata:
      name: shop
      version: 1.0.0
    variables:
      ns: {default: shop, description: where it runs}
      replicas: 2
    components:
      - name: shop-ns
        kind: Namespace
        apiVersion: v1
      - name: web
        kind: Deployment
        apiVersion: apps/v1
        namespace: ${ns}
        labels: {app.kubernetes.io/name: web}
        dependsOn: [config]
        settings:
          spec:
            replicas: ${replicas}
            template:
              spec:
                containers:
                  - name: web
                    image: nginx:1.27
            selector: {matchLabels: {app: web}}
      - name: config
        kind: ConfigMap
        apiVersion: v1
        namespace: ${ns}
        settings:
          data: {greeting: "hello ${ns}", literal: "$${ns}"}
    """
)


def load_one(text: str, name: str = "design.yaml", **variables: str):
    designs = load_text(text, name, variables)
    assert len(designs) == 1
    return designs[0]


def test_native_design_loads_with_variables_substituted() -> None:
    design = load_one(NATIVE)
    assert design.name == "shop"
    assert design.source_format == "designer/v1"
    assert [c.name for c in design.components] == ["shop-ns", "web", "config"]
    web = design.component("web")
    assert web.namespace == "shop"
    assert web.settings["spec"]["replicas"] == 2  # a whole-scalar reference keeps its type
    assert web.depends_on == ("config",)
    config = design.component("config")
    assert config.settings["data"] == {"greeting": "hello shop", "literal": "${ns}"}


def test_set_overrides_defaults_and_is_typed() -> None:
    design = load_one(NATIVE, ns="prod", replicas="5")
    assert design.component("web").namespace == "prod"
    assert design.component("web").settings["spec"]["replicas"] == 5
    assert design.variables == {"ns": "prod", "replicas": "5"}


def test_set_of_an_undeclared_variable_suggests_the_right_one() -> None:
    with pytest.raises(UnresolvedReferenceError) as err:
        load_one(NATIVE, replica="3")
    assert "declares no variable 'replica'" in str(err.value)
    assert err.value.hint == "did you mean 'replicas'?"


def test_component_keeps_file_line_and_column() -> None:
    design = load_one(NATIVE, name="shop.yaml")
    web = design.component("web")
    assert (web.location.file, web.location.line, web.location.column) == ("shop.yaml", 13, 5)
    # positions point at the key inside settings for a path of the rendered object
    image = web.locate("spec.template.spec.containers[0].image")
    assert (image.line, image.column) == (26, 17)
    assert web.locate("metadata.labels.app.kubernetes.io/name").line == 17
    assert web.locate("metadata.namespace").line == 16
    # an unwritten path falls back to its nearest written parent
    assert web.locate("spec.template.spec.containers[0].resources").line == 25


def test_to_object_builds_the_kubernetes_object() -> None:
    web = load_one(NATIVE).component("web")
    body = web.to_object()
    assert body["apiVersion"] == "apps/v1"
    assert body["metadata"] == {
        "name": "web",
        "namespace": "shop",
        "labels": {"app.kubernetes.io/name": "web"},
    }
    body["spec"]["replicas"] = 99  # a copy: the component is untouched
    assert web.settings["spec"]["replicas"] == 2


def error_for(text: str | bytes, name: str = "bad.yaml") -> DesignError:
    with pytest.raises(DesignError) as err:
        load_text(text, name)
    return err.value


def test_unknown_key_is_reported_with_its_line_and_a_suggestion() -> None:
    text = NATIVE.replace("    dependsOn: [config]", "    dependOn: [config]")
    exc = error_for(text)
    assert isinstance(exc, SchemaError)
    assert str(exc) == "bad.yaml:18:5: components[1].dependOn: unknown key 'dependOn'"
    assert exc.hint == "did you mean 'dependsOn'?"


def test_unknown_depends_on_name_suggests_the_closest_component() -> None:
    exc = error_for(NATIVE.replace("dependsOn: [config]", "dependsOn: [confg]"))
    assert isinstance(exc, UnresolvedReferenceError)
    assert "components[1].dependsOn[0]" in str(exc)
    assert exc.location is not None and exc.location.line == 18
    assert exc.hint == "did you mean 'config'?"


def test_wrong_type_names_the_key_path() -> None:
    exc = error_for(NATIVE.replace("labels: {app.kubernetes.io/name: web}", "labels: [web]"))
    assert str(exc).startswith("bad.yaml:17:5: components[1].labels: expected mapping, got list")


def test_duplicate_component_names_are_refused() -> None:
    # Renaming `config` also leaves web's dependsOn: [config] dangling: two errors, both reported.
    exc = error_for(NATIVE.replace("- name: config", "- name: web"))
    duplicate, dangling = sorted(exc.each(), key=lambda e: "duplicate" not in e.message)
    assert "duplicate component name 'web'" in str(duplicate)
    assert duplicate.location is not None and duplicate.location.line == 28
    assert "dependsOn names 'config'" in str(dangling)


def test_duplicate_keys_are_refused_with_both_lines() -> None:
    exc = error_for("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nkind: Secret\n")
    assert str(exc) == "bad.yaml:4:1: duplicate key 'kind' (first written at line 2)"


def test_invalid_yaml_points_at_the_problem() -> None:
    exc = error_for("apiVersion: v1\nkind: [ConfigMap\nmetadata: {}\n")
    assert str(exc).startswith("bad.yaml:")
    assert "invalid YAML" in str(exc)
    assert exc.location is not None and exc.location.line >= 2


@pytest.mark.parametrize("text", ["", "   \n", "---\n---\n", "# only a comment\n"])
def test_empty_files_are_refused(text: str) -> None:
    assert "file is empty" in str(error_for(text))


def test_binary_files_are_refused() -> None:
    assert "binary" in str(error_for(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))


def test_non_utf8_files_are_refused() -> None:
    assert "not valid UTF-8" in str(error_for(b"apiVersion: v1\nkind: \xff\xfe\n"))


def test_arbitrary_object_construction_is_refused() -> None:
    exc = error_for("apiVersion: v1\nkind: !!python/object/apply:os.system ['true']\n")
    assert "unsupported YAML tag" in str(exc)


def test_alias_bomb_is_refused_quickly_and_in_bounded_memory() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        refs = ",".join([f"*{prev}"] * 9)
        lines.append(f"{cur}: &{cur} [{refs}]")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    exc = error_for("\n".join(lines) + "\n")
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert "alias bomb" in str(exc)
    assert grown_kib < 100 * 1024


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with pytest.raises(DesignError) as err:
        load_file(big)
    assert "50.0 MiB" in str(err.value) and "refused" in str(err.value)


def test_unrecognised_documents_say_what_a_design_looks_like() -> None:
    exc = error_for("hello: world\n")
    assert "unrecognised document" in str(exc)
    assert exc.hint is not None and "apiVersion: designer/v1" in exc.hint


def test_undeclared_variable_in_a_component() -> None:
    exc = error_for(NATIVE.replace("namespace: ${ns}\n    labels", "namespace: ${nss}\n    labels"))
    assert isinstance(exc, UnresolvedReferenceError)
    assert "${nss} is not declared" in str(exc)
    assert exc.hint == "did you mean 'ns'?"


def test_kubernetes_manifests_become_one_component_per_object() -> None:
    text = textwrap.dedent(
        """\
        apiVersion: v1
        kind: List
        items:
          - apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg, namespace: app}
            data: {a: b}
          - apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg, namespace: other}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: app
          annotations: {designer.dev/depends-on: configmap-cfg}
        spec: {replicas: 1, selector: {matchLabels: {app: web}}, template: {spec: {containers: [{name: w}]}}}
        """
    )
    design = load_one(text, "app.yaml")
    assert design.name == "app"
    assert [c.name for c in design.components] == ["configmap-cfg", "configmap-cfg-other", "deployment-web"]
    web = design.component("deployment-web")
    assert web.depends_on == ("configmap-cfg",)
    assert web.to_object()["spec"]["replicas"] == 1
    assert web.locate("spec.replicas").line == 18
    assert design.component("configmap-cfg").locate("data.a").line == 7


def test_manifest_without_a_name_is_refused() -> None:
    exc = error_for("apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: x}\n")
    assert "ConfigMap has no metadata.name; not checked" in str(exc)


def test_meshery_pattern_quirks() -> None:
    text = textwrap.dedent(
        """\
        name: quirks
        services:
          web-svc:
            type: Service.K8s
            namespace: shop
            dependsOn: [web]
            settings:
              spec:
                ports:
                  - target Port: 8080
                    port: 80
                selector: {app kind: web}
          web:
            type: Application
            namespace: shop
            settings:
              replicas: 2
              containers: [{name: web, image: "nginx:1.27"}]
          vs:
            type: VirtualService.Istio
            namespace: shop
            settings:
              hosts: ["$(#ref.services.web-svc.namespace).svc"]
            traits:
              meshmap: {position: {posX: 1}}
          group:
            type: NodeGroupInventoryWallet
            model: meshery-core
            dependsOn: [web]
        """
    )
    design = load_one(text)
    assert design.source_format == "meshery-pattern"
    assert [c.name for c in design.components] == ["web-svc", "web", "vs"]
    svc = design.component("web-svc")
    assert svc.settings["spec"]["ports"][0] == {"targetPort": 8080, "port": 80}
    assert svc.settings["spec"]["selector"] == {"app kind": web_label()}  # label keys stay verbatim
    assert svc.locate("spec.ports[0].targetPort").line == 10
    web = design.component("web")
    assert (web.kind, web.api_version) == ("Deployment", "apps/v1")
    assert web.settings["spec"]["replicas"] == 2
    vs = design.component("vs")
    assert vs.api_version == "networking.istio.io/v1"
    assert vs.settings["hosts"] == ["shop.svc"]
    assert "meshmap" not in vs.traits
    assert design.metadata["skipped_annotations"] == ["group"]


def web_label() -> str:
    return "web"


def test_meshery_unresolvable_reference() -> None:
    text = (
        "name: x\nservices:\n  a:\n    type: ConfigMap\n    settings: {data: {k: $(#ref.services.b.name)}}\n"
    )
    exc = error_for(text)
    assert "$(#ref.services.b.name) does not resolve" in str(exc)


def test_meshery_v1beta1_design() -> None:
    text = textwrap.dedent(
        """\
        id: 9f0c
        name: shop
        schemaVersion: designs.meshery.io/v1beta1
        version: 0.0.3
        components:
          - id: c1
            displayName: shop-ns
            component: {version: v1, kind: Namespace}
            configuration: {metadata: {name: shop}}
          - id: c2
            displayName: web
            component: {version: apps/v1, kind: Deployment}
            configuration:
              {metadata: {name: web, namespace: shop}, spec: {replicas: 2, selector: {matchLabels: {app: web}},
                template: {spec: {containers: [{name: web}]}}}}
            metadata: {dependsOn: [c1]}
          - id: c3
            displayName: note
            component: {version: v1, kind: Comment}
            metadata: {isAnnotation: true}
        relationships: []
        """
    )
    design = load_one(text)
    assert design.source_format == "meshery-design"
    assert [c.name for c in design.components] == ["shop-ns", "web"]
    web = design.component("web")
    assert web.depends_on == ("shop-ns",)
    assert web.ref.namespace == "shop"
    assert web.locate("spec.replicas").line == 14


def test_meshery_testdata_patterns_all_load(shared_testdata: Path) -> None:
    """Every sample loads; what the field check refuses is only ever a field error (an object the API
    server would refuse), never a design it cannot read."""
    files = sorted((shared_testdata / "meshery-patterns").glob("*.yaml"))
    assert len(files) >= 10
    for file in files:
        designs = load_paths([file], check_fields=False)
        assert designs and all(d.components for d in designs), file.name
        reading = read_file(file)
        assert [len(d.components) for d in reading.designs] == [len(d.components) for d in designs]
        assert all(isinstance(e, FieldError) for e in reading.errors), (file.name, reading.errors)


def test_a_meshery_sample_with_a_field_of_another_version_is_refused(shared_testdata: Path) -> None:
    """The GKE autoscaling sample gives an autoscaling/v1 HorizontalPodAutoscaler autoscaling/v2's
    ``metrics``: the server drops it (or refuses the server-side apply), so the design says so."""
    file = shared_testdata / "meshery-patterns" / "Autoscaling-based-on-Metrics-in-GKE.yaml"
    requirements.shared_file(file)
    with pytest.raises(FieldError) as caught:
        load_file(file)
    assert caught.value.path == "services.workload-metrics-hpa.settings.spec.metrics"
    assert "unknown field 'metrics' in HorizontalPodAutoscalerSpec" in caught.value.message
    assert caught.value.location is not None and caught.value.location.line == 1448


def test_meshery_workload_selectors_are_label_selectors() -> None:
    """Meshery's forms wrote a Deployment's ``selector.matchLabels`` as ``match Labels``: it is a
    field name (read as matchLabels, its labels kept verbatim), where a Service's selector holds labels."""
    text = textwrap.dedent(
        """        name: selectors
        services:
          web:
            type: Deployment
            apiVersion: apps/v1
            namespace: shop
            settings:
              spec:
                selector:
                  match Labels: {app kind: web}
                  match Expressions: [{key: tier, operator: In, values: [web]}]
                template:
                  metadata: {labels: {app kind: web, tier: web}}
                  spec:
                    containers: [{name: web, image: "nginx:1.27"}]
        """
    )
    web = load_one(text).component("web")
    assert web.settings["spec"]["selector"] == {
        "matchLabels": {"app kind": "web"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}],
    }
    assert web.locate("spec.selector.matchLabels").line == 10


def test_same_bytes_load_the_same() -> None:
    assert load_text(NATIVE, "a.yaml") == load_text(NATIVE, "a.yaml")


NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=12, unique=True), st.integers(0, 10))
def test_loading_the_same_bytes_twice_gives_the_same_design(names: list[str], replicas: int) -> None:
    doc = {
        "apiVersion": "designer/v1",
        "kind": "Design",
        "metadata": {"name": "gen"},
        "components": [
            {
                "name": n,
                "kind": "Deployment",
                "apiVersion": "apps/v1",
                "dependsOn": names[:i][-2:],
                "settings": {
                    "spec": {
                        "replicas": replicas,
                        "selector": {"matchLabels": {"app": n}},
                        "template": {"spec": {"containers": [{"name": n}]}},
                    }
                },
            }
            for i, n in enumerate(names)
        ],
    }
    raw = dump(doc).encode()
    first, second = load_text(raw, "gen.yaml"), load_text(raw, "gen.yaml")
    assert first == second
    assert [c.name for c in first[0].components] == names
    assert [c.to_object() for c in first[0].components] == [c.to_object() for c in second[0].components]
