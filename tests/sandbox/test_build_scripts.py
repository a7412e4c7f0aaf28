"""scripts/lib/go-build.sh (shared with scripts/build-opa.sh) and scripts/build-control-plane.sh: build once, then find the work done."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from designer.sandbox.testing import required_binaries
from tests import requirements
from tests.conftest import ROOT

LIB = ROOT / "scripts" / "lib" / "go-build.sh"


def _go() -> str:
    return requirements.executable("go", install="install Go 1.26 or newer from go.dev")


def _install(module: Path, dest: Path) -> subprocess.CompletedProcess[str]:
    script = f'. "{LIB}" && go_build_cached "$1" "$2" ./cmd/hello'
    return subprocess.run(
        ["bash", "-c", script, "build", str(module), str(dest)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_gobuild_builds_once_and_again_when_the_module_changes(tmp_path: Path) -> None:
    _go()
    module = tmp_path / "module"
    (module / "cmd" / "hello").mkdir(parents=True)
    (module / "go.mod").write_text("module example.com/hello\n\ngo 1.21\n")
    main = module / "cmd" / "hello" / "main.go"
    main.write_text('package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("one") }\n')
    dest = tmp_path / "out"

    first = _install(module, dest)
    assert first.returncode == 0, first.stderr
    assert "building ./cmd/hello" in first.stderr
    assert (
        subprocess.run([dest / "bin" / "hello"], capture_output=True, text=True, check=True).stdout == "one\n"
    )
    built = (dest / "bin" / "hello").stat().st_mtime_ns

    second = _install(module, dest)
    assert second.returncode == 0 and f"up to date: {dest}/bin" in second.stderr
    assert (dest / "bin" / "hello").stat().st_mtime_ns == built

    main.write_text('package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("two") }\n')
    third = _install(module, dest)
    assert third.returncode == 0 and "building ./cmd/hello" in third.stderr
    assert (
        subprocess.run([dest / "bin" / "hello"], capture_output=True, text=True, check=True).stdout == "two\n"
    )
    assert not list(dest.glob(".build.*"))


def test_gobuild_without_go_says_what_is_needed(tmp_path: Path) -> None:
    module = tmp_path / "module"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/hello\n")
    result = subprocess.run(
        [
            "bash",
            "-c",
            f'. "{LIB}" && go_build_cached "$1" "$2" ./cmd/hello',
            "build",
            str(module),
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},  # a PATH without Go
        check=False,
    )
    if shutil.which("go", path="/usr/bin:/bin"):
        pytest.skip("Go is installed in /usr/bin: cannot hide it")
    assert result.returncode == 3
    assert "the Go toolchain is not on PATH" in result.stderr


def test_control_plane_build_is_idempotent() -> None:
    _go()  # the script checks its toolchain before it finds the build done
    found = required_binaries()
    built = found.folder.parent
    if found.folder.name != "bin" or not (built / ".build-stamp").is_file():
        pytest.skip(f"{found.folder} was not built by scripts/build-control-plane.sh (envtest's binaries?)")
    names = ("etcd", "kube-apiserver", "kube-controller-manager")
    before = {name: (found.folder / name).stat().st_mtime_ns for name in names}
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-control-plane.sh"), str(built)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"up to date: {found.folder}" in result.stderr
    assert result.stdout.strip() == str(found.folder)
    assert {name: (found.folder / name).stat().st_mtime_ns for name in names} == before
