"""Pictures of a design's dependency graph, for pull requests (`design graph --format svg|png`).

`scene` turns a DesignGraph (and the findings of the policies, when asked) into what is drawn: nodes
with their kind, wave and findings, arcs with their reason. `layout` places them in columns, one per
wave, ordered to cross few arcs; `svg` draws that as SVG with no other program; `graphviz` hands the
same scene to Graphviz's ``dot`` (SVG or PNG) when it is installed. `style` holds what both share:
colours by kind and by severity. Separate from designer.ui (the browser draws its own graph).
Callers: designer.cli.graph, benchmarks/graph_draw_bench.py.
"""
