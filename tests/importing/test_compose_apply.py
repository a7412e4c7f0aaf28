"""Compose files imported by designer apply to a cluster: every awesome-compose sample and the
project's fixtures, on the emulator (one per sample, controllers on) and together on the real
kube-apiserver with its controllers and simulated kubelet (each in a namespace of its own)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from designer.cli.main import run
from designer.loading import load_file
from designer.sandbox.testing import ControlPlane
from tests import requirements
from tests.applying.livetools import Live, live_sandbox
from tests.importing.composetools import OWN_FILES, SAMPLE_IDS, SAMPLES

FILES = SAMPLES + OWN_FILES
IDS = SAMPLE_IDS + [p.parent.name for p in OWN_FILES]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_sandbox(tmp_path_factory.mktemp("compose-sandbox")) as running:
        yield running


def _namespace(index: int) -> str:
    return f"compose-{index}"


def _imported(path: Path, index: int, folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    requirements.shared_file(path)
    out = folder / f"{index:02d}-{IDS[index].lower()}.yaml"
    capsys.readouterr()
    code = run(
        [
            "import",
            str(path),
            "--from",
            "compose",
            "--namespace",
            _namespace(index),
            "--name",
            f"compose-{index}",
            "-o",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    return out


def _summary(stdout: str) -> dict[str, object]:
    events = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    summaries = [e for e in events if e.get("event") == "summary"]
    assert summaries, stdout
    return summaries[-1]


@pytest.mark.parametrize("index", range(len(FILES)), ids=IDS)
def test_imported_compose_applies_to_the_emulator(
    live: Live, index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = _imported(FILES[index], index, tmp_path, capsys)
    code = run(["apply", str(design), "--yes", "-o", "json", "--kubeconfig", str(live.kubeconfig)])
    captured = capsys.readouterr()
    assert code == 0, captured.err + captured.out
    summary = _summary(captured.out)
    assert summary["failed"] == 0 and summary["skipped"] == 0, summary
    (loaded,) = load_file(design)
    for component in loaded.components:
        ref = component.ref
        assert live.sandbox.get(ref.api_version, ref.kind, ref.name, ref.namespace or "") is not None, ref


def test_every_imported_compose_file_applies_to_a_real_kube_apiserver(
    control_plane: ControlPlane, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    requirements.shared("testdata", "compose")
    folder = tmp_path / "designs"
    folder.mkdir()
    for index, path in enumerate(FILES):
        _imported(path, index, folder, capsys)
    assert control_plane.kubeconfig_path is not None
    code = run(
        ["apply", str(folder), "--yes", "-o", "json", "--kubeconfig", str(control_plane.kubeconfig_path)]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err[-4000:] + captured.out[-4000:]
    assert '"event": "failed"' not in captured.out
