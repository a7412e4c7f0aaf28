"""Places a scene's nodes: one column per wave (left to right, as apply runs), nodes in a column
ordered to cross few arcs, and each arc routed between the columns it spans.

The usual layered drawing (Sugiyama's): an arc that skips columns gets a waypoint in each column it
crosses, which takes a thin slot there, so it runs between the nodes instead of through them; each
column is then ordered by the barycentre of its neighbours in the previous column, then the next,
for a few sweeps. Linear in nodes and waypoints per sweep: a 1,000-component design is placed in
milliseconds. Callers: designer.drawing.svg.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from designer.drawing.scene import Scene

NODE_WIDTH = 200
NODE_HEIGHT = 46
COLUMN_GAP = 110
ROW_GAP = 18
WAYPOINT_HEIGHT = 8  # the slot an arc takes in a column it passes through
MARGIN = 24
HEADER = 64  # title and wave labels above the columns
SWEEPS = 4

Item = str | tuple[str, str, int]  # a node's name, or (source, target, column) of an arc's waypoint


@dataclass(frozen=True, slots=True)
class Box:
    """Where a node is drawn (top-left corner)."""

    x: float
    y: float


@dataclass(frozen=True)
class Placement:
    """Every node's box, the waypoints of arcs that skip columns, and the picture's size."""

    boxes: dict[str, Box]
    waypoints: dict[tuple[str, str], list[tuple[float, float]]]
    columns: list[list[str]]
    width: float
    height: float


def place(scene: Scene) -> Placement:
    """Columns by wave, arcs given waypoints, columns ordered by barycentre sweeps."""
    columns: list[list[Item]] = [list(wave) for wave in scene.waves]
    before: dict[Item, list[Item]] = {name: [] for name in scene.nodes}
    after: dict[Item, list[Item]] = {name: [] for name in scene.nodes}
    for arc in scene.arcs:
        chain: list[Item] = [arc.source]
        for crossed in range(scene.nodes[arc.source].wave + 1, scene.nodes[arc.target].wave):
            waypoint = (arc.source, arc.target, crossed)
            columns[crossed].append(waypoint)
            before[waypoint], after[waypoint] = [], []
            chain.append(waypoint)
        chain.append(arc.target)
        for a, b in itertools.pairwise(chain):
            after[a].append(b)
            before[b].append(a)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        indices = range(1, len(columns)) if forward else range(len(columns) - 2, -1, -1)
        for i in indices:
            neighbour = columns[i - 1] if forward else columns[i + 1]
            rank = {item: r for r, item in enumerate(neighbour)}
            columns[i] = _by_barycentre(columns[i], before if forward else after, rank)
    heights = [sum(_slot(item) for item in column) for column in columns]
    tallest = max(heights, default=0)
    boxes: dict[str, Box] = {}
    waypoints: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for i, column in enumerate(columns):
        x = MARGIN + i * (NODE_WIDTH + COLUMN_GAP)
        y = HEADER + (tallest - heights[i]) / 2  # centre short columns
        for item in column:
            if isinstance(item, str):
                boxes[item] = Box(x, y)
            else:
                waypoints.setdefault((item[0], item[1]), []).append(
                    (x + NODE_WIDTH / 2, y + WAYPOINT_HEIGHT / 2)
                )
            y += _slot(item)
    width = MARGIN * 2 + max(len(columns), 1) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP
    names = [[item for item in column if isinstance(item, str)] for column in columns]
    height = HEADER + MARGIN + tallest
    return Placement(boxes, waypoints, names, max(width, 480), max(height, HEADER + NODE_HEIGHT + MARGIN))


def _slot(item: Item) -> float:
    return NODE_HEIGHT + ROW_GAP if isinstance(item, str) else WAYPOINT_HEIGHT


def _by_barycentre(
    column: list[Item], neighbours: dict[Item, list[Item]], rank: dict[Item, int]
) -> list[Item]:
    def key(entry: tuple[int, Item]) -> tuple[float, int]:
        position, item = entry
        linked = [rank[n] for n in neighbours[item] if n in rank]
        return (sum(linked) / len(linked) if linked else float(position), position)

    return [item for _, item in sorted(enumerate(column), key=key)]
