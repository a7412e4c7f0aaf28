"""designer's Compose reader against compose-go, the Compose specification's reference loader (the one
`docker compose` uses), built from upstream/compose-go by scripts/build-compose-go.sh: the same files,
read by both with the same environment, give the same services (image, command, entrypoint,
environment, ports, expose, depends_on, volumes, healthcheck, replicas, restart, user, secrets and
configs), and a file compose-go refuses is refused by designer too. kompose, the converter Meshery
uses, is not served by the Go module proxy (403), so the conversion itself has no reference here.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from designer.importing.compose import canonical
from designer.importing.compose.document import read_compose, read_env_file
from designer.resources import schemas_dir
from tests import requirements
from tests.importing.composetools import OWN_FILES, SAMPLE_IDS, SAMPLES

ROOT = Path(__file__).resolve().parents[2]
INSTALL = 'export PATH="$(scripts/build-compose-go.sh):$PATH" (needs Go 1.24+)'
ENVIRONMENT = {"GRAFANA_PASSWORD": "secret", "TIMEZONE": "Europe/Paris", "API_REPLICAS": "5"}


def _reference(path: Path, environment: dict[str, str]) -> dict[str, Any]:
    binary = requirements.executable("compose-go", install=INSTALL)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/"), **environment}
    done = subprocess.run(
        [binary, "-project", "reference", path.name],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, Any] = json.loads(done.stdout)
    return loaded


def _ours(path: Path, environment: dict[str, str]) -> dict[str, Any]:
    compose = read_compose(
        path.read_bytes(), str(path), folder=path.parent, environ=environment, project="reference"
    )
    return compose.value


def _in_reference_shape(service: dict[str, Any], lookup: dict[str, str], folder: Path) -> dict[str, Any]:
    """designer's canonical forms of a service, in compose-go's shapes (env files' variables go under
    ``environment``, as compose-go reports them; designer keeps them in a ConfigMap)."""
    environment: dict[str, str | None] = {}
    for entry in canonical.env_files(service.get("env_file")):
        environment.update(read_env_file(folder / entry["path"]))
    for k, v in canonical.mapping(service.get("environment")).items():
        environment[k] = v if v is not None else lookup.get(k)
    check = dict(service.get("healthcheck") or {})
    if "test" in check:
        check["test"] = canonical.healthcheck_test(check["test"])
    return {
        **service,
        "command": canonical.command(service.get("command")),
        "entrypoint": canonical.command(service.get("entrypoint")),
        "environment": environment,
        "ports": canonical.ports(service.get("ports")),
        "depends_on": canonical.depends_on(service.get("depends_on")),
        "volumes": canonical.volumes(service.get("volumes")),
        "healthcheck": check,
        "secrets": canonical.file_refs(service.get("secrets")),
        "configs": canonical.file_refs(service.get("configs")),
    }


def _view(service: dict[str, Any]) -> dict[str, Any]:
    """The fields designer converts, from a service in compose-go's shapes."""
    check = service.get("healthcheck") or {}
    return {
        "image": service.get("image"),
        "command": service.get("command"),
        "entrypoint": service.get("entrypoint"),
        "environment": {k: v for k, v in (service.get("environment") or {}).items() if v is not None},
        "ports": sorted(
            (p["target"], str(p.get("published") or ""), p.get("protocol", "tcp"), p.get("host_ip") or "")
            for p in service.get("ports") or []
        ),
        "expose": sorted(p for e in service.get("expose") or [] for p in canonical.expose([e])),
        "depends_on": {
            k: (v["condition"], v["required"]) for k, v in (service.get("depends_on") or {}).items()
        },
        "volumes": sorted(
            (v.get("type"), str(v.get("source") or ""), v["target"], bool(v.get("read_only")))
            for v in service.get("volumes") or []
        ),
        "healthcheck": {
            "test": check.get("test"),
            **{
                k: check.get(k)
                for k in ("interval", "timeout", "retries", "start_period", "disable")
                if check.get(k) is not None
            },
        },
        "replicas": (service.get("deploy") or {}).get("replicas", service.get("scale")),
        "restart": service.get("restart"),
        "user": service.get("user"),
        "secrets": sorted(r["source"] for r in service.get("secrets") or []),
        "configs": sorted(r["source"] for r in service.get("configs") or []),
    }


