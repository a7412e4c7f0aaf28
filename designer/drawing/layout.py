"""Places a scene's nodes: one column per wave (left to right, as apply runs), nodes in a column
ordered to cross few arcs (barycentre sweeps, the usual heuristic for layered drawings), and
arcs as curves from a node's right side to its dependent's left side.

Linear in nodes and arcs per sweep: a 1,000-component design is placed in milliseconds. Callers:
designer.drawing.svg.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.drawing.scene import Scene

NODE_WIDTH = 200
NODE_HEIGHT = 46
COLUMN_GAP = 110
ROW_GAP = 18
MARGIN = 24
HEADER = 64  # title and wave labels above the columns
SWEEPS = 4


@dataclass(frozen=True, slots=True)
class Box:
    """Where a node is drawn (top-left corner)."""

    x: float
    y: float


@dataclass(frozen=True)
class Placement:
    """Every node's box and the picture's size."""

    boxes: dict[str, Box]
    columns: list[list[str]]
    width: float
    height: float


def place(scene: Scene) -> Placement:
    """Columns by wave, ordered by the barycentre of their neighbours in the previous/next column."""
    columns = [list(wave) for wave in scene.waves]
    predecessors: dict[str, list[str]] = {name: [] for name in scene.nodes}
    successors: dict[str, list[str]] = {name: [] for name in scene.nodes}
    for arc in scene.arcs:
        predecessors[arc.target].append(arc.source)
        successors[arc.source].append(arc.target)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        indices = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for i in indices:
            rank = {name: r for column in columns for r, name in enumerate(column)}
            neighbours = predecessors if forward else successors
            columns[i] = _by_barycentre(columns[i], neighbours, rank)
    tallest = max((len(c) for c in columns), default=0)
    height = HEADER + MARGIN + tallest * (NODE_HEIGHT + ROW_GAP)
    boxes: dict[str, Box] = {}
    for i, column in enumerate(columns):
        x = MARGIN + i * (NODE_WIDTH + COLUMN_GAP)
        offset = (tallest - len(column)) * (NODE_HEIGHT + ROW_GAP) / 2  # centre short columns
        for r, name in enumerate(column):
            boxes[name] = Box(x, HEADER + offset + r * (NODE_HEIGHT + ROW_GAP))
    width = MARGIN * 2 + max(len(columns), 1) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP
    return Placement(boxes, columns, max(width, 480), max(height, HEADER + NODE_HEIGHT + MARGIN))


def _by_barycentre(column: list[str], neighbours: dict[str, list[str]], rank: dict[str, int]) -> list[str]:
    def key(item: tuple[int, str]) -> tuple[float, int]:
        position, name = item
        linked = [rank[n] for n in neighbours[name] if n in rank]
        return (sum(linked) / len(linked) if linked else float(position), position)

    return [name for _, name in sorted(enumerate(column), key=key)]
