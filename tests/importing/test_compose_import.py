"""`design import --from compose`: real Compose files (docker/awesome-compose samples in ../shared) and
the project's own fixtures import with no error, every unconverted key is named in a warning at its
file:line, and the converted designs load and validate (exit 0 or 1, never 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from designer.cli.main import run
from designer.importing.compose.containers import HANDLED
from designer.loading import load_file
from tests import requirements
from tests.importing.composetools import FIXTURES, OWN_FILES, SAMPLE_IDS, SAMPLES, import_file

_WARNING = re.compile(
    r"^warning: (?P<file>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<path>\S+): (?P<text>.+)$"
)
_TOP_HANDLED = {"name", "services", "volumes", "secrets", "configs"}


def _unconverted_keys(compose: dict[str, object]) -> set[str]:
    """Key paths of the file that designer does not convert (what the warnings must name)."""
    paths = {k for k in compose if k not in _TOP_HANDLED and k != "networks"}
    services = compose.get("services") or {}
    assert isinstance(services, dict)
    for name, service in services.items():
        paths |= {f"services.{name}.{key}" for key in service if key not in HANDLED}
    return paths


@pytest.mark.parametrize("path", SAMPLES + OWN_FILES, ids=SAMPLE_IDS + [p.parent.name for p in OWN_FILES])
def test_compose_file_imports_names_what_it_leaves_out_and_validates(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements.shared_file(path)
    out = tmp_path / "design.yaml"
    code, warnings = import_file(path, out, capsys, "--name", "sample")
    assert code == 0, warnings
    noted = set()
    for line in warnings:
        match = _WARNING.match(line)
        assert match, f"a warning without file:line:column and key path: {line}"
        assert match["file"] == str(path) and int(match["line"]) >= 1
        noted.add(match["path"])
    raw = yaml.safe_load(path.read_text())
    missing = {p for p in _unconverted_keys(raw) if not any(n == p or n.startswith(p + ".") for n in noted)}
    assert not missing, f"unconverted keys without a warning: {sorted(missing)}"
    (design,) = load_file(out)
    services = raw["services"]
    workloads = [c for c in design.components if c.kind in ("Deployment", "DaemonSet", "Job", "Pod")]
    assert sorted(c.object_name or "" for c in workloads) == sorted(
        re.sub(r"[^a-z0-9.-]+", "-", s.lower()) for s in services
    )
    capsys.readouterr()
    assert run(["validate", str(out), "--fail-on", "never"]) == 0
    assert run(["validate", str(out)]) in (0, 1)


def _design(path: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, *extra: str) -> dict[str, dict]:
    out = tmp_path / "design.yaml"
    code, _ = import_file(path, out, capsys, *extra)
    assert code == 0
    (design,) = load_file(out)
    return {c.name: c.to_object() for c in design.components}


def test_shop_fixture_converts_every_common_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("REGISTRY", "API_TAG", "LOG_LEVEL", "API_WORKERS", "API_REPLICAS"):
        monkeypatch.delenv(variable, raising=False)  # the environment wins over .env, as in Compose
    objects = _design(FIXTURES / "shop" / "compose.yaml", capsys, tmp_path, "--namespace", "shop")
    assert objects["namespace-shop"]["kind"] == "Namespace"
    assert all(o["metadata"].get("namespace") == "shop" for n, o in objects.items() if n != "namespace-shop")
    api = objects["deployment-api"]
    assert api["spec"]["replicas"] == 3  # ${API_REPLICAS:-3}, cast to a number as Compose does
    pod = api["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == "registry.example.com/shop/api:1.5.0"  # the default, then .env's API_TAG
    assert container["args"] == ["serve", "--port", "8000", "--workers", "4"]
    assert {"name": "LOG_LEVEL", "value": "warning"} in container["env"]
    assert container["envFrom"] == [{"configMapRef": {"name": "env-api.env"}}]
    assert objects["configmap-env-api.env"]["data"] == {
        "SESSION_TTL": "3600",
        "FEATURE_FLAGS": "checkout-v2,reviews",
        "CURRENCY": "EUR",
    }
    assert container["resources"] == {
        "limits": {"cpu": "1500m", "memory": "512Mi"},
        "requests": {"cpu": "250m", "memory": "128Mi"},
    }
    assert container["readinessProbe"] == {
        "exec": {"command": ["/app/healthcheck", "--url", "http://127.0.0.1:8000/ready"]},
        "periodSeconds": 10,
        "timeoutSeconds": 3,
        "initialDelaySeconds": 20,
        "failureThreshold": 3,
    }
    assert container["securityContext"] == {
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "allowPrivilegeEscalation": False,
    }
    assert pod["nodeSelector"] == {"kubernetes.io/os": "linux", "tier": "app"}
    assert pod["hostAliases"] == [{"ip": "10.20.0.15", "hostnames": ["payments.internal"]}]
    assert api["spec"]["template"]["metadata"]["annotations"]["com.example.team"] == "checkout"
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts["/run/secrets/db-password"]["subPath"] == "db-password"
    assert "/tmp" in mounts
    assert objects["secret-db-password"]["data"] == {"db-password": "bm90LWEtcmVhbC1wYXNzd29yZAo="}
    assert objects["service-api"]["spec"]["ports"] == [
        {"name": "8000-tcp", "port": 8000, "targetPort": 8000, "protocol": "TCP"}
    ]
    migrate = objects["job-migrate"]
    assert migrate["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert migrate["spec"]["template"]["spec"]["containers"][0]["command"] == ["/app/manage"]
    worker = objects["deployment-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"] == ["worker", "--queue", "default", "--concurrency", "8"]
    assert "service-worker" not in objects
    proxy = objects["service-proxy"]["spec"]["ports"]
    assert [(p["port"], p["targetPort"]) for p in proxy] == [(8080, 80), (8443, 443)]
    conf = objects["configmap-nginx-conf"]["data"]["nginx-conf"]
    assert conf == (FIXTURES / "shop" / "nginx" / "default.conf").read_text()
    assert objects["persistentvolumeclaim-db-data"]["spec"]["resources"]["requests"]["storage"] == "5Gi"
    db = objects["deployment-db"]["spec"]["template"]["spec"]
    assert db["containers"][0]["readinessProbe"]["exec"]["command"] == [
        "/bin/sh",
        "-c",
        "pg_isready -U ${POSTGRES_USER} -d shop",  # $$ is Compose's literal $
    ]
    assert {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}} in db["volumes"]
    cache = objects["deployment-cache"]["spec"]["template"]["spec"]["containers"][0]
    assert cache["args"][:3] == ["redis-server", "--save", ""]
    assert cache["resources"] == {"limits": {"memory": "192Mi", "cpu": "500m"}}
    assert "readinessProbe" not in cache  # healthcheck: disable


def test_dependencies_wait_for_the_workload_and_its_service(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "design.yaml"
    assert import_file(FIXTURES / "shop" / "compose.yaml", out, capsys)[0] == 0
    (design,) = load_file(out)
    api = design.component("deployment-api")
    assert api.depends_on == (
        "job-migrate",
        "deployment-db",
        "service-db",
        "deployment-cache",
        "service-cache",
    )


def test_monitoring_fixture_host_namespaces_global_mode_and_ranges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAFANA_PASSWORD", "from-the-shell")
    monkeypatch.delenv("RETENTION", raising=False)
    objects = _design(FIXTURES / "monitoring" / "docker-compose.yml", capsys, tmp_path)
    exporter = objects["daemonset-node-exporter"]["spec"]["template"]["spec"]
    assert exporter["hostNetwork"] is True and exporter["hostPID"] is True
    assert exporter["volumes"] == [{"name": "host-0", "hostPath": {"path": "/"}}]
    assert exporter["containers"][0]["args"][1].endswith("($|/)")
    prometheus = objects["deployment-prometheus"]["spec"]["template"]["spec"]
    assert prometheus["containers"][0]["args"][1] == "--storage.tsdb.retention.time=15d"
    assert prometheus["containers"][0]["securityContext"] == {"runAsUser": 65534}
    assert objects["configmap-prometheus-prometheus.yml"]["data"]["prometheus.yml"].startswith("global:")
    ports = objects["service-alertmanager"]["spec"]["ports"]
    assert [(p["port"], p["protocol"]) for p in ports] == [(9093, "TCP"), (9094, "TCP"), (9094, "UDP")]
    grafana = objects["deployment-grafana"]["spec"]["template"]["spec"]
    env = grafana["containers"][0]["env"]
    assert {"name": "GF_SECURITY_ADMIN_PASSWORD", "value": "from-the-shell"} in env
    assert not any(e["name"] == "GF_INSTALL_PLUGINS" for e in env)
    claims = [
        v["persistentVolumeClaim"]["claimName"] for v in grafana["volumes"] if "persistentVolumeClaim" in v
    ]
    assert claims == ["grafana-storage"] and "persistentvolumeclaim-grafana-storage" not in objects
    assert objects["deployment-cadvisor"]["spec"]["template"]["spec"]["containers"][0]["securityContext"] == {
        "privileged": True
    }


def test_restart_no_and_on_failure_become_pods_as_kompose_makes_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements.shared("testdata", "compose")
    objects = _design(requirements.shared("testdata", "compose", "nginx-nodejs-redis.yaml"), capsys, tmp_path)
    assert objects["pod-web1"]["spec"]["restartPolicy"] == "OnFailure"
    assert objects["pod-web1"]["spec"]["hostname"] == "web1"
    assert objects["pod-web1"]["metadata"]["labels"]["app.kubernetes.io/name"] == "web1"
    assert objects["service-web1"]["spec"]["ports"][0] == {
        "name": "81-tcp",
        "port": 81,
        "targetPort": 5000,
        "protocol": "TCP",
    }
    assert (
        objects["deployment-nginx"]["spec"]["template"]["spec"]["containers"][0]["image"] == "compose-nginx"
    )


COMPOSE_ERRORS = """\
services:
  web:
    image: nginx:1.27
    prots: ["80:80"]
    healthcheck:
      test: curl -f localhost
      interval: 10 seconds
    deploy:
      replicas: many
  db:
    image: "${DB_IMAGE:?set DB_IMAGE to the database image}"
