// The layered layout of `design ui`: one column per wave (what `design graph` calls waves: components
// whose dependencies all sit in earlier columns), and inside a column an order that keeps edges short.
// Why not dagre or ELK: their ranking does not keep waves as columns, and on 1,000 components they
// take seconds; this runs in a few milliseconds and the positions go to cytoscape's preset layout.

const COLUMN = 260;
const ROW = 70;
const SWEEPS = 4;

// nodes: [{name, wave}], edges: [{from, to}] -> Map(name -> {x, y})
export function wavePositions(nodes, edges) {
  const columns = [];
  for (const node of nodes) (columns[node.wave] ||= []).push(node.name);
  const up = new Map(nodes.map((n) => [n.name, []]));
  const down = new Map(nodes.map((n) => [n.name, []]));
  for (const e of edges) {
    if (!up.has(e.to) || !down.has(e.from)) continue;
    up.get(e.to).push(e.from);
    down.get(e.from).push(e.to);
  }
  const rank = new Map();
  const reindex = (column) => column.forEach((name, i) => rank.set(name, i));
  columns.forEach((column) => column && reindex(column));
  // Barycentre sweeps: order each column by the mean row of its neighbours in the previous
  // (left-to-right) or next (right-to-left) column; ties keep the engine's order.
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const forward = sweep % 2 === 0;
    const indices = [...columns.keys()];
    if (!forward) indices.reverse();
    for (const c of indices) {
      const column = columns[c];
      if (!column) continue;
      const neighbours = forward ? up : down;
      const key = new Map(
        column.map((name, i) => {
          const near = neighbours.get(name).filter((n) => rank.has(n));
          const mean = near.length ? near.reduce((sum, n) => sum + rank.get(n), 0) / near.length : i;
          return [name, mean];
        }),
      );
      column.sort((a, b) => key.get(a) - key.get(b) || rank.get(a) - rank.get(b));
      reindex(column);
    }
  }
  const tallest = Math.max(1, ...columns.map((c) => (c ? c.length : 0)));
  const positions = new Map();
  columns.forEach((column, c) => {
    if (!column) return;
    const offset = ((tallest - column.length) * ROW) / 2;
    column.forEach((name, i) => positions.set(name, { x: c * COLUMN, y: offset + i * ROW }));
  });
  return positions;
}
