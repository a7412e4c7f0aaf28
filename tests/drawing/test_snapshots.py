"""`design graph --format svg|png -o FILE`: pictures of every pattern, drawn by designer and by Graphviz,
with the findings of the built-in checks on the nodes they belong to."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from designer.cli.main import run
from designer.loading import load_file
from tests import requirements
from tests.conftest import PATTERNS

PATTERN_FILES = sorted(PATTERNS.glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
COMPOSE_SHOP = (
    Path(__file__).resolve().parents[1] / "importing" / "fixtures" / "compose" / "shop" / "compose.yaml"
)


def _texts(svg_file: Path) -> list[str]:
    root = ET.parse(svg_file).getroot()
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("pattern", PATTERN_FILES, ids=[p.stem for p in PATTERN_FILES])
def test_every_pattern_draws_with_designer_s_own_layout(pattern: Path, tmp_path: Path) -> None:
    out = tmp_path / "graph.svg"
    assert (
        run(["graph", str(pattern), "-f", "svg", "--layout", "builtin", "--no-findings", "-o", str(out)]) == 0
    )
    (design,) = load_file(pattern)
    texts = _texts(out)
    for comp in design.components:
        shown = comp.name if len(comp.name) <= 26 else comp.name[:25] + "…"
        assert shown in texts, comp.name
    root = ET.parse(out).getroot()
    assert len([p for p in root.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None]) > 0


@pytest.mark.parametrize("pattern", PATTERN_FILES, ids=[p.stem for p in PATTERN_FILES])
def test_every_pattern_draws_with_graphviz_as_svg_and_png(pattern: Path, tmp_path: Path) -> None:
    requirements.executable("dot", install="apt-get install graphviz")
    svg, png = tmp_path / "graph.svg", tmp_path / "graph.png"
    assert run(["graph", str(pattern), "-f", "svg", "--layout", "graphviz", "-o", str(svg)]) == 0
    assert run(["graph", str(pattern), "-f", "png", "--no-findings", "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    (design,) = load_file(pattern)
    texts = " ".join(_texts(svg))
    assert all(comp.name in texts for comp in design.components)


def test_findings_are_counted_on_their_components(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = tmp_path / "shop.yaml"
    assert run(["import", str(COMPOSE_SHOP), "-o", str(design)]) == 0
    capsys.readouterr()
    run(["validate", str(design), "-o", "json", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    expected: dict[str, int] = {}
    for finding in report["findings"]:
        if not finding.get("waived"):
            expected[finding["component"]] = expected.get(finding["component"], 0) + 1
    out = tmp_path / "shop.svg"
    assert run(["graph", str(design), "-f", "svg", "--layout", "builtin", "-o", str(out)]) == 0
    root = ET.parse(out).getroot()
    badges: dict[str, int] = {}
    for group in root.iter(f"{SVG}g"):
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        title = group.find(f"{SVG}title")
        if group.find(f"{SVG}circle") is not None and title is not None:
            badges[(title.text or "").split(" (")[0]] = int(texts[-1])
    assert badges == expected and sum(expected.values()) > 0
    plain = tmp_path / "plain.svg"
    assert (
        run(["graph", str(design), "-f", "svg", "--layout", "builtin", "--no-findings", "-o", str(plain)])
        == 0
    )
    assert ET.parse(plain).getroot().find(f".//{SVG}circle") is None


def test_png_without_graphviz_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere
    out = tmp_path / "graph.png"
    assert run(["graph", str(PATTERNS / "httpbin.yaml"), "-f", "png", "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "needs Graphviz's dot" in err and "apt-get install graphviz" in err and "--format svg" in err
    assert not out.exists()
    svg = tmp_path / "graph.svg"
    assert run(["graph", str(PATTERNS / "httpbin.yaml"), "-f", "svg", "--no-findings", "-o", str(svg)]) == 0
    assert "with designer" in capsys.readouterr().err


def test_pictures_are_never_overwritten_without_force_and_need_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "graph.svg"
    out.write_text("mine")
    args = ["graph", str(PATTERNS / "httpbin.yaml"), "-f", "svg", "--layout", "builtin", "--no-findings"]
    assert run([*args, "-o", str(out)]) == 3 and out.read_text() == "mine"
    assert "already exists" in capsys.readouterr().err
    assert run([*args, "-o", str(out), "--force"]) == 0 and out.read_text().startswith("<svg")
    assert run(args) == 2  # a usage error: a picture needs a file
    assert "name the file with -o" in capsys.readouterr().err
    folder = tmp_path / "snapshots"
    assert (
        run(["graph", str(PATTERNS), "-f", "svg", "--layout", "builtin", "--no-findings", "-o", f"{folder}/"])
        == 0
    )
    assert len(list(folder.glob("*.svg"))) == len(PATTERN_FILES)


def test_the_same_design_draws_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    for out in (first, second):
        assert (
            run(
                [
                    "graph",
                    str(PATTERNS / "istio-bookinfo.yaml"),
                    "-f",
                    "svg",
                    "--layout",
                    "builtin",
                    "-o",
                    str(out),
                ]
            )
            == 0
        )
    assert first.read_bytes() == second.read_bytes()
