"""Artifact Hub metadata: artifacthub-pkg.yml folders from `catalog build`, annotations from an OCI push.

Both are checked against schemas/artifacthub.schema.json, whose fields are pinned here to the ones Artifact
Hub documents (its docs/metadata/artifacthub-pkg.yml and the container-image annotations table); the build
stays byte-reproducible with the new files, and `catalog build --check` covers them.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from designer import resources
from designer.catalog import artifacthub, building, packaging
from designer.catalog.sources import oci
from designer.cli.main import run
from designer.errors import CatalogError
from tests.catalog.patterns import version_of, with_version
from tests.catalog.registry import Registry, running_registry
from tests.conftest import PATTERNS, ROOT

# Artifact Hub's documented artifacthub-pkg.yml keys (docs/metadata/artifacthub-pkg.yml) and the ones its
# validator requires (internal/pkg/metadata.go ValidatePackageMetadata).
DOCUMENTED_KEYS = {
    "version", "name", "alternativeName", "category", "displayName", "createdAt", "description", "logoPath",
    "logoURL", "digest", "license", "homeURL", "appVersion", "containersImages", "containsSecurityUpdates",
    "operator", "deprecated", "prerelease", "keywords", "links", "readme", "install", "changes", "maintainers",
    "provider", "ignore", "recommendations", "screenshots", "annotations",
}  # fmt: skip
REQUIRED_KEYS = {"version", "name", "displayName", "createdAt", "description"}
# What Meshery's catalog writes into each artifacthub-pkg.yml (../shared/reference/meshery.md, section 4).
MESHERY_KEYS = {"version", "name", "displayName", "description", "license", "install", "keywords"}
# Artifact Hub's container-image annotations table, and the OCI image-spec's predefined keys.
DOCUMENTED_ANNOTATIONS = {
    "io.artifacthub.package.readme-url", "org.opencontainers.image.created",
    "org.opencontainers.image.description", "org.opencontainers.image.documentation",
    "org.opencontainers.image.source", "org.opencontainers.image.title", "org.opencontainers.image.url",
    "org.opencontainers.image.vendor", "org.opencontainers.image.version",
    "io.artifacthub.package.alternative-locations", "io.artifacthub.package.category",
    "io.artifacthub.package.contains-security-updates", "io.artifacthub.package.deprecated",
    "io.artifacthub.package.keywords", "io.artifacthub.package.license", "io.artifacthub.package.logo-url",
    "io.artifacthub.package.maintainers", "io.artifacthub.package.prerelease",
    "org.opencontainers.image.authors", "org.opencontainers.image.revision", "org.opencontainers.image.licenses",
    "org.opencontainers.image.ref.name", "org.opencontainers.image.base.digest", "org.opencontainers.image.base.name",
}  # fmt: skip

SCHEMA = json.loads((resources.schemas_dir() / "artifacthub.schema.json").read_text())


def _validator(ref: str | None = None) -> jsonschema.Draft202012Validator:
    """The package schema, or (``ref``) one of its definitions alone."""
    schema = SCHEMA if ref is None else {"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{ref}"}
    return jsonschema.Draft202012Validator(schema)


def test_the_schema_holds_exactly_artifact_hubs_documented_fields() -> None:
    assert set(SCHEMA["properties"]) == DOCUMENTED_KEYS
    assert set(SCHEMA["required"]) == REQUIRED_KEYS
    assert SCHEMA["additionalProperties"] is False
    notes = SCHEMA["$defs"]["ociAnnotations"]
    assert set(notes["properties"]) == DOCUMENTED_ANNOTATIONS
    assert set(notes["required"]) == {
        "io.artifacthub.package.readme-url",
        "org.opencontainers.image.created",
        "org.opencontainers.image.description",
    }
    # Not vacuous: a missing required field, an unknown field and a bad date are each refused.
    good = {
        "version": "1.0.0",
        "name": "x",
        "displayName": "X",
        "createdAt": "2025-01-01T00:00:00Z",
        "description": "d",
    }
    assert not list(_validator().iter_errors(good))
    for broken in (
        {k: v for k, v in good.items() if k != "createdAt"},
        {**good, "homepage": "https://example.com"},
        {**good, "createdAt": "2025-01-01"},
        {**good, "name": "has space"},
    ):
        assert list(_validator().iter_errors(broken)), broken


def _pkg_files(catalog: Path) -> list[Path]:
    return sorted((catalog / artifacthub.FOLDER).glob(f"*/*/{artifacthub.PKG_FILE}"))


def test_every_committed_pattern_has_a_valid_artifact_hub_folder() -> None:
    catalog = ROOT / "catalog"
    patterns = sorted(PATTERNS.glob("*.yaml"))
    found = _pkg_files(catalog)
    assert len(found) == len(patterns) >= 15
    for pkg_file in found:
        doc = yaml.safe_load(pkg_file.read_text())
        errors = [e.message for e in _validator().iter_errors(doc)]
        assert not errors, (pkg_file.parent.name, errors)
        assert doc.keys() >= MESHERY_KEYS, pkg_file
        name, version = pkg_file.parent.parent.name, pkg_file.parent.name
        assert (doc["name"], doc["version"]) == (name, version) == (name, version_of(f"{name}.yaml"))
        assert datetime.datetime.fromisoformat(doc["createdAt"].replace("Z", "+00:00")).year >= 2025
        assert (pkg_file.parent / artifacthub.DESIGN_FILE).read_bytes() == (
            PATTERNS / f"{name}.yaml"
        ).read_bytes()
        readme = (pkg_file.parent / artifacthub.README_FILE).read_text()
        assert (
            readme.startswith(f"# {doc['displayName']}\n")
            and f"design catalog pull {name}@{version}" in readme
        )
        archive = ROOT / "catalog" / "archives" / f"{name}-{version}.tar.gz"
        assert doc["digest"] == packaging.digest_of(archive.read_bytes())


@pytest.fixture
def patterns(tmp_path: Path) -> Path:
    folder = tmp_path / "patterns"
    shutil.copytree(PATTERNS, folder)
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_the_build_with_artifact_hub_files_is_byte_reproducible(patterns: Path, tmp_path: Path) -> None:
    building.build(patterns, tmp_path / "one", source_url="https://designs.example.com/catalog/")
    for path in patterns.iterdir():  # other times and modes: nothing of them may reach the output
        os.utime(path, (2_000_000_000, 2_000_000_000))
        path.chmod(0o600)
    building.build(patterns, tmp_path / "two", source_url="https://designs.example.com/catalog/")
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert one == two
    assert sum(name.startswith("artifacthub/") for name in one) == 3 * len(list(patterns.glob("*.yaml")))
    assert building.check(patterns, tmp_path / "one", source_url="https://designs.example.com/catalog/") == []
    # Without the same --source-url the install text differs, and check says which files.
    stale = building.check(patterns, tmp_path / "one")
    assert stale and all(
        p.startswith("artifacthub/") and p.endswith("differs from a fresh build") for p in stale
    )


def test_check_covers_the_artifact_hub_files(
    patterns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "catalog"
    building.build(patterns, out)
    (out / artifacthub.FOLDER / "artifacthub-repo.yml").write_text("repositoryID: team\n")  # the team's own
    name, version = "istio-zero-trust", version_of("istio-zero-trust.yaml")
    (out / artifacthub.FOLDER / name / version / artifacthub.README_FILE).unlink()
    (out / artifacthub.FOLDER / name / version / artifacthub.PKG_FILE).write_text("version: 0.0.0\n")
    leftover = out / artifacthub.FOLDER / name / "0.9.0" / artifacthub.PKG_FILE
    leftover.parent.mkdir()
    leftover.write_text("version: 0.9.0\n")
    problems = building.check(patterns, out)
    assert problems == [
        f"artifacthub/{name}/{version}/artifacthub-pkg.yml differs from a fresh build",
        f"artifacthub/{name}/{version}/README.md is missing",
        f"artifacthub/{name}/0.9.0/artifacthub-pkg.yml is not listed in the index",
    ]
    assert run(["catalog", "build", "--patterns", str(patterns), "--out", str(out)]) == 0
    assert building.check(patterns, out) == []
    assert not leftover.parent.exists()
    assert (out / artifacthub.FOLDER / "artifacthub-repo.yml").read_text() == "repositoryID: team\n"


def _design(patterns: Path, extra: str, version: str | None = None) -> Path:
    path = patterns / "istio-zero-trust.yaml"
    text = path.read_text().replace("  created: 2026-11-22\n", extra)
    path.write_text(with_version(text, version) if version else text)
    return path


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        ("  created: 2025-03-04\n", "2025-03-04T00:00:00Z"),
        ("  created: '2025-03-04'\n", "2025-03-04T00:00:00Z"),
        ("  created: 2025-03-04T05:06:07Z\n", "2025-03-04T05:06:07+00:00"),
        ("  created: '2025-03-04T05:06:07+02:00'\n", "2025-03-04T05:06:07+02:00"),
        ("  created: '2025-03-04 05:06:07'\n", "2025-03-04T05:06:07Z"),
        ("", artifacthub.NO_DATE),
    ],
)
def test_created_at_comes_from_the_design(patterns: Path, created: str, expected: str) -> None:
    item = artifacthub.listing(packaging.pack(_design(patterns, created)))
    assert item.created_at == expected
    assert not list(_validator("rfc3339").iter_errors(item.created_at))


def test_an_undated_design_is_built_with_a_warning(
    patterns: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _design(patterns, "")
    assert run(["catalog", "build", "--patterns", str(patterns), "--out", str(tmp_path / "c")]) == 0
    assert "istio-zero-trust.yaml has no metadata.created" in capsys.readouterr().err


def test_a_bad_date_is_a_clear_error(
    patterns: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _design(patterns, "  created: last tuesday\n")
    assert run(["catalog", "build", "--patterns", str(patterns), "--out", str(tmp_path / "c")]) == 3
    err = capsys.readouterr().err
    assert "metadata.created is not a date" in err and "YYYY-MM-DD" in err


def test_links_authors_prerelease_and_source_url_reach_the_metadata(patterns: Path) -> None:
    extra = (
        "  created: 2025-03-04\n  authors: [Ada Lovelace <ada@example.com>, the platform team]\n"
        "  links:\n  - {name: Istio security docs, url: 'https://istio.io/latest/docs/concepts/security/'}\n"
        "  - {name: README, url: 'https://raw.example.com/zero-trust/README.md'}\n"
    )
    item = artifacthub.listing(packaging.pack(_design(patterns, extra, "2.0.0-rc.1")))
    files = artifacthub.files(item, source_url="https://designs.example.com/catalog/")
    doc = yaml.safe_load(files[f"{item.folder}/{artifacthub.PKG_FILE}"])
    assert not [e.message for e in _validator().iter_errors(doc)]
    assert doc["prerelease"] is True and doc["category"] == "security"
    assert doc["links"][0] == {
        "name": "Istio security docs",
        "url": "https://istio.io/latest/docs/concepts/security/",
    }
    assert doc["links"][-1] == {
        "name": "Catalog (designer source)",
        "url": "https://designs.example.com/catalog/",
    }
    assert doc["maintainers"] == [{"name": "Ada Lovelace", "email": "ada@example.com"}]
    assert "design catalog add-source catalog https://designs.example.com/catalog/" in doc["install"]
    assert "design catalog pull istio-zero-trust@2.0.0-rc.1 --source catalog" in doc["install"]
    notes = artifacthub.oci_annotations(item.package)
    assert not [e.message for e in _validator("ociAnnotations").iter_errors(notes)]
    assert notes["io.artifacthub.package.readme-url"] == "https://raw.example.com/zero-trust/README.md"
    assert json.loads(notes["io.artifacthub.package.maintainers"]) == doc["maintainers"]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with running_registry(tmp_path_factory.mktemp("registry")) as reg:
        yield reg


def _manifest(registry: Registry, repository: str, tag: str) -> dict[str, Any]:
    url = f"http://{registry.host}/v2/{repository}/manifests/{tag}"
    request = urllib.request.Request(url, headers={"Accept": oci.OCI_MANIFEST})
    with urllib.request.urlopen(request, timeout=5) as response:
        manifest: dict[str, Any] = json.load(response)
    return manifest


def test_an_oci_push_sets_the_annotations_artifact_hub_reads(registry: Registry, patterns: Path) -> None:
    source = oci.OciSource("reg", f"oci://{registry.host}/hub")
    plain = packaging.pack(PATTERNS / "prometheus-scraping.yaml")
    source.push(plain)
    notes = _manifest(registry, "hub/prometheus-scraping", plain.info.version)["annotations"]
    errors = [e.message for e in _validator("ociAnnotations").iter_errors(notes)]
    # Everything Artifact Hub requires but a readme URL, which only the design can give.
    assert errors == ["'io.artifacthub.package.readme-url' is a required property"]
    assert notes["org.opencontainers.image.created"] == "2026-11-22T00:00:00Z"
    assert notes["org.opencontainers.image.title"] == "Prometheus Scraping"
    assert notes["io.artifacthub.package.category"] == "monitoring-logging"
    assert (
        notes["org.opencontainers.image.licenses"] == notes["io.artifacthub.package.license"] == "Apache-2.0"
    )
    extra = "  created: 2025-03-04\n  links:\n  - {name: readme, url: 'https://raw.example.com/README.md'}\n"
    linked = packaging.pack(_design(patterns, extra))
    source.push(linked)
    notes = _manifest(registry, "hub/istio-zero-trust", linked.info.version)["annotations"]
    assert not [e.message for e in _validator("ociAnnotations").iter_errors(notes)]
    assert notes == artifacthub.oci_annotations(linked)


def test_a_design_whose_listing_is_broken_is_refused_before_a_push(patterns: Path) -> None:
    with pytest.raises(CatalogError, match=r"metadata\.links must be a list"):
        artifacthub.listing(packaging.pack(_design(patterns, "  links: [just-a-string]\n")))
