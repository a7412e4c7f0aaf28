"""Each security promise of `design ui`, tested over real HTTP (and the CLI for start-up refusals)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from designer.cli.main import run
from designer.ui import workspace
from designer.ui.security import CONTENT_SECURITY_POLICY, cookie_name
from tests.ui.conftest import SECRET_B64, SECRET_VALUE, TOKEN, ServerFactory, design_id, logged_in


def test_every_request_needs_the_token(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    for path in ("/", "/api/v1/designs", "/api/v1/session", "/api/v1/openapi.json"):
        answer = requests.get(server.url + path, timeout=30)
        assert answer.status_code == 401, path
    assert requests.get(f"{server.url}/?token=wrong", timeout=30).status_code == 401
    assert requests.get(f"{server.url}/api/v1/designs", headers={"X-Designer-Token": TOKEN}, timeout=30).ok


def test_the_printed_url_sets_a_strict_cookie_and_drops_the_token(
    designs: Path, ui_server: ServerFactory
) -> None:
    server = ui_server([designs])
    first = requests.get(server.login_url, allow_redirects=False, timeout=30)
    assert first.status_code == 303
    assert first.headers["Location"] == "/"  # the token leaves the address bar
    cookie = first.headers["Set-Cookie"]
    assert f"{cookie_name(server.state.port)}={TOKEN}" in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = requests.get(server.url + "/", cookies={cookie_name(server.state.port): TOKEN}, timeout=30)
    assert page.ok and '<script src="/static/app.js"' in page.text


def test_changes_need_the_header_and_the_same_origin(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs], allow_apply=True, contexts=("sandbox",))
    http = logged_in(server)
    url = f"{server.url}/api/v1/designs/{design_id(http, server, 'shop')}/delete"
    cookie_only = requests.post(
        url, json={"context": "sandbox"}, cookies=http.cookies, headers={"Origin": server.url}, timeout=30
    )
    assert cookie_only.status_code == 403 and "header" in cookie_only.json()["error"]["message"]
    foreign = http.post(url, json={"context": "sandbox"}, headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403 and "cross-origin" in foreign.json()["error"]["message"]
    no_origin = requests.post(
        url, json={"context": "sandbox"}, headers={"X-Designer-Token": TOKEN}, timeout=30
    )
    assert no_origin.status_code == 403
    assert "Access-Control-Allow-Origin" not in foreign.headers


def test_apply_and_delete_are_refused_without_allow_apply(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs], contexts=("sandbox",))
    http = logged_in(server)
    design = design_id(http, server, "shop")
    for what, body in (("apply", {"context": "sandbox", "plan": "x"}), ("delete", {"context": "sandbox"})):
        answer = http.post(f"{server.url}/api/v1/designs/{design}/{what}", json=body)
        assert answer.status_code == 403 and "--allow-apply" in answer.json()["error"]["hint"]


def test_a_foreign_host_header_is_refused(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    answer = requests.get(
        f"{server.url}/api/v1/designs",
        headers={"Host": "rebind.example", "X-Designer-Token": TOKEN},
        timeout=30,
    )
    assert answer.status_code == 403


def test_every_answer_carries_the_content_security_policy(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    for path in ("/", "/static/app.js", "/api/v1/designs", "/api/v1/nothing"):
        policy = http.get(server.url + path).headers["Content-Security-Policy"]
        assert policy == CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["default-src"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY
    page = http.get(server.url + "/").text
    assert "<script>" not in page and "http://" not in page and "https://" not in page


@pytest.mark.parametrize(
    "relative",
    [
        "../outside.yaml",
        "../../outside.yaml",
        "sub/../../outside.yaml",
        "/etc/passwd",
        "OUTSIDE_ABSOLUTE",
        "link.yaml",
        "linkdir/outside.yaml",
    ],
)
def test_no_file_outside_the_paths_is_read(tmp_path: Path, ui_server: ServerFactory, relative: str) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "ok.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok, namespace: a}\n"
    )
    outside = tmp_path / "outside.yaml"
    outside.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leaked-marker, namespace: a}\n")
    (root / "link.yaml").symlink_to(outside)
    (root / "linkdir").symlink_to(tmp_path)
    server = ui_server([root])
    http = logged_in(server)
    listed = http.get(f"{server.url}/api/v1/designs").json()
    assert [d["name"] for d in listed["designs"]] == ["ok"], "links out of the folder are not listed"
    relative = str(outside) if relative == "OUTSIDE_ABSOLUTE" else relative
    forged = workspace.encode(0, relative)
    for path in (f"{forged}.0/graph", f"{forged}.0/findings", f"{forged}.0/components/x"):
        answer = http.get(f"{server.url}/api/v1/designs/{path}")
        assert answer.status_code == 404, (relative, path)
        assert "leaked-marker" not in answer.text
    assert (
        http.get(f"{server.url}/api/v1/designs/{workspace.encode(7, 'sub/ok.yaml')}.0/graph").status_code
        == 404
    )
    assert http.get(f"{server.url}/api/v1/designs/not-base64!.0/graph").status_code == 404
    assert http.get(f"{server.url}/static/../outside.yaml").status_code in (403, 404)


def test_an_installer_manifest_outside_the_paths_is_not_read(
    tmp_path: Path, ui_server: ServerFactory
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "control-plane.yaml"
    outside.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: leaked-marker}\n")
    (root / "mesh.yaml").write_text(
        "apiVersion: designer/v1\nkind: Design\nmetadata: {name: mesh}\ncomponents:\n"
        "  - name: istio\n    kind: IstioMesh\n    apiVersion: designer/v1\n"
        "    settings: {version: 1.22.0, installer: {manifest: ../control-plane.yaml}}\n"
    )
    server = ui_server([root])
    http = logged_in(server)
    mesh = design_id(http, server, "mesh")
    graph = http.get(f"{server.url}/api/v1/designs/{mesh}/graph").json()
    assert "outside the paths given" in graph["errors"][0]["message"]
    detail = http.get(f"{server.url}/api/v1/designs/{mesh}/components/istio").text
    assert "leaked-marker" not in detail


def test_secret_values_never_reach_the_browser(designs: Path, ui_server: ServerFactory) -> None:
    server = ui_server([designs])
    http = logged_in(server)
    shop = design_id(http, server, "shop")
    answers = [
        http.get(f"{server.url}/api/v1/designs").text,
        http.get(f"{server.url}/api/v1/designs/{shop}/graph").text,
        http.get(f"{server.url}/api/v1/designs/{shop}/findings").text,
        *(http.get(f"{server.url}/api/v1/designs/{shop}/components/{c}").text for c in ("creds", "api")),
    ]
    for text in answers:
        assert SECRET_VALUE not in text and SECRET_B64 not in text
    creds = http.get(f"{server.url}/api/v1/designs/{shop}/components/creds").json()
    assert creds["settings"]["stringData"] == {"password": "***"}
    assert creds["objects"][0]["body"]["data"] == {"token": "***"}


def test_a_non_loopback_host_needs_a_token_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["ui", str(tmp_path), "--host", "0.0.0.0", "--no-open"]) == 2
    assert "--token-file" in capsys.readouterr().err
    short = tmp_path / "token.txt"
    short.write_text("short\n")
    assert run(["ui", str(tmp_path), "--host", "0.0.0.0", "--token-file", str(short)]) == 3
    assert "at least 16" in capsys.readouterr().err


def test_a_missing_path_is_refused_before_serving(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["ui", str(tmp_path / "nope"), "--port", "0"]) == 3
    assert "no such file or folder" in capsys.readouterr().err
