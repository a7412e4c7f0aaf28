"""Fixtures of the `design ui` tests: a design folder, servers on 127.0.0.1, an HTTP session that
logged in as a browser does, the system Chromium driven by Playwright, and real perf results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from designer.ui.background import BackgroundServer
from designer.ui.state import Settings
from tests import requirements
from tests.ui.browser import browser_context, chromium_path

TOKEN = "test-token-" + "x" * 32
SECRET_VALUE = "s3cr3t-value-never-shown"
SECRET_B64 = "czNjcjN0LWI2NC1uZXZlci1zaG93bg=="  # base64 of another secret

SHOP = f"""\
apiVersion: designer/v1
kind: Design
metadata: {{name: shop, version: 1.0.0, description: a shop with a secret}}
components:
  - {{name: shop-ns, kind: Namespace, apiVersion: v1, objectName: shop}}
  - name: creds
    kind: Secret
    apiVersion: v1
    namespace: shop
    settings: {{stringData: {{password: {SECRET_VALUE}}}, data: {{token: {SECRET_B64}}}}}
  - name: config
    kind: ConfigMap
    apiVersion: v1
    namespace: shop
    settings: {{data: {{mode: fast}}}}
  - name: api
    kind: Deployment
    apiVersion: apps/v1
    namespace: shop
    dependsOn: [config]
    settings:
      spec:
        selector: {{matchLabels: {{app: api}}}}
        template:
          metadata: {{labels: {{app: api}}}}
          spec:
            containers:
              - name: api
                image: shop/api:1.0
                envFrom: [{{secretRef: {{name: creds}}}}]
  - name: api-svc
    kind: Service
    apiVersion: v1
    namespace: shop
    dependsOn: [api]
    settings: {{spec: {{selector: {{app: api}}, ports: [{{port: 80}}]}}}}
"""

CYCLE = """\
apiVersion: designer/v1
kind: Design
metadata: {name: loop}
components:
  - {name: a, kind: ConfigMap, apiVersion: v1, namespace: default, dependsOn: [c]}
  - {name: b, kind: ConfigMap, apiVersion: v1, namespace: default, dependsOn: [a]}
  - {name: c, kind: ConfigMap, apiVersion: v1, namespace: default, dependsOn: [b]}
  - {name: d, kind: ConfigMap, apiVersion: v1, namespace: default}
"""


@pytest.fixture
def designs(tmp_path: Path) -> Path:
    """A folder with the shop design and a design with a cycle."""
    folder = tmp_path / "designs"
    folder.mkdir()
    (folder / "shop.yaml").write_text(SHOP)
    (folder / "loop.yaml").write_text(CYCLE)
    return folder


ServerFactory = Callable[..., BackgroundServer]


@pytest.fixture
def ui_server() -> Iterator[ServerFactory]:
    """``ui_server(paths, **settings)`` starts a server (token TOKEN, any free port); all stop afterwards."""
    started: list[BackgroundServer] = []

    def start(paths: list[Path] | list[str], **options: Any) -> BackgroundServer:
        settings = Settings(paths=tuple(str(p) for p in paths), token=TOKEN, port=0, **options)
        server = BackgroundServer(settings).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def logged_in(server: BackgroundServer) -> requests.Session:
    """An HTTP session that opened the printed URL (so it holds the cookie) and sends same-origin headers."""
    session = requests.Session()
    answer = session.get(server.login_url, timeout=30)
    answer.raise_for_status()
    session.headers.update({"Origin": server.url, "X-Designer-Token": TOKEN})
    return session


def design_id(session: requests.Session, server: BackgroundServer, name: str) -> str:
    """The id the API gives the design called ``name``."""
    found = session.get(f"{server.url}/api/v1/designs", timeout=30).json()["designs"]
    return next(d["id"] for d in found if d["name"] == name)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A Playwright context on Debian's Chromium (skipped outside CI when it is not installed)."""
    if chromium_path() is None:
        requirements.missing("chromium is not installed: apt-get install chromium chromium-driver")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        requirements.missing("playwright is not installed: pip install -e '.[test]'")
    with browser_context() as context:
        yield context


@pytest.fixture(scope="module")
def perf_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A perf history with two real runs against a stub server (0.5 s each), as `design perf run` stores them."""
    from designer.perf.history import History
    from designer.perf.profile import Profile, Target
    from designer.perf.results import RunContext
    from designer.perf.running import run_profile
    from tests.perf.perfservers import StubServer

    path = tmp_path_factory.mktemp("perf") / "perf.sqlite3"

    def measure() -> None:  # on a thread: the sync Playwright of a browser test keeps a loop running here
        server = StubServer().start()
        try:
            profile = Profile(
                name="stub",
                targets=(Target(url=server.url),),
                rate=200,
                connections=4,
                duration_s=0.5,
                headers={"Authorization": "Bearer perf-header-secret"},
                slos=("p(99) < 2s", "error_rate < 1%"),
            )
            with History(path) as history:
                for version in ("1.0.0", "1.1.0"):
                    history.save(run_profile(profile, RunContext(design="shop", version=version)))
        finally:
            server.stop()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(measure).result()
    return path


@pytest.fixture
def live_sandbox(sandbox_factory: Callable[..., Any]) -> Any:
    """The API emulator with its controllers on (Deployments become Available), context ``sandbox``."""
    return sandbox_factory(controllers=True)
