"""HTTP sources and `design import URL`: one deadline for the whole transfer, and a size limit.

A real server on 127.0.0.1 misbehaves the way slow or hostile ones do: it trickles the body or the
headers one byte at a time (each read succeeds, so a per-read timeout never fires), claims a huge
Content-Length, streams a chunked body without end, or redirects to ftp:// or in a loop.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from designer import fetching
from designer.catalog.sources import http as http_source
from designer.catalog.sources import oci
from designer.cli.main import run
from designer.errors import CatalogError, DesignerError

TRICKLE_S = 0.1


class _Hostile(http.server.BaseHTTPRequestHandler):
    stop: threading.Event

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _trickle(self, data: bytes) -> None:
        for byte in data:
            if self.stop.is_set():
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(TRICKLE_S)

    def do_GET(self) -> None:
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def _answer(self) -> None:
        path = "slow-body.json" if self.path == "/slow/index.json" else self.path.split("/")[-1]
        if self.path == "/v2/":  # enough of a registry for the OCI source's probe
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
        elif path == "list":  # /v2/NAMESPACE/NAME/tags/list, trickled
            self.send_response(200)
            self.send_header("Content-Length", "400")
            self.end_headers()
            self._trickle(b'{"tags": ["1.0.0"]' + b" " * 381 + b"}")
        elif path == "slow-body.json":
            self.send_response(200)
            self.send_header("Content-Length", "400")
            self.end_headers()
            self._trickle(b"{" + b" " * 398 + b"}")
        elif path == "slow-headers.json":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            self._trickle(b"X-Slow: " + b"a" * 300 + b"\r\n\r\n")
        elif path == "huge-length.json":
            self.send_response(200)
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
            self.wfile.write(b"[")
        elif path == "endless.json":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"x" * 65536
            while not self.stop.is_set():
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif path == "to-ftp.json":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/index.json")
            self.end_headers()
        elif path == "loop.json":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.end_headers()
        else:
            self.send_error(404)


@pytest.fixture
def hostile() -> Iterator[str]:
    stop = threading.Event()
    handler = type("Handler", (_Hostile,), {"stop": stop})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()  # joins the handler threads, which end once stop is set
        thread.join(timeout=5)
    # A transfer that missed its deadline was abandoned, not left running: its worker ends too (a
    # live thread would also keep later tests' validation from forking).
    for worker in [t for t in threading.enumerate() if t.name == "designer-deadline"]:
        worker.join(timeout=10)
        assert not worker.is_alive()


@pytest.fixture
def one_second(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setenv(fetching.DEADLINE_ENV, "1")
    return 1.0


@pytest.mark.timeout(20)
@pytest.mark.parametrize("page", ["slow-body.json", "slow-headers.json"])
def test_a_trickling_server_is_cut_off_at_the_deadline(hostile: str, one_second: float, page: str) -> None:
    started = time.monotonic()
    with pytest.raises(CatalogError, match=r"did not finish within 1 s") as info:
        http_source.get(f"{hostile}/{page}", 1 << 20)
    elapsed = time.monotonic() - started
    assert one_second <= elapsed < one_second + 1.5, elapsed
    assert fetching.DEADLINE_ENV in (info.value.hint or "")


@pytest.mark.timeout(20)
def test_a_catalog_search_on_a_trickling_index_ends_at_the_deadline(
    hostile: str,
    one_second: float,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The reported case: a byte every few seconds kept `catalog search` going past 75 s."""
    monkeypatch.setenv("DESIGNER_CONFIG_DIR", str(tmp_path / "config"))
    assert run(["catalog", "add-source", "slow", f"{hostile}/slow/"]) == 0  # its index.json trickles
    started = time.monotonic()
    assert run(["catalog", "search", "x", "--source", "slow"]) == 3
    elapsed = time.monotonic() - started
    assert elapsed < one_second + 1.5, elapsed
    assert "did not finish within 1 s" in capsys.readouterr().err


@pytest.mark.timeout(20)
def test_design_import_of_a_trickling_url_ends_at_the_deadline(
    hostile: str, one_second: float, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    assert run(["import", f"{hostile}/slow-body.json"]) == 3
    elapsed = time.monotonic() - started
    assert elapsed < one_second + 1.5, elapsed
    assert "did not finish within 1 s" in capsys.readouterr().err


@pytest.mark.timeout(20)
def test_an_oci_registry_that_trickles_is_cut_off_at_the_deadline(hostile: str, one_second: float) -> None:
    """oras sets no timeout and retries with sleeps: each registry operation still gets one deadline."""
    source = oci.OciSource("slow", hostile.replace("http://", "oci://") + "/ns")
    started = time.monotonic()
    with pytest.raises(CatalogError, match=r"did not finish within 1 s"):
        source.resolve("x")
    assert time.monotonic() - started < one_second + 1.5


@pytest.mark.timeout(20)
def test_a_huge_content_length_is_refused_before_reading(hostile: str) -> None:
    started = time.monotonic()
    with pytest.raises(DesignerError, match=r"larger than 1048576 bytes \(1000000000000\)"):
        fetching.get(f"{hostile}/huge-length.json", limit=1 << 20, agent="test")
    assert time.monotonic() - started < 2


@pytest.mark.timeout(20)
def test_an_endless_body_is_refused_at_the_limit(hostile: str) -> None:
    with pytest.raises(DesignerError, match=r"larger than 1048576 bytes"):
        fetching.get(f"{hostile}/endless.json", limit=1 << 20, agent="test")


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    ("page", "message"), [("to-ftp.json", "unknown url type"), ("loop.json", "redirect")]
)
def test_redirects_stay_on_http_and_end(hostile: str, page: str, message: str) -> None:
    with pytest.raises(DesignerError, match=message):
        fetching.get(f"{hostile}/{page}", limit=1 << 20, agent="test")


def test_the_deadline_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fetching.DEADLINE_ENV, "soon")
    with pytest.raises(DesignerError, match="is not a number of seconds"):
        fetching.deadline_s()
    monkeypatch.setenv(fetching.DEADLINE_ENV, "2.5")
    assert fetching.deadline_s() == 2.5
