"""designer's simulated kubelet (the way KWOK does it): a real API client that plays the node side.

It registers one Ready Node, binds every pending pod that asks for the default scheduler to it (so no
kube-scheduler is needed), writes the pods' status (podstatus.py), finishes graceful deletions (a
pod being deleted is removed at once, as a kubelet does when its containers stopped), and acts as a
tiny storage provisioner: each pending PersistentVolumeClaim gets a pre-bound hostPath
PersistentVolume, which kube-controller-manager's binder then marks Bound. Runs as its own process
(``python -m designer.sandbox.upstream.kubelet --kubeconfig K --node N``), started and stopped by
designer.sandbox.upstream.controlplane; talks HTTPS with aiohttp and a client certificate.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import ssl
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from designer.sandbox.upstream import podstatus

LOG = logging.getLogger("designer.kubelet")
KubeObject = dict[str, Any]
MERGE = {"Content-Type": "application/merge-patch+json"}


class Kubelet:
    """One simulated node and the pods bound to it."""

    def __init__(self, http: aiohttp.ClientSession, server: str, node: str) -> None:
        self.http = http
        self.server = server
        self.node = node
        self.next_ip = 0
        self.busy: set[str] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    async def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        async with self.http.request(
            method,
            f"{self.server}{path}",
            data=None if body is None else json.dumps(body),
            headers=headers or ({"Content-Type": "application/json"} if body is not None else None),
        ) as response:
            text = await response.text()
            if response.status >= 400 and response.status not in (404, 409):
                LOG.warning("%s %s: %s %s", method, path, response.status, text[:300])
            return json.loads(text) if text.startswith("{") else {}

    # -- node --------------------------------------------------------------------------------------

    async def register(self) -> None:
        version = (await self.request("GET", "/version")).get("gitVersion", "v0.0.0")
        labels = {
            "kubernetes.io/hostname": self.node,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
        }
        await self.request(
            "POST",
            "/api/v1/nodes",
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": self.node, "labels": labels}},
        )
        # TaintNodesByCondition admission taints a new node not-ready; this node is ready from the start.
        await self.request("PATCH", f"/api/v1/nodes/{self.node}", {"spec": {"taints": None}}, MERGE)
        await self.request(
            "PATCH", f"/api/v1/nodes/{self.node}/status", {"status": podstatus.node_status(version)}, MERGE
        )

    # -- watching ----------------------------------------------------------------------------------

    async def watch(self, path: str, handle: Callable[[str, KubeObject], Awaitable[None]]) -> None:
        """List, then watch from the list's resourceVersion; re-list when the watch expires (410)."""
        while True:
            listed = await self.request("GET", path)
            for item in listed.get("items") or []:
                self.spawn(handle("ADDED", item))
            version = (listed.get("metadata") or {}).get("resourceVersion", "")
            async for kind, obj in self._events(path, version):
                self.spawn(handle(kind, obj))

    async def _events(self, path: str, version: str) -> AsyncIterator[tuple[str, KubeObject]]:
        url = f"{self.server}{path}?watch=1&allowWatchBookmarks=true&resourceVersion={version}"
        timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
        async with self.http.get(url, timeout=timeout) as response:
            async for line in response.content:
                if not line.strip():
                    continue
                event = json.loads(line)
                if event.get("type") == "ERROR":
                    return
                if event.get("type") != "BOOKMARK":
                    yield event["type"], event["object"]

    def spawn(self, work: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # -- pods --------------------------------------------------------------------------------------

    async def on_pod(self, event: str, pod: KubeObject) -> None:
        meta, spec = pod["metadata"], pod.get("spec", {})
        uid = meta["uid"]
        path = f"/api/v1/namespaces/{meta['namespace']}/pods/{meta['name']}"
        if event == "DELETED":
            return
        if meta.get("deletionTimestamp"):
            if spec.get("nodeName") == self.node:
                body = {"gracePeriodSeconds": 0, "preconditions": {"uid": uid}}
                await self.request("DELETE", path, body)
            return
        if uid in self.busy:
            return
        self.busy.add(uid)
        try:
            if not spec.get("nodeName"):
                if spec.get("schedulerName", "default-scheduler") != "default-scheduler":
                    return
                binding = {
                    "apiVersion": "v1",
                    "kind": "Binding",
                    "metadata": {"name": meta["name"], "namespace": meta["namespace"], "uid": uid},
                    "target": {"apiVersion": "v1", "kind": "Node", "name": self.node},
                }
                await self.request("POST", f"{path}/binding", binding)
            elif spec["nodeName"] != self.node or podstatus.reported(pod):
                return
            status = podstatus.pod_status(pod, self._pod_ip())
            await self.request("PATCH", f"{path}/status", {"status": status}, MERGE)
        finally:
            self.busy.discard(uid)

    def _pod_ip(self) -> str:
        self.next_ip += 1
        return f"10.244.{self.next_ip // 250}.{self.next_ip % 250 + 2}"

    # -- storage -----------------------------------------------------------------------------------

    async def on_claim(self, event: str, claim: KubeObject) -> None:
        meta, spec = claim["metadata"], claim.get("spec", {})
        volume = f"pvc-{meta['uid']}"
        if event == "DELETED":
            await self.request("DELETE", f"/api/v1/persistentvolumes/{volume}")
            return
        if spec.get("volumeName") or meta.get("deletionTimestamp"):
            return
        size = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        pv = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": {
                "name": volume,
                "annotations": {"pv.kubernetes.io/provisioned-by": "designer-sandbox"},
            },
            "spec": {
                "capacity": {"storage": size},
                "accessModes": spec.get("accessModes") or ["ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": spec.get("storageClassName") or "",
                "volumeMode": spec.get("volumeMode") or "Filesystem",
                "hostPath": {"path": f"{tempfile.gettempdir()}/designer-sandbox/{volume}"},
                "claimRef": {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "namespace": meta["namespace"],
                    "name": meta["name"],
                    "uid": meta["uid"],
                },
            },
        }
        await self.request("POST", "/api/v1/persistentvolumes", pv)
        path = f"/api/v1/namespaces/{meta['namespace']}/persistentvolumeclaims/{meta['name']}"
        await self.request("PATCH", path, {"spec": {"volumeName": volume}}, MERGE)


def _ssl_context(config: dict[str, Any]) -> tuple[str, ssl.SSLContext]:
    """The server and a TLS context from a kubeconfig the control plane wrote (CA data, cert files)."""
    cluster = config["clusters"][0]["cluster"]
    user = config["users"][0]["user"]
    context = ssl.create_default_context(
        cadata=base64.b64decode(cluster["certificate-authority-data"]).decode()
    )
    context.load_cert_chain(user["client-certificate"], user["client-key"])
    return cluster["server"], context


async def run(kubeconfig: Path, node: str) -> None:
    server, context = _ssl_context(yaml.safe_load(kubeconfig.read_text(encoding="utf-8")))
    connector = aiohttp.TCPConnector(ssl=context, limit=16)
    async with aiohttp.ClientSession(connector=connector, headers={"User-Agent": "designer-kubelet"}) as http:
        kubelet = Kubelet(http, server, node)
        await kubelet.register()
        LOG.info("node %s registered", node)
        await asyncio.gather(
            kubelet.watch("/api/v1/pods", kubelet.on_pod),
            kubelet.watch("/api/v1/persistentvolumeclaims", kubelet.on_claim),
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kubeconfig", type=Path, required=True)
    parser.add_argument("--node", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        asyncio.run(run(args.kubeconfig, args.node))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
