"""Adapters: plugins that render components into Kubernetes objects and know their readiness.

Built-ins (kubernetes, istio, linkerd, performance) register through designer's own pyproject entry points in the
group ``designer.adapters``, exactly as a third-party package would.
"""
