"""Which workloads a sandbox makes fail, on purpose, so tests can drive the failure paths.

One convention for both engines: an object annotated ``sandbox.designer.dev/fail: "true"`` (on itself
or on its pod template), or whose pod template (or pod) runs an image tagged ``fail`` or ``…-fail``
(``shop/api:fail``). The emulator's toy controllers then report failure (ProgressDeadlineExceeded, a
failed Job); the real control plane's simulated kubelet never starts such a pod (ErrImagePull; a Job's
pod exits 1) and the real controllers draw the same conclusions.
Callers: designer.sandbox.controllers, designer.sandbox.upstream.podstatus.
"""

from __future__ import annotations

from typing import Any

FAIL_ANNOTATION = "sandbox.designer.dev/fail"


def failing_image(image: str) -> bool:
    tag = image.rsplit("/", 1)[-1].partition("@")[0].partition(":")[2]
    return tag == "fail" or tag.endswith("-fail")


def _annotated(metadata: Any) -> bool:
    annotations = (metadata or {}).get("annotations") or {}
    return str(annotations.get(FAIL_ANNOTATION, "")).lower() == "true"


def fails(obj: dict[str, Any]) -> bool:
    """Whether ``obj`` (a Pod, or a workload with a pod template) is meant to fail."""
    if _annotated(obj.get("metadata")):
        return True
    spec = obj.get("spec") or {}
    template = spec.get("template") or spec.get("jobTemplate", {}).get("spec", {}).get("template") or {}
    if template:
        if _annotated(template.get("metadata")):
            return True
        spec = template.get("spec") or {}
    containers = (spec.get("initContainers") or []) + (spec.get("containers") or [])
    return any(failing_image(str(c.get("image", ""))) for c in containers if isinstance(c, dict))
