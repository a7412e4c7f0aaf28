"""A scene drawn by Graphviz's ``dot`` (SVG or PNG), when it is installed: the same nodes, colours,
badges and dashed inferred arcs as the built-in drawing, one rank per wave, laid out by dot.

designer runs the ``dot`` program itself (the Python ``graphviz`` package is a wrapper around the same
call, so it adds nothing here). Callers: designer.cli.graph.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from xml.sax.saxutils import escape

from designer.drawing.scene import Scene
from designer.drawing.style import FONT, SEVERITY_COLOURS, kind_colour
from designer.errors import DesignerError

TIMEOUT_S = 60.0
INSTALL_HINT = "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"


def available() -> str | None:
    """The path of ``dot``, or None."""
    return shutil.which("dot")


def source(scene: Scene) -> str:
    """The dot source of ``scene``."""
    font = FONT.split(",")[0]
    lines = [
        "digraph design {",
        '  graph [rankdir=LR, nodesep=0.25, ranksep=0.9, bgcolor="white", dpi=72, '
        f"fontname={_q(font)}, fontsize=14, labelloc=t, labeljust=l, label={_q(scene.title)}];",
        f'  node [shape=box, style="rounded,filled", fontname={_q(font)}, fontsize=11, width=2.4, height=0.6];',
        f'  edge [color="#6b7280", arrowsize=0.7, fontname={_q(font)}];',
    ]
    for wave in scene.waves:
        lines.append("  { rank=same; " + " ".join(_q(n) for n in wave) + " }")
    for wave in scene.waves:
        for name in wave:
            node = scene.nodes[name]
            label = (
                f'<B>{escape(name)}</B><BR/><FONT POINT-SIZE="9">{escape(node.kind)}'
                + (f" · {escape(node.namespace)}" if node.namespace else "")
                + "</FONT>"
            )
            attrs = [f"fillcolor={_q(kind_colour(node.kind, node.api_version))}"]
            worst = node.worst
            if worst is not None:
                count = node.finding_count
                noun = "finding" if count == 1 else "findings"
                label += (
                    f'<BR/><FONT POINT-SIZE="9" COLOR="{SEVERITY_COLOURS[worst]}">'
                    f"<B>● {count} {noun}, worst {worst}</B></FONT>"
                )
                attrs.append(f"color={_q(SEVERITY_COLOURS[worst])}")
                if worst in ("critical", "high"):
                    attrs.append("penwidth=2.2")
            else:
                attrs.append(f"color={_q('#9ca3af')}")
            attrs.insert(0, f"label=<{label}>")
            lines.append(f"  {_q(name)} [{', '.join(attrs)}];")
    for arc in scene.arcs:
        style = "" if arc.explicit else ", style=dashed"
        lines.append(f"  {_q(arc.source)} -> {_q(arc.target)} [tooltip={_q(arc.reason)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(scene: Scene, fmt: str) -> bytes:
    """``scene`` drawn by dot as ``fmt`` (svg or png); DesignerError when dot is missing or fails."""
    dot = available()
    if dot is None:
        raise DesignerError(
            f"drawing {fmt.upper()} needs Graphviz's dot, which is not on PATH", hint=INSTALL_HINT
        )
    try:
        done = subprocess.run(
            [dot, f"-T{fmt}"],
            input=source(scene).encode(),
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DesignerError(f"dot failed: {exc}", hint=INSTALL_HINT) from exc
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise DesignerError(
            f"dot failed: {message[-1] if message else done.returncode}", hint="please report it"
        )
    return done.stdout


def _q(text: str) -> str:
    # dot's quoted strings take JSON's escapes for quotes and backslashes; \n is dot's line break.
    return json.dumps(text, ensure_ascii=False)
