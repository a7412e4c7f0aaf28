"""A catalog in an OCI registry: each design version is an OCI artifact pushed and pulled with oras.

``oci://HOST[:PORT]/NAMESPACE`` holds one repository per design (NAMESPACE/NAME), one tag per
version. The manifest's config blob (application/vnd.designer.config.v1+json) is the package's
metadata, so listing needs no archive download; the single layer
(application/vnd.designer.design.v1.tar+gzip) is the package itself, and its digest is what pulls
verify. The only module that imports oras and requests; their errors become CatalogError.
Plain HTTP is used for localhost registries or when the source says so. Callers:
designer.catalog.sources.config.
"""

from __future__ import annotations

import functools
import json
import tempfile
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import oras.provider
import requests
import requests.adapters

from designer import fetching
from designer.catalog import artifacthub, entries, indexfile, names, packaging, versions
from designer.catalog.sources import base
from designer.errors import CatalogError

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
PROBE_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = (10.0, 30.0)
"""Connect and read timeouts of each request oras makes (it sets none); fetching's deadline bounds
each whole operation, oras's retries included."""
MAX_PAGES = 1000
"""Pages of the repository list followed at most (a registry whose next link loops ends here)."""
_LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


@dataclass(slots=True)
class OciSource:
    """Designs stored as OCI artifacts under ``oci://host/namespace``."""

    name: str
    url: str
    plain_http: bool | None = None
    _client: Any = field(default=None, init=False, repr=False)
    _probed: bool = field(default=False, init=False, repr=False)
    _skipped: list[str] = field(default_factory=list, init=False, repr=False)

    @property
    def host(self) -> str:
        """HOST[:PORT] of the registry."""
        return urllib.parse.urlsplit(self.url).netloc

    @property
    def namespace(self) -> str:
        """The repository prefix designs are stored under."""
        return urllib.parse.urlsplit(self.url).path.strip("/")

    def _plain(self) -> bool:
        if self.plain_http is not None:
            return self.plain_http
        return self.host.rsplit(":", 1)[0] in _LOCAL_HOSTS

    def repository(self, name: str) -> str:
        """The repository path of design ``name`` (checked: a name never adds path segments)."""
        names.check("name", name, origin=self.url)
        return f"{self.namespace}/{name}" if self.namespace else name

    def reference(self, name: str, version: str) -> str:
        """HOST/NAMESPACE/NAME:TAG (OCI tags cannot hold '+', so build metadata uses '_')."""
        names.check("version", version, origin=self.url)
        return f"{self.host}/{self.repository(name)}:{version.replace('+', '_')}"

    def skipped(self) -> list[str]:
        """Artifacts that listing skipped: bad repository names or metadata breaking the schema."""
        return list(self._skipped)

    def _registry(self) -> Any:
        if self._client is None:
            self._client = oras.provider.Registry(hostname=self.host, insecure=self._plain())
            adapter = _TimeoutAdapter()  # oras passes no timeout: a silent registry would hang a read
            self._client.session.mount("http://", adapter)
            self._client.session.mount("https://", adapter)
            # oras retries every failed request five times with sleeps of 3 s to 83 s; each operation
            # here has one deadline instead, so its undecorated request method is used (functools.wraps
            # keeps it as __wrapped__; without it, the retries stay and the deadline still holds).
            undecorated = getattr(type(self._client).do_request, "__wrapped__", None)
            if undecorated is not None:
                self._client.do_request = functools.partial(undecorated, self._client)
        if not self._probed:
            self._probe()
        return self._client

    def _base_url(self) -> str:
        return f"{'http' if self._plain() else 'https'}://{self.host}"

    def _probe(self) -> None:
        # oras retries failed requests with growing sleeps (minutes in total); a quick probe turns
        # a registry that is down into an immediate, clear error.
        try:
            response = self._client.session.get(f"{self._base_url()}/v2/", timeout=PROBE_TIMEOUT_S)
        except requests.RequestException as exc:
            raise CatalogError(
                f"cannot reach OCI registry {self.host}: {exc.__class__.__name__}",
                hint="is the registry running? for a plain-HTTP registry use add-source --plain-http",
            ) from exc
        if response.status_code not in (200, 401):
            raise CatalogError(
                f"{self.host} does not look like an OCI registry (HTTP {response.status_code})"
            )
        self._probed = True

    def _call(self, what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        """``func(*args, **kwargs)`` within one deadline (oras retries with sleeps), errors mapped."""
        seconds = fetching.deadline_s()
        return fetching.within(
            seconds,
            lambda: self._mapped(what, func, *args, **kwargs),
            late=lambda: fetching.late_error(f"{self.name}: {what}", seconds, _LateError),
        )

    def _mapped(self, what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CatalogError:
            raise
        except (requests.RequestException, ValueError, OSError) as exc:
            raise CatalogError(f"{self.name}: {what} failed: {exc}", hint=f"registry {self.host}") from exc

    def _repositories(self) -> list[str]:
        registry = self._registry()
        url: str | None = f"{self._base_url()}/v2/_catalog?n=1000"
        found: list[str] = []
        prefix = f"{self.namespace}/" if self.namespace else ""
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = self._call("listing repositories", registry.session.get, url, timeout=30)
            if response.status_code != 200:
                raise CatalogError(
                    f"{self.host} does not list its repositories (HTTP {response.status_code})",
                    hint="pull by name instead: `design catalog pull NAME@VERSION`",
                )
            listing = self._call("reading the repository list", response.json)
            repos = listing.get("repositories") if isinstance(listing, dict) else None
            for repo in repos if isinstance(repos, list) else []:
                if not isinstance(repo, str):
                    continue
                rest = repo[len(prefix) :] if repo.startswith(prefix) else None
                if not rest or "/" in rest:
                    continue  # outside the namespace, or nested below it
                if names.is_valid("name", rest):
                    found.append(rest)
                else:
                    self._skipped.append(f"{self.url}: repository {repo!r} skipped: not a catalog name")
            link = response.links.get("next", {}).get("url")
            url = urllib.parse.urljoin(url, link) if link else None
        return sorted(found)

    def _tags(self, name: str) -> list[str]:
        container = f"{self.host}/{self.repository(name)}"  # the name is checked before any request
        registry = self._registry()
        response = self._call(
            "listing tags", registry.do_request, f"{self._base_url()}/v2/{self.repository(name)}/tags/list"
        )
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise CatalogError(
                f"{self.name}: listing tags of {container} failed (HTTP {response.status_code})"
            )
        listing = self._call(f"reading tags of {container}", response.json)
        tags = listing.get("tags") if isinstance(listing, dict) else None
        found = [t.replace("_", "+") for t in tags or [] if isinstance(t, str)]
        return [t for t in found if names.is_valid("version", t)]

    def _entry(self, name: str, version: str) -> entries.CatalogEntry | None:
        registry = self._registry()
        ref = self.reference(name, version)
        manifest = self._call(f"reading manifest {ref}", registry.get_manifest, ref, [OCI_MANIFEST])
        try:
            config = manifest.get("config") or {}
            layers = [
                la for la in manifest.get("layers") or [] if la.get("mediaType") == packaging.MEDIA_TYPE
            ]
            if config.get("mediaType") != packaging.CONFIG_MEDIA_TYPE or len(layers) != 1:
                return None  # some other artifact shares the repository
            config_digest, layer = str(config["digest"]), layers[0]
            layer_digest, layer_size = str(layer["digest"]), int(layer["size"])
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise CatalogError(
                f"{ref}: malformed manifest ({exc.__class__.__name__})", hint="refused"
            ) from exc
        content = self._blob(ref, config_digest, limit=indexfile.MAX_INDEX_BYTES // 64, what="config blob")
        if packaging.digest_of(content) != config_digest:
            raise CatalogError(f"{ref}: config blob does not match its digest", hint="refused")
        meta = self._call(f"parsing config of {ref}", json.loads, content)
        if not isinstance(meta, dict):
            raise CatalogError(f"{ref}: config blob is not a JSON object", hint="refused")
        data = {key: meta[key] for key in ("description", "type", "tags", "meshes", "file") if key in meta}
        data.update(name=name, version=version, digest=layer_digest, size=layer_size, archive=ref)
        return indexfile.entry_from_untrusted(data, origin=ref)

    def _blob(self, ref: str, digest: str, *, limit: int, what: str) -> bytes:
        """A blob streamed by digest, refused past ``limit`` bytes (whatever the manifest claimed),
        within one deadline for the whole download."""
        seconds = fetching.deadline_s()
        opened: list[requests.Response] = []
        return fetching.within(
            seconds,
            lambda: self._read_blob(ref, digest, limit, what, opened),
            late=lambda: fetching.late_error(
                f"{self.name}: downloading {what} of {ref}", seconds, _LateError
            ),
            abandon=lambda: _close_all(opened),
        )

    def _read_blob(
        self, ref: str, digest: str, limit: int, what: str, opened: list[requests.Response]
    ) -> bytes:
        registry = self._registry()
        response = self._mapped(f"downloading {what} of {ref}", registry.get_blob, ref, digest, True)
        opened.append(response)
        with response:
            if response.status_code != 200:
                raise CatalogError(f"{ref}: {what} download failed (HTTP {response.status_code})")
            chunks: list[bytes] = []
            total = 0
            try:
                for chunk in response.iter_content(chunk_size=65536):
                    total += len(chunk)
                    if total > limit:
                        raise CatalogError(f"{ref}: {what} is larger than {limit} bytes", hint="refused")
                    chunks.append(chunk)
            except requests.RequestException as exc:
                raise CatalogError(f"{self.name}: downloading {what} of {ref} failed: {exc}") from exc
        return b"".join(chunks)

    def index(self) -> entries.CatalogIndex:
        """Every designer artifact under the namespace (one registry round trip per version)."""
        found: list[entries.CatalogEntry] = []
        for name in self._repositories():
            for tag in self._tags(name):
                try:
                    entry = self._entry(name, tag)
                except _LateError:
                    raise  # a stalling registry: skipping would wait again for every artifact
                except CatalogError as exc:  # one foreign or broken artifact must not hide the rest
                    self._skipped.append(f"{exc.message} (skipped)")
                    continue
                if entry is not None:
                    found.append(entry)
        return entries.CatalogIndex.of(found)

    def resolve(self, ref: str) -> entries.CatalogEntry:
        """Resolve against the tags of one repository only (no full listing)."""
        name, _, wanted = ref.partition("@")
        if wanted not in ("", "latest"):  # both parts become registry paths: checked before any request
            names.check("version", wanted, origin=self.url)
        tags = self._tags(name)
        if not tags:
            raise CatalogError(
                f"no pattern named {name!r} in {self.url}", hint="check the name and the source"
            )
        if wanted in ("", "latest"):
            chosen = versions.latest(tags)
            assert chosen is not None
        else:
            versions.parse(wanted)
            match = [t for t in tags if versions.same(t, wanted)]
            if not match:
                raise CatalogError(
                    f"{name} has no version {wanted} in {self.url}", hint="available: " + ", ".join(tags)
                )
            chosen = match[0]
        entry = self._entry(name, chosen)
        if entry is None:
            raise CatalogError(
                f"{self.reference(name, chosen)} is not a designer artifact", hint="wrong media types"
            )
        return entry

    def versions(self, name: str) -> list[str]:
        """The semver tags of the design's repository, lowest first."""
        return sorted(self._tags(name), key=lambda v: versions.parse(v).sort_key())

    def fetch(self, entry: entries.CatalogEntry) -> bytes:
        """Download the package layer by digest, bounded in size."""
        return self._blob(entry.archive, entry.digest, limit=packaging.MAX_ARCHIVE_BYTES, what="archive")

    def push(self, package: packaging.Package) -> entries.CatalogEntry:
        """Push the package as an OCI artifact tagged with its version (immutable once pushed)."""
        info = package.info
        registry = self._registry()
        existing = self._entry(info.name, info.version) if info.version in self._tags(info.name) else None
        if base.check_republish(existing, package, self.url):
            assert existing is not None
            return existing
        config = (json.dumps(info.as_json(), indent=2, sort_keys=True) + "\n").encode()
        annotations = artifacthub.oci_annotations(package)  # what Artifact Hub and registry UIs read
        with tempfile.TemporaryDirectory(prefix="designer-push-") as tmp:
            archive = Path(tmp) / package.archive_name
            archive.write_bytes(package.data)
            config_path = Path(tmp) / "config.json"
            config_path.write_bytes(config)
            self._call(
                f"pushing {self.reference(info.name, info.version)}",
                registry.push,
                target=self.reference(info.name, info.version),
                files=[f"{archive}:{packaging.MEDIA_TYPE}"],
                manifest_config=f"{config_path}:{packaging.CONFIG_MEDIA_TYPE}",
                manifest_annotations=annotations,
                disable_path_validation=True,
                quiet=True,
            )
        entry = self._entry(info.name, info.version)
        if entry is None or entry.digest != package.digest:
            raise CatalogError(
                f"{self.reference(info.name, info.version)}: the registry did not keep the push"
            )
        return entry


class _LateError(CatalogError):
    """A registry operation missed its deadline."""


class _TimeoutAdapter(requests.adapters.HTTPAdapter):
    """Gives every request of the session a timeout unless the caller chose one."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = REQUEST_TIMEOUT_S
        return super().send(request, **kwargs)


def _close_all(responses: list[requests.Response]) -> None:
    for response in responses:
        response.close()