@pytest.mark.parametrize("path", SAMPLES + OWN_FILES, ids=SAMPLE_IDS + [p.parent.name for p in OWN_FILES])
def test_designer_reads_compose_files_as_compose_go_does(path: Path) -> None:
    requirements.shared_file(path)
    reference = _reference(path, ENVIRONMENT)
    ours = _ours(path, ENVIRONMENT)
    lookup = dict(ENVIRONMENT)
    dotenv = path.parent / ".env"
    if dotenv.is_file():
        lookup = {**read_env_file(dotenv), **lookup}
    # designer imports every service and notes their profiles; Compose starts only those without one.
    active = {n: s for n, s in ours["services"].items() if not s.get("profiles")}
    assert sorted(active) == sorted(reference["services"])
    for name, service in active.items():
        ours_shaped = _in_reference_shape(service, lookup, path.parent)
        assert _view(ours_shaped) == _view(reference["services"][name]), name
    for section in ("volumes", "secrets", "configs"):
        assert sorted(ours.get(section) or {}) == sorted(reference.get(section) or {}), section


BROKEN = {
    "unknown-key": "services:\n  web:\n    image: nginx\n    prots: ['80:80']\n",
    "bad-duration": "services:\n  web:\n    image: nginx\n    healthcheck: {test: [CMD, 'true'], interval: 10 seconds}\n",
    "bad-replicas": "services:\n  web:\n    image: nginx\n    deploy: {replicas: many}\n",
    "required-variable": "services:\n  web:\n    image: ${IMAGE:?no image}\n",
    "bad-interpolation": "services:\n  web:\n    image: ${IMAGE\n",
    "wrong-type": "services:\n  web:\n    image: nginx\n    ports: 80\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_files_compose_go_refuses_are_refused(name: str, tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(BROKEN[name])
    binary = requirements.executable("compose-go", install=INSTALL)
    done = subprocess.run(
        [binary, path.name], cwd=tmp_path, capture_output=True, env={"PATH": ""}, timeout=60, check=False
    )
    assert done.returncode == 1, done.stdout
    from designer.errors import DesignError

    with pytest.raises(DesignError):
        _ours(path, {})


def test_schema_is_the_one_compose_go_embeds() -> None:
    """The committed schemas/tools/compose-spec.json is byte for byte the pinned compose-go's."""
    go = requirements.executable("go", install="install Go 1.24+ (CI has it)")
    done = subprocess.run(
        [go, "list", "-m", "-json", "github.com/compose-spec/compose-go/v2"],
        cwd=ROOT / "upstream" / "compose-go",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=readonly"},
    )
    assert done.returncode == 0, done.stderr
    folder = json.loads(done.stdout).get("Dir")
    if not folder:
        requirements.missing("the compose-go module is not downloaded: run scripts/build-compose-go.sh")
    upstream = Path(folder) / "schema" / "compose-spec.json"
    assert (schemas_dir() / "tools" / "compose-spec.json").read_bytes() == upstream.read_bytes()


INTERPOLATION = """\
services:
  web:
    image: nginx:${TAG:-1.27}
    environment:
      PLAIN: $SET/${SET}
      DEFAULT_UNSET: ${UNSET:-fallback}
      DEFAULT_EMPTY: ${EMPTY:-fallback}
      HARD_DEFAULT_EMPTY: ${EMPTY-fallback}
      HARD_DEFAULT_UNSET: ${UNSET-fallback}
      ALTERNATIVE_SET: ${SET:+alt}
      ALTERNATIVE_EMPTY: ${EMPTY:+alt}
      ALTERNATIVE_HARD_EMPTY: ${EMPTY+alt}
      ALTERNATIVE_UNSET: ${UNSET+alt}
      NESTED: ${UNSET:-${SET:-x}-${UNSET:-y}}
      ESCAPED: $$SET and $${SET}
      LONE_DOLLAR: cost $5 or $(date)
      REQUIRED_SET: ${SET:?must be set}
      MISSING: ${UNSET}
      CASE: ${Mixed_Case_1}
"""


def test_interpolation_forms_match_compose_go(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(INTERPOLATION)
    environment = {"SET": "value", "EMPTY": "", "Mixed_Case_1": "mixed"}
    reference = _reference(path, environment)["services"]["web"]
    ours = _ours(path, environment)["services"]["web"]
    assert ours["image"] == reference["image"] == "nginx:1.27"
    assert canonical.mapping(ours["environment"]) == reference["environment"]
