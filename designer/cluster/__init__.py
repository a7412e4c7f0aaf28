"""Talking to a Kubernetes API: the `Cluster` protocol, its kubernetes-client implementation,
API error translation and designer's inventory of applied objects.

`design diff` and `design apply` depend on `designer.cluster.base.Cluster` only; the concrete
client (`designer.cluster.kube`) is the sole importer of the ``kubernetes`` package and is imported
lazily through `designer.cluster.connect`, so commands that never reach a cluster stay fast.
"""

from __future__ import annotations
