"""Keep a shared control plane as it was: what exists at a snapshot stays, what appears later goes.

The test session runs one real control plane for many tests. After each test `Baseline.sweep`
deletes what the test added (namespaces, CRDs, cluster-wide RBAC and admission webhooks, and the
objects it left in ``default``); before the next one `Baseline.settle` waits until that is gone, so
a test that uses a fixed namespace name (``shop``) never meets the previous test's namespace still
terminating. Sweeping is not awaited, so the deletion (seconds, for a namespace: its controller
re-checks on a timer) overlaps with the emulator tests that run in between.
Caller: designer.sandbox.testing.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

from designer.sandbox.upstream.controlplane import ControlPlane

SWEPT = (
    "/api/v1/namespaces",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
    "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
    "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    "/api/v1/persistentvolumes",
    "/api/v1/namespaces/default/configmaps",
    "/api/v1/namespaces/default/secrets",
    "/api/v1/namespaces/default/services",
    "/api/v1/namespaces/default/serviceaccounts",
    "/apis/apps/v1/namespaces/default/deployments",
    "/apis/batch/v1/namespaces/default/jobs",
)
"""Collections whose new members a test may leave behind (cluster-wide ones, and ``default``)."""
UNIQUE_NAME = re.compile(r"-[0-9a-f]{8}$")
"""Namespaces named ``<prefix>-<8 hex digits>`` (a random suffix) are never reused: `settle` does
not wait for them to finish terminating, only `sweep` deletes them."""
SYSTEM_NAMES = frozenset({"kube-root-ca.crt", "kubernetes", "default"})
"""Objects the control plane itself makes, perhaps after the snapshot: never swept."""


class Baseline:
    """What ``SWEPT`` held at the snapshot."""

    def __init__(self, plane: ControlPlane) -> None:
        self.plane = plane
        self.kept = {path: self._names(path) for path in SWEPT}

    def _request(self, method: str, path: str) -> bytes:
        request = urllib.request.Request(f"{self.plane.url}{path}", method=method)
        try:
            with urllib.request.urlopen(request, timeout=10, context=self.plane.ssl_context) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (404, 409):
                return b"{}"
            raise

    def _names(self, path: str) -> set[str]:
        body = json.loads(self._request("GET", path))
        return {item["metadata"]["name"] for item in body.get("items", [])}

    def leftovers(self) -> dict[str, set[str]]:
        found = {path: self._names(path) - self.kept[path] - SYSTEM_NAMES for path in SWEPT}
        return {path: names for path, names in found.items() if names}

    def sweep(self) -> None:
        """Delete what appeared since the snapshot (without waiting for it to go).

        A namespace's pods are removed at once as well: kube-controller-manager's namespace controller
        looks at a deleted namespace only 5 s after the change (a fixed grace period), and when it still
        finds pods there it waits another round; with the pods gone first, one round finishes it."""
        for path, names in self.leftovers().items():
            for name in names:
                self._request("DELETE", f"{path}/{name}")
                if path == "/api/v1/namespaces":
                    self._request("DELETE", f"{path}/{name}/pods?gracePeriodSeconds=0")

    def blocking(self) -> dict[str, set[str]]:
        """Leftovers a later test could collide with (all but uniquely named namespaces)."""
        left = self.leftovers()
        namespaces = {n for n in left.pop("/api/v1/namespaces", set()) if not UNIQUE_NAME.search(n)}
        return left | ({"/api/v1/namespaces": namespaces} if namespaces else {})

    def settle(self, timeout: float = 120.0) -> None:
        """Wait until nothing remains of what `sweep` deleted (sweeping again meanwhile)."""
        deadline = time.monotonic() + timeout
        while left := self.blocking():
            if time.monotonic() > deadline:
                raise TimeoutError(f"objects left by earlier tests are still there after {timeout} s: {left}")
            self.sweep()
            time.sleep(0.25)
