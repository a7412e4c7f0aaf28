"""`design export`: designs out to other tools: Meshery (v1beta1 designs and legacy patterns) and plain
Kubernetes manifests.

`meshery` writes the formats designer.loading reads back (designer.loading.meshery_design and
.meshery), so `design import (design export P --to meshery)` gives P again, component for component;
`names` maps API groups to Meshery's model names. Callers: designer.cli.exporting.
"""
