"""Run the differential suite outside pytest and print every difference and the summary.

    python -m tests.sandbox.fidelity.report [--kubeconfig FILE] [--context NAME] [SCENARIO ...]

The emulator side is a fresh in-process emulator (controllers on, as ``design sandbox up`` runs it);
the real side is the cluster ``--kubeconfig`` names, else a real control plane started for the run
(scripts/build-control-plane.sh builds its binaries).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from designer.sandbox.runner import Sandbox, TlsFiles
from designer.sandbox.testing import real_control_plane
from tests.sandbox.fidelity import compare, runner, scenarios
from tests.sandbox.fidelity.client import Endpoint, endpoint
from tests.sandbox.fidelity.normalize import normalized


@dataclass
class Result:
    """One differential run: the scenarios, their differences, and how long each engine took."""

    scenarios: list[scenarios.Scenario]
    emulator: dict[str, runner.Run]
    real: dict[str, runner.Run]
    differences: list[compare.Difference]
    seconds: dict[str, float]

    @property
    def identical(self) -> list[str]:
        differing = {d.scenario for d in self.differences}
        return [s.name for s in self.scenarios if s.name not in differing]


@contextlib.contextmanager
def emulator(folder: Path) -> Iterator[Sandbox]:
    """The emulator as ``design sandbox up`` runs it: controllers on, TLS with a CA made now, a
    bearer token; its kubeconfig at ``folder/emulator-kubeconfig``."""
    from designer.sandbox.upstream import pki

    ca, served = pki.serving(folder / "emulator-tls")
    server = Sandbox(
        controllers=True, token=secrets.token_urlsafe(16), tls=TlsFiles(ca.cert, served.cert, served.key)
    )
    server.start(folder / "emulator-kubeconfig")
    try:
        yield server
    finally:
        server.stop()


def differential(emulator: Endpoint, real: Endpoint, chosen: list[scenarios.Scenario]) -> Result:
    """Run ``chosen`` on both endpoints at the same time and compare the normalized outcomes."""
    seconds: dict[str, float] = {}

    def timed(target: Endpoint) -> dict[str, runner.Run]:
        started = time.monotonic()
        try:
            return runner.run_all(target, chosen)
        finally:
            seconds[target.engine] = time.monotonic() - started

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        emulated, actual = pool.map(timed, [emulator, real])
    found = []
    for s in chosen:
        found += compare.differences(s.name, normalized(emulated[s.name]), normalized(actual[s.name]))
    return Result(chosen, emulated, actual, found, seconds)


@contextlib.contextmanager
def _real(kubeconfig: Path | None, context: str | None, folder: Path) -> Iterator[Endpoint]:
    if kubeconfig is not None:
        target = endpoint("kube-apiserver", kubeconfig, context)
        yield target
        target.close()
        return
    with real_control_plane(folder / "control-plane") as plane:
        assert plane.kubeconfig_path is not None
        target = endpoint("kube-apiserver", plane.kubeconfig_path)
        yield target
        target.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kubeconfig", type=Path)
    parser.add_argument("--context")
    parser.add_argument("--show", action="store_true", help="print both engines' normalized answers")
    parser.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    args = parser.parse_args()
    chosen = [s for s in scenarios.load_all() if not args.names or s.name in args.names]
    with tempfile.TemporaryDirectory() as folder, emulator(Path(folder)) as sandbox:
        assert sandbox.kubeconfig_path is not None
        emulated = endpoint("emulator", sandbox.kubeconfig_path)
        with _real(args.kubeconfig, args.context, Path(folder)) as real:
            result = differential(emulated, real, chosen)
    if args.show:
        for s in chosen:
            for engine, runs in (("emulator", result.emulator), ("kube-apiserver", result.real)):
                print(f"=== {s.name} on {engine}")
                print(yaml.safe_dump(normalized(runs[s.name]), sort_keys=False, width=150))
    table = compare.known()
    for d in result.differences:
        listed = "known" if any(k.covers(d) for k in table) else "NEW"
        print(
            f"[{listed}] {d.scenario} / {d.step} / {d.path}\n    emulator: {d.emulator}\n    real:     {d.real}"
        )
    _, unused = compare.reconcile(result.differences, table)
    for k in unused:
        print(f"[GONE] {k.scenario} / {k.step} / {k.path}: listed, not measured")
    print(summary(result))


def summary(result: Result) -> str:
    """One line: scenarios, steps, identical scenarios, differences, each engine's time."""
    return (
        f"{len(result.scenarios)} scenarios ({sum(len(s.steps) for s in result.scenarios)} steps), "
        f"{len(result.identical)} identical, {len(result.differences)} differences in "
        f"{len(result.scenarios) - len(result.identical)} scenarios; "
        + ", ".join(f"{engine} {seconds:.1f} s" for engine, seconds in sorted(result.seconds.items()))
    )


if __name__ == "__main__":
    main()
