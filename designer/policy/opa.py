"""The ``opa`` policy engine: OPA itself evaluates the same modules, data, input and rule queries that
regorus would, for exact compatibility with OPA (``--engine opa``).

`OpaEngine` satisfies designer.policy.engine.PolicyEngine. It is a value that only records what it is
given; evaluation runs on an ``opa run --server`` holding its modules (designer.policy.opa_server,
shared by every engine with the same modules, started on first use). Data outside the modules'
packages is written to that server before an evaluation when it differs from what the server holds,
so clones that differ only by data (a Gatekeeper template with each case's inventory) share one
server. Rule queries go to ``POST /v1/data/<path>``, other queries to ``POST /v1/query``.

OPA's defaults apply, as ``opa eval`` and ``opa test`` use them: builtin errors are not strict (a
failing builtin is undefined), while conflicts and other evaluation errors are errors. Every error
becomes a `PolicyError` at the policy's file:line, as with regorus: parse and compile errors when the
server starts (every one OPA reports, the first as the location), evaluation errors on the query.
A rule query is asked with strict builtin errors first: when it succeeds no builtin failed and the
answer is OPA's default answer too; when a builtin failed, the error is kept for
`take_builtin_errors` (callers report it as regorus's raised ones are reported) and the query is asked
again without, for OPA's answer. ``print()`` output comes from the server's log (`take_prints`).

Caller: designer.policy.engine.new_engine.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from collections.abc import Mapping
from typing import Any, Self

from designer.errors import Location, PolicyError
from designer.policy.engine import UNDEFINED, RegoModule
from designer.policy.opa_server import BundleSpec, OpaServer, StartupFailedError, server_for

_RULE_PATH_RE = re.compile(r"^data(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_STARTUP_ERROR_RE = re.compile(
    r"(?P<file>[^\s:]+\.rego):(?P<line>\d+): (?P<code>rego_[a-z_]+_error): (?P<text>[^\n]*(?:\n\t[^\n]*)*)"
)
_BUNDLE_FILE_RE = re.compile(r"\S*?/?(m\d{4}\.rego)")
_LOCK = threading.RLock()
_QUERY_VAR = "__designer_value__"


class OpaEngine:
    """Modules, data and input for OPA; see the module docstring."""

    in_process = False  # evaluation happens in the OPA server, over one connection
    __slots__ = ("_builtin_errors", "_data", "_data_texts", "_input", "_modules", "_prints", "_spec", "v0")

    def __init__(self, *, v0: bool = False) -> None:
        self.v0 = v0
        self._modules: list[RegoModule] = []
        self._data: dict[str, Any] = {}
        self._data_texts: dict[str, str] = {}  # top-level key -> JSON text, for the data API
        self._input: str | None = None
        self._spec: BundleSpec | None = None
        self._prints: list[str] = []
        self._builtin_errors: list[PolicyError] = []

    # -- loading -------------------------------------------------------------------------------

    def add_module(self, module: RegoModule) -> str:
        """Record one module; returns its package (syntax is checked when the server starts)."""
        package = module.package
        if package is None:
            raise PolicyError(
                "policy error: the module has no package declaration",
                hint="start the file with `package <name>`",
                location=Location(module.path, 1),
            )
        self._modules.append(module)
        self._spec = None
        return package

    def add_data(self, data: Mapping[str, Any]) -> None:
        """Merge a JSON document into ``data`` as regorus does: objects merge key by key, and a key
        given two different values is an error."""
        merged = merge_data(self._data, json.loads(json.dumps(data)))
        for key in data:
            self._data_texts[str(key)] = json.dumps(merged[str(key)], sort_keys=True, separators=(",", ":"))
        self._data = merged
        self._spec = None

    def prepare(self) -> None:
        """Start (or find) the server for these modules: parse and compile errors raise here."""
        self._server()

    @property
    def packages(self) -> tuple[str, ...]:
        """Packages of the added modules, in order (repeats included, as regorus lists them)."""
        return tuple(m.package or "" for m in self._modules)

    # -- evaluation ----------------------------------------------------------------------------

    def set_input(self, value: Any) -> None:
        """Replace ``input``."""
        self._input = json.dumps(value)

    def set_input_json(self, text: str) -> None:
        """Replace ``input`` with an already serialised JSON document."""
        self._input = text

    def eval_rule(self, rule: str) -> Any:
        """Value of a rule by its full path (``data.pkg.deny``), or `UNDEFINED`."""
        if not _RULE_PATH_RE.match(rule):
            raise PolicyError(f"policy error: {rule!r} is not a rule path", hint="use data.<package>.<rule>")
        body = self._post_rule(_data_url(rule))
        return body.get("result", UNDEFINED)

    def eval_query(self, query: str) -> list[Any]:
        """Values of ``query`` for each result (empty when undefined)."""
        if _RULE_PATH_RE.match(query):
            body = self._post_rule(_data_url(query))
            return [body["result"]] if "result" in body else []
        request: dict[str, Any] = {"query": f"{_QUERY_VAR} := ({query})"}
        text = json.dumps(request)
        if self._input is not None:
            text = text[:-1] + f',"input":{self._input}}}'
        body = self._post("/v1/query", text)
        return [r[_QUERY_VAR] for r in body.get("result") or [] if _QUERY_VAR in r]

    def clone(self) -> Self:
        """An independent copy with the same modules, data and input (sharing their server)."""
        twin = type(self)(v0=self.v0)
        twin._modules = list(self._modules)
        twin._data = dict(self._data)
        twin._data_texts = dict(self._data_texts)
        twin._input = self._input
        twin._spec = self._spec
        twin._prints = list(self._prints)
        return twin

    def take_prints(self) -> list[str]:
        """``print()`` output since the last call, as ``file:line: text``."""
        taken, self._prints = self._prints, []
        return taken

    def take_builtin_errors(self) -> list[PolicyError]:
        """Builtin errors read as undefined since the last call."""
        taken, self._builtin_errors = self._builtin_errors, []
        return taken

    # -- the server ----------------------------------------------------------------------------

    def _server(self) -> OpaServer:
        if self._spec is None:
            version = 0 if self.v0 else 1
            self._spec = BundleSpec.build(self._modules, [version] * len(self._modules), self._data)
        bundled = {root.split("/")[0] for root in self._spec.roots}
        wanted = {k: t for k, t in self._data_texts.items() if k not in bundled}
        try:
            server = server_for(self._spec, writable=bool(wanted))
        except StartupFailedError as failed:
            raise startup_error(failed.stderr, failed.names) from None
        if server.writable:
            _sync_data(server, wanted)
        return server

    def _input_body(self) -> str:
        return "{}" if self._input is None else f'{{"input":{self._input}}}'

    def _post_rule(self, url: str) -> dict[str, Any]:
        """A rule query with OPA's default answer; a builtin error along the way is kept (see above)."""
        text = self._input_body()
        printed = len(self._prints)
        try:
            return self._post(f"{url}?strict-builtin-errors=true", text)
        except PolicyError as strict_error:
            del self._prints[printed:]  # the answer's own evaluation prints them again
            body = self._post(url, text)  # an error OPA raises by default raises here
            self._builtin_errors.append(strict_error)
            return body

    def _post(self, url: str, text: str) -> dict[str, Any]:
        with _LOCK:  # the server's data is set for this request: one request at a time per process
            for attempt in (1, 2):  # a server that died is started again, once
                server = self._server()
                try:
                    status, body = server.request("POST", url, text.encode())
                    break
                except (OSError, http.client.HTTPException) as exc:
                    if attempt == 2 or server.alive():
                        raise PolicyError(
                            f"opa stopped answering: {exc}",
                            hint="see whether opa runs at all (opa version); its last words: "
                            + (" ".join(server.stderr_text().split()[-40:]) or "none"),
                        ) from exc
            self._prints.extend(server.take_prints())
        if status >= 300 or not isinstance(body, dict):
            raise evaluation_error(body, server.names)
        return body


