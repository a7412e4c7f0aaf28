// Stable colours for kinds and adapters (the same name always gets the same colour).
const PALETTE = [
  "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948",
  "#9c755f", "#bab0ac", "#e15759", "#86bcb6", "#8cd17d", "#d4a6c8",
];

export function colorOf(name) {
  let hash = 0;
  for (const ch of String(name || "")) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

export const SEVERITY_COLORS = {
  critical: "#7b1fa2",
  high: "#c62828",
  medium: "#ef6c00",
  low: "#f9a825",
  info: "#607d8b",
};
