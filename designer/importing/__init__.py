"""`design import`: Kubernetes manifests, Meshery patterns/designs and Helm charts → native designs.

`reading` gets the input (a file, a folder, an http(s) URL, or a chart rendered by ``helm
template``) into designer's model through designer.loading; `converting` writes the model back as
native designer/v1 documents and checks the result loads. Callers: designer.cli.importing, tests.
"""

from __future__ import annotations
