"""Docker Compose files → designs, for `design import --from compose` (Meshery converts Compose with
kompose; this does what kompose does for the common keys and says what it leaves out).

`document` reads a file as Compose does (interpolation, the Compose Specification's schema and its
loader's rules, every error at its file:line), `canonical` expands the short syntaxes, `converting`
turns services into workloads (`workloads`, `containers`), Services (`networking`) and storage,
configuration and secrets (`storage`), and `notes` records each key not converted, at its position.
Callers: designer.importing.reading.
"""
