"""Make two servers' answers comparable: replace what is legitimately server-specific, keep the rest.

Replaced, and why each is server-specific rather than a fidelity question:

- **uids** (``metadata.uid``, owner references, uids inside strings such as a Job's
  ``controller-uid`` labels or a delete Status's ``details.uid``): random per server. Each distinct
  uid becomes ``<uid:N>``, numbered by first appearance in the scenario, so *which* object a uid
  names is still compared (an ownerReference must point at the owner created two steps earlier).
- **timestamps** (RFC 3339 strings: creationTimestamp, deletionTimestamp, managedFields ``time``,
  condition transition times): wall clock. They become ``<time>``; present versus absent (a
  deletionTimestamp set or not) is still compared.
- **resourceVersions**: each server counts its own writes (etcd's revision counts the controllers'
  writes too). A value a step saved (``save: {before: body.metadata.resourceVersion}``) becomes
  ``<rv:before>`` wherever it appears again, so "a no-op apply keeps the resourceVersion" and "a
  watch resumes after this version" are compared; any other value becomes ``<rv>``. The numbers in
  the 410 message (``too old resource version: 1 (2345)``) likewise.
- **the scenario's names**: each run has its own namespace (``fid-<hex>``) and unique suffix, so the
  scenarios share one real server without colliding; they become ``{ns}`` and ``{id}`` again.
- **allocated addresses**: a Service's ``clusterIP``/``clusterIPs`` and ``nodePort`` come from each
  server's configured ranges; they become ``<ip>`` and ``<node-port>`` (allocation is still compared:
  the field is there or not).
- **certificates** (the CA bundle in each namespace's ``kube-root-ca.crt``): each server makes its
  own CA at start. A PEM block becomes ``<certificate>``.
- **the generated suffix of generateName** (five random characters): ``<generated>``; likewise the
  suffix of the service-account token volume admission adds to a Pod (``kube-api-access-<generated>``).
- **storageVersionHash** in discovery: a hash of the group, version and kind, and the scenarios'
  custom resource groups hold the run's unique suffix. It becomes ``<hash>``; the emulator's hash
  function is checked against every built-in resource's published hash instead
  (test_fidelity.py).
- **the order of managedFields entries**: the apiserver sorts them by operation, then by their time
  in whole seconds, then by manager; two steps a few milliseconds apart fall in the same second on
  one server and not on the other. Entries are compared sorted by operation, manager, apiVersion and
  subresource (the emulator sorts them as the apiserver does; only the clock differs).
- **uids inside keys** (a managedFields ``k:{"uid":...}`` of an owner reference) like uids anywhere.

Nothing else is touched: field order inside objects is not significant in JSON (dicts compare
unordered), list order is significant and kept.
"""

from __future__ import annotations

import re
from typing import Any

from tests.sandbox.fidelity.runner import Outcome, Run, lookup

_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_OLD_RV = re.compile(r"too old resource version: \d+ \(\d+\)")
_TOKEN_VOLUME = re.compile(r"kube-api-access-[a-z0-9]{5}")
_PEM = re.compile(r"-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----\n?")
_ADDRESS_KEYS = {"clusterIP": "<ip>", "nodePort": "<node-port>"}


class Normalizer:
    """Normalizes the outcomes of one `Run` (uid numbering is per run, in order of appearance)."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.uids: dict[str, str] = {}
        self.saved_rvs: dict[str, str] = {}
        for name, value in run.saved.items():
            if isinstance(value, str) and value.isdigit():
                self.saved_rvs.setdefault(value, name)
        self.generated = {
            str(lookup(o.body, "metadata.name"))
            for o in run.outcomes
            if o.step.method == "POST" and isinstance(lookup(o.step.body, "metadata.generateName"), str)
        }

    def managed(self, entries: Any) -> Any:
        """managedFields entries in an order that does not depend on the wall clock."""
        if not isinstance(entries, list):
            return entries
        keys = ("operation", "manager", "apiVersion", "subresource")
        return sorted(
            entries, key=lambda e: tuple(str(e.get(k, "")) for k in keys) if isinstance(e, dict) else ()
        )

    def outcome(self, outcome: Outcome) -> dict[str, Any]:
        """The compared parts of ``outcome``: status, body, warnings or a path into the body."""
        parts: dict[str, Any] = {"status": outcome.status, "body": outcome.body, "warnings": outcome.warnings}
        out: dict[str, Any] = {}
        for part in outcome.step.compare:
            if part in parts:
                out[part] = self.value(parts[part])
            else:
                out[part] = self.value(lookup({"body": outcome.body}, part))
        if outcome.step.until and not outcome.waited:
            out["until"] = f"not reached: {outcome.step.until}"
        return out

    def value(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {self.text(k): self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            items = self.managed(value) if key == "managedFields" else value
            return [self.value(v, key) for v in items]
        if key in _ADDRESS_KEYS and value not in (None, "", "None"):
            return _ADDRESS_KEYS[key]
        if key == "clusterIPs" and isinstance(value, str):
            return "<ip>"
        if key == "storageVersionHash" and isinstance(value, str):
            return "<hash>"
        if key == "resourceVersion" and isinstance(value, str) and value.isdigit():
            return f"<rv:{self.saved_rvs[value]}>" if value in self.saved_rvs else "<rv>"
        if isinstance(value, str):
            return self.text(value)
        return value

    def text(self, text: str) -> str:
        text = _PEM.sub("<certificate>", text)
        text = _TOKEN_VOLUME.sub("kube-api-access-<generated>", text)
        text = _UID.sub(self._uid, text)
        text = _TIME.sub("<time>", text)
        text = _OLD_RV.sub("too old resource version: <rv> (<rv>)", text)
        for name in self.generated:
            text = text.replace(name, name[:-5] + "<generated>")
        text = text.replace(self.run.namespace, "{ns}")
        return text.replace(self.run.unique, "{id}")

    def _uid(self, match: re.Match[str]) -> str:
        uid = match.group(0)
        return self.uids.setdefault(uid, f"<uid:{len(self.uids) + 1}>")


def normalized(run: Run) -> dict[str, dict[str, Any]]:
    """Step name -> its normalized, compared parts (setup steps left out)."""
    normalizer = Normalizer(run)
    return {o.step.name: normalizer.outcome(o) for o in run.outcomes if not o.step.setup}
