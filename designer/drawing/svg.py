"""A scene drawn as SVG by designer itself (no Graphviz needed): columns per wave, nodes coloured by
kind family, a badge with the number of findings in the colour of the worst, arcs dashed when
inferred, each with its reason as a tooltip, and a legend. Text is escaped; the output is the same
bytes for the same design. Callers: designer.cli.graph.
"""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape, quoteattr

from designer.drawing.layout import COLUMN_GAP, MARGIN, NODE_HEIGHT, NODE_WIDTH, Placement, place
from designer.drawing.scene import Node, Scene
from designer.drawing.style import FONT, SEVERITIES, SEVERITY_COLOURS, kind_colour, legend

_MAX_NAME = 26  # characters that fit a node's width in bold 12px text
_MAX_KIND = 32  # and in 10px text


def _fit(text: str, limit: int) -> str:
    """``text``, cut with an ellipsis when longer than ``limit`` (the tooltip has it whole)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def draw(scene: Scene) -> str:
    """The SVG document of ``scene``."""
    placed = place(scene)
    legend_height = 28
    height = placed.height + legend_height
    key, key_width = _legend(scene, placed.height + 6)
    width = max(placed.width, key_width + MARGIN)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family={quoteattr(FONT)}>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4b5563"/>'
        "</marker></defs>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="26" font-size="16" font-weight="bold" fill="#111827">{escape(scene.title)}</text>',
        f'<text x="{MARGIN}" y="44" font-size="11" fill="#4b5563">{escape(_summary(scene))}</text>',
    ]
    for i, _ in enumerate(placed.columns):
        x = MARGIN + i * (NODE_WIDTH + COLUMN_GAP) + NODE_WIDTH / 2
        out.append(
            f'<text x="{x:.0f}" y="58" font-size="10" fill="#6b7280" text-anchor="middle">wave {i + 1}</text>'
        )
    out.extend(_arcs(scene, placed))
    out.extend(_node(scene.nodes[name], placed) for column in placed.columns for name in column)
    out.extend(key)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _summary(scene: Scene) -> str:
    total = sum(n.finding_count for n in scene.nodes.values())
    parts = [f"{len(scene.nodes)} components", f"{len(scene.arcs)} edges", f"{len(scene.waves)} waves"]
    if scene.checked:
        parts.append(f"{total} findings" if total else "no findings")
    return " · ".join(parts)


def _ports(scene: Scene, placed: Placement) -> dict[tuple[str, str], tuple[float, float]]:
    """Where each arc leaves its source and reaches its target: spread over the node's side in the
    order of the other ends, so arcs of a busy node neither meet at one point nor cross at it."""
    outgoing: dict[str, list[str]] = {}
    incoming: dict[str, list[str]] = {}
    for arc in scene.arcs:
        outgoing.setdefault(arc.source, []).append(arc.target)
        incoming.setdefault(arc.target, []).append(arc.source)
    ports: dict[tuple[str, str], tuple[float, float]] = {}
    for arc in scene.arcs:
        ports[arc.source, arc.target] = (
            _spread(placed, arc.source, outgoing[arc.source], arc.target),
            _spread(placed, arc.target, incoming[arc.target], arc.source),
        )
    return ports


def _spread(placed: Placement, name: str, others: list[str], other: str) -> float:
    box = placed.boxes[name]
    if len(others) == 1:
        return box.y + NODE_HEIGHT / 2
    ordered = sorted(others, key=lambda n: (placed.boxes[n].y, n))
    step = NODE_HEIGHT * 0.7 / (len(ordered) - 1)
    return box.y + NODE_HEIGHT * 0.15 + ordered.index(other) * step


def _arcs(scene: Scene, placed: Placement) -> list[str]:
    out = []
    ports = _ports(scene, placed)
    for arc in scene.arcs:
        a, b = placed.boxes[arc.source], placed.boxes[arc.target]
        y1, y2 = ports[arc.source, arc.target]
        points = [(a.x + NODE_WIDTH, y1)]
        for x, y in placed.waypoints.get((arc.source, arc.target), []):
            points += [(x - NODE_WIDTH / 2, y), (x + NODE_WIDTH / 2, y)]  # straight through the column
        points.append((b.x, y2))
        path = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
        for i, ((x1, y1), (x2, y2)) in enumerate(itertools.pairwise(points)):
            if i % 2 == 1:  # across a column it passes through
                path.append(f"L{x2:.1f},{y2:.1f}")
                continue
            bend = max((x2 - x1) / 2, 20)
            path.append(f"C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
        dash = "" if arc.explicit else ' stroke-dasharray="5 4"'
        out.append(
            f'<path d="{" ".join(path)}" fill="none" stroke="#6b7280" stroke-width="1.2"{dash} '
            f'marker-end="url(#arrow)"><title>{escape(f"{arc.source} → {arc.target}: {arc.reason}")}</title></path>'
        )
    return out


def _node(node: Node, placed: Placement) -> str:
    box = placed.boxes[node.name]
    worst = node.worst
    stroke = SEVERITY_COLOURS[worst] if worst in ("critical", "high") else "#9ca3af"
    width = 2.2 if worst in ("critical", "high") else 1
    name = _fit(node.name, _MAX_NAME)
    kind = _fit(node.kind + (f" · {node.namespace}" if node.namespace else ""), _MAX_KIND)
    tip = f"{node.name} ({node.kind})" + "".join(
        f"\n{count} {severity}" for severity in SEVERITIES if (count := node.findings.get(severity))
    )
    parts = [
        f"<g><title>{escape(tip)}</title>",
        f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="7" '
        f'fill="{kind_colour(node.kind, node.api_version)}" stroke="{stroke}" stroke-width="{width}"/>',
        f'<text x="{box.x + 10:.1f}" y="{box.y + 19:.1f}" font-size="12" font-weight="bold" fill="#111827">'
        f"{escape(name)}</text>",
        f'<text x="{box.x + 10:.1f}" y="{box.y + 35:.1f}" font-size="10" fill="#374151">{escape(kind)}</text>',
    ]
    if worst is not None:
        cx, cy = box.x + NODE_WIDTH - 4, box.y + 4
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="10" fill="{SEVERITY_COLOURS[worst]}"/>'
            f'<text x="{cx:.1f}" y="{cy + 3.5:.1f}" font-size="10" font-weight="bold" fill="#ffffff" '
            f'text-anchor="middle">{node.finding_count}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _legend(scene: Scene, y: float) -> tuple[list[str], float]:
    """The legend's elements and the x where it ends."""
    out = []
    x = float(MARGIN)
    for label, colour in legend():
        out.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="12" height="12" rx="2" fill="{colour}" stroke="#9ca3af"/>'
        )
        out.append(
            f'<text x="{x + 16:.0f}" y="{y + 10:.0f}" font-size="10" fill="#374151">{escape(label)}</text>'
        )
        x += 22 + 6.2 * len(label)
    if scene.checked:
        for severity in SEVERITIES:
            out.append(
                f'<circle cx="{x + 6:.0f}" cy="{y + 6:.0f}" r="6" fill="{SEVERITY_COLOURS[severity]}"/>'
            )
            out.append(
                f'<text x="{x + 15:.0f}" y="{y + 10:.0f}" font-size="10" fill="#374151">{severity}</text>'
            )
            x += 24 + 6.2 * len(severity)
    note = "dashed: inferred edge"
    out.append(f'<text x="{x + 4:.0f}" y="{y + 10:.0f}" font-size="10" fill="#374151">{note}</text>')
    return out, x + 10 + 6.2 * len(note)