def _sync_data(server: OpaServer, wanted: Mapping[str, str]) -> None:
    """Make the data ``server`` holds through the API equal ``wanted`` (top-level key -> JSON text)."""
    for key in [k for k in server.data_keys if k not in wanted]:
        server.delete_data(key)
        del server.data_keys[key]
    for key, text in wanted.items():
        if server.data_keys.get(key) != text:
            server.put_data(key, text)
            server.data_keys[key] = text


def merge_data(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra`` merged in (neither changes): objects merge recursively, equal values
    are fine, and different values for one key raise PolicyError."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in merged or merged[key] == value:
            merged[key] = value
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = merge_data(merged[key], value)
        else:
            raise PolicyError(
                f"policy error: value for key {key!r} generated multiple times",
                hint="give each data key one value across the data documents",
            )
    return merged


def _data_url(path: str) -> str:
    return "/v1/data/" + "/".join(path.split(".")[1:])


def _display(file: str, names: Mapping[str, str]) -> str:
    return names.get(file.rsplit("/", 1)[-1], file)


def startup_error(stderr: str, names: Mapping[str, str]) -> PolicyError:
    """The parse/compile errors of a server that did not start, as one PolicyError (first = location)."""
    found = list(_STARTUP_ERROR_RE.finditer(stderr))
    if not found:
        text = " ".join(stderr.split()) or "opa exited without saying why"
        return PolicyError(
            f"policy error: {text}", hint="fix the policy; a policy error is never a clean result"
        )
    texts = [_bundle_paths(" ".join(m["text"].split()), names) for m in found]
    lines = [
        f"{_display(m['file'], names)}:{m['line']}: {m['code']}: {t}"
        for m, t in zip(found, texts, strict=True)
    ]
    first = found[0]
    message = f"policy error: {texts[0]}"
    if len(lines) > 1:
        message += f" ({len(lines) - 1} more: " + "; ".join(lines[1:]) + ")"
    return PolicyError(
        message,
        hint=_hint(first["code"]),
        location=Location(_display(first["file"], names), int(first["line"])),
    )


def evaluation_error(body: Any, names: Mapping[str, str]) -> PolicyError:
    """An error answer of the server as a PolicyError at the policy's file:line."""
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    if first is None:
        text = body.get("message") if isinstance(body, dict) else None
        return PolicyError(f"policy error: {text or body!r}", hint=_hint(""))
    where = first.get("location") or {}
    location = None
    if where.get("file"):
        location = Location(
            _display(str(where["file"]), names), int(where.get("row") or 1), int(where.get("col") or 1)
        )
    text = _bundle_paths(" ".join(str(first.get("message", "")).split()), names)
    return PolicyError(f"policy error: {text}", hint=_hint(str(first.get("code", ""))), location=location)


def _bundle_paths(text: str, names: Mapping[str, str]) -> str:
    """``text`` with the bundle's file paths (``…/bundle/m0003.rego``) replaced by display paths."""
    return _BUNDLE_FILE_RE.sub(lambda m: names.get(m.group(1), m.group(0)), text)


def _hint(code: str) -> str:
    if code == "rego_parse_error":
        return "fix the Rego syntax (v1 unless the file is read as v0; v0 files may `import rego.v1`)"
    if "conflict" in code:
        return "two rules produce different values for the same key; make them mutually exclusive"
    if code in ("rego_type_error", "rego_unsafe_var_error", "rego_compile_error", "rego_recursion_error"):
        return "fix the policy: OPA compiles every module before evaluating any"
    return "fix the policy; a policy error is never treated as a clean result"