"""


def test_schema_and_interpolation_errors_are_reported_together_at_their_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "compose.yaml"
    source.write_text(COMPOSE_ERRORS)
    assert run(["import", str(source), "--from", "compose"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{source}:11:" in err and "required variable DB_IMAGE is missing a value: set DB_IMAGE" in err
    source.write_text(
        COMPOSE_ERRORS.replace("${DB_IMAGE:?set DB_IMAGE to the database image}", "postgres:16")
    )
    assert run(["import", str(source), "--from", "compose"]) == 3
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert any(f"{source}:4:" in line and "unknown key 'prots'" in line for line in lines), err
    assert "did you mean 'ports'" in err
    assert any(f"{source}:7:" in line and "interval" in line for line in lines), err
    assert any(f"{source}:9:" in line and "replicas" in line for line in lines), err


def test_undefined_references_are_errors_with_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "compose.yaml"
    source.write_text(
        "services:\n  web:\n    image: nginx:1.27\n    depends_on: [dbb]\n    volumes: [data:/data]\n"
        "  db:\n    image: postgres:16\nvolumes:\n  dta: {}\n"
    )
    assert run(["import", str(source)]) == 3
    err = capsys.readouterr().err
    assert f"{source}:4:" in err and "undefined service 'dbb'" in err and "did you mean 'db'" in err
    assert f"{source}:5:" in err and "undefined volume 'data'" in err and "did you mean 'dta'" in err


def test_auto_detects_compose_and_validate_points_at_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "docker-compose.yml"
    source.write_text("services:\n  web:\n    image: nginx:1.27\n    ports: ['8080:80']\n")
    assert run(["import", str(tmp_path)]) == 0  # a folder: Compose's own file names are looked for
    captured = capsys.readouterr()
    assert "kind: Deployment" in captured.out and "imported 1 design(s), 2 components" in captured.err
    assert run(["validate", str(source)]) == 3
    err = capsys.readouterr().err
    assert "a Docker Compose file" in err and "design import docker-compose.yml --from compose" in err
    assert run(["import", str(source), "--from", "meshery"]) == 3
    assert "design import docker-compose.yml --from compose" in capsys.readouterr().err
