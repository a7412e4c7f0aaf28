"""HTTP index sources against a real http.server on 127.0.0.1 serving a catalog folder."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from designer.catalog import packaging, pulling
from designer.catalog.sources import base
from designer.catalog.sources import http as http_source
from designer.errors import CatalogError
from tests.catalog import archives
from tests.conftest import PATTERNS, ROOT


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A copy of catalog/ served over HTTP; yields (base URL, folder)."""
    folder = tmp_path / "site" / "catalog"
    shutil.copytree(ROOT / "catalog", folder)
    handler = functools.partial(_QuietHandler, directory=str(tmp_path / "site"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/catalog/", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_list_search_and_pull_every_entry_identical(served: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = served
    source = http_source.HttpSource("web", url.rstrip("/"))
    index = source.index()
    assert len(index.entries) >= 15
    assert index.search("fault")[0].name == "istio-fault-injection"
    for entry in index.entries:
        out = tmp_path / "pulled" / entry.name
        _, package = base.pull(source, entry.name)
        written = pulling.write(package, out)
        assert written.read_bytes() == (PATTERNS / entry.file).read_bytes()


def test_wrong_digest_in_the_served_index_is_refused(served: tuple[str, Path], tmp_path: Path) -> None:
    url, folder = served
    doc = json.loads((folder / "index.json").read_text())
    target = next(e for e in doc["entries"] if e["name"] == "istio-zero-trust")
    target["digest"] = packaging.digest_of(b"something else")
    (folder / "index.json").write_text(json.dumps(doc))
    with pytest.raises(CatalogError, match="digest mismatch"):
        base.pull(http_source.HttpSource("web", url), "istio-zero-trust")


def test_served_archive_escaping_with_dotdot_is_refused(served: tuple[str, Path], tmp_path: Path) -> None:
    """The index is honest about the hostile archive's digest: the entry checks still refuse it."""
    url, folder = served
    content = (PATTERNS / "httpbin.yaml").read_bytes()
    meta = packaging.metadata.design_info(content, file="httpbin.yaml", origin="x").as_json()
    meta["file"] = "../httpbin.yaml"
    data = archives.tar_gz(
        [
            archives.regular("metadata.json", json.dumps(meta).encode()),
            archives.regular("../httpbin.yaml", content),
        ]
    )
    (folder / "archives" / "evil.tar.gz").write_bytes(data)
    doc = json.loads((folder / "index.json").read_text())
    entry = next(e for e in doc["entries"] if e["name"] == "httpbin")
    entry.update(archive="archives/evil.tar.gz", digest=packaging.digest_of(data), size=len(data))
    (folder / "index.json").write_text(json.dumps(doc))
    out = tmp_path / "out"
    with pytest.raises(CatalogError, match=r"leaves the archive \(\.\.\)"):
        _, package = base.pull(http_source.HttpSource("web", url), "httpbin")
        pulling.write(package, out)
    assert not out.exists()
    assert not (tmp_path / "httpbin.yaml").exists()
    assert tarfile.is_tarfile(folder / "archives" / "evil.tar.gz")


def test_missing_index_and_dead_server_are_clear_errors(served: tuple[str, Path]) -> None:
    url, _ = served
    with pytest.raises(CatalogError, match="HTTP 404"):
        http_source.HttpSource("web", url + "nothing-here/").index()
    with pytest.raises(CatalogError, match="cannot reach"):
        http_source.HttpSource("dead", "http://127.0.0.1:9/").index()
