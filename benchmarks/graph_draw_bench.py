"""Design snapshots (`design graph --format svg|png`) of a 100-component design: how long a picture
takes, drawn by designer and by Graphviz, with and without the findings of the built-in checks.

Peer in the same run: `design graph -f dot` (the same design loaded and graphed, written as text),
the floor every picture pays; the ratios show what drawing (and the policies) add. Goal (issue 16):
under 1 s per snapshot of a 100-component design. Each row is the best and the worst of --repeat
runs of the real command in a fresh process (the machine is shared: read ranges, not one number).

    python benchmarks/graph_draw_bench.py [--components 100] [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from graph_bench import generate  # the same generated designs as the graph benchmark


def _time(command: list[str], repeat: int) -> tuple[float, float, float]:
    """Best and worst wall time, and the best CPU time (user + system, the command and dot together:
    steadier than wall time on a shared machine)."""
    times, cpu = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times), max(times), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    design = shutil.which("design") or sys.exit("design is not on PATH: pip install -e .")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "design.yaml"
        source.write_text(yaml.safe_dump(generate(args.components), sort_keys=False))
        rows = [("peer: graph -f dot (text)", [design, "graph", str(source), "-f", "dot"])]
        rows.append(
            (
                "svg, designer's layout, no findings",
                [design, "graph", str(source), "-f", "svg", "--layout", "builtin", "--no-findings"],
            )
        )
        rows.append(
            (
                "svg, designer's layout, findings",
                [design, "graph", str(source), "-f", "svg", "--layout", "builtin"],
            )
        )
        if shutil.which("dot"):
            rows.append(
                (
                    "svg, Graphviz, no findings",
                    [design, "graph", str(source), "-f", "svg", "--layout", "graphviz", "--no-findings"],
                )
            )
            rows.append(("png, Graphviz, findings", [design, "graph", str(source), "-f", "png"]))
        else:
            print("(Graphviz's dot is not installed: its rows are left out)")
        peer = None
        print(f"{args.components} components, {args.repeat} runs each (fresh process per run)")
        for label, command in rows:
            if "-f" in command and command[command.index("-f") + 1] in ("svg", "png"):
                suffix = command[command.index("-f") + 1]
                command = [*command, "-o", str(Path(folder) / f"out.{suffix}"), "--force"]
            best, worst, cpu = _time(command, args.repeat)
            peer = peer or cpu
            print(
                f"  {label:<38} wall {best * 1000:5.0f}-{worst * 1000:5.0f} ms  cpu {cpu * 1000:5.0f} ms"
                f"  x{cpu / peer:4.1f} of the peer's cpu"
            )


if __name__ == "__main__":
    main()
