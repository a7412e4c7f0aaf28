"""Compose's short syntaxes → the long forms, as compose-go's loader writes them.

Compose lets most keys be written short (``"8080:80/udp"``, ``"db-data:/var/lib/mysql:ro"``,
``environment: [A=1]``, ``command: npm start``); the converters work on the long form only. The
shapes match what compose-go produces (tests/importing/test_compose_reference.py compares them on
the same files): ports as ``{target, published, protocol, host_ip, mode}``, volumes as ``{type,
source, target, read_only}``, depends_on as ``{service: {condition, required}}``, environment as a
map (a name without a value maps to None), commands as argument lists (strings split as a shell
would). Callers: designer.importing.compose.workloads, .storage, .networking.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import Any

_PORT = re.compile(
    r"^(?:(?:\[(?P<ip6>[^\]]+)\]|(?P<ip>[0-9.]+|[^:]*?)):)??(?:(?P<published>[0-9-]*):)?"
    r"(?P<target>\d+(?:-\d+)?)(?:/(?P<protocol>[a-zA-Z]+))?$"
)
_BIND_PREFIXES = ("/", ".", "~", "\\")


def ports(value: Any) -> list[dict[str, Any]]:
    """Long-form ports; a short entry with ranges gives one entry per port, as Compose expands them."""
    out: list[dict[str, Any]] = []
    for entry in value or []:
        if isinstance(entry, dict):
            item = {"mode": "ingress", "protocol": "tcp", **entry}
            if item.get("published") is not None:
                item["published"] = str(item["published"])
            out.append(item)
            continue
        out.extend(short_port(str(entry)))
    return out


def short_port(text: str) -> list[dict[str, Any]]:
    """``[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]``, ranges allowed; [] when it does not parse."""
    match = _PORT.match(text.strip())
    if match is None:
        return []
    host_ip = match.group("ip6") or match.group("ip") or None
    published = match.group("published") or None
    protocol = (match.group("protocol") or "tcp").lower()
    targets = _port_range(match.group("target"))
    publishes = _port_range(published) if published else []
    entries = []
    for i, target in enumerate(targets):
        item: dict[str, Any] = {"mode": "ingress", "target": target, "protocol": protocol}
        if publishes and len(publishes) == len(targets):
            item["published"] = str(publishes[i])
        elif published:
            item["published"] = published
        if host_ip:
            item["host_ip"] = host_ip
        entries.append(item)
    return entries


def _port_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    if not first.isdigit():
        return []
    if not last:
        return [int(first)]
    if not last.isdigit() or int(last) < int(first) or int(last) - int(first) > 1000:
        return [int(first)]
    return list(range(int(first), int(last) + 1))


def expose(value: Any) -> list[int]:
    """The ports of ``expose`` (ranges expanded)."""
    found: list[int] = []
    for entry in value or []:
        text = str(entry).partition("/")[0]
        found.extend(_port_range(text))
    return found


def volumes(value: Any) -> list[dict[str, Any]]:
    """Long-form service volumes (bind, named volume, anonymous volume, tmpfs, …)."""
    out: list[dict[str, Any]] = []
    for entry in value or []:
        item = dict(entry) if isinstance(entry, dict) else short_volume(str(entry))
        if isinstance(item.get("target"), str) and item["target"].startswith("/"):
            item["target"] = posixpath.normpath(item["target"])  # Compose cleans targets: /etc/x/ is /etc/x
        out.append(item)
    return out


def short_volume(text: str) -> dict[str, Any]:
    """``[SOURCE:]TARGET[:MODE]`` as Compose reads it."""
    parts = text.split(":")
    mode = ""
    if len(parts) >= 3 or (len(parts) == 2 and parts[1] and not parts[1].startswith("/")):
        mode = parts[-1]
        parts = parts[:-1]
    if len(parts) == 1:
        item: dict[str, Any] = {"type": "volume", "target": parts[0]}
    else:
        source, target = ":".join(parts[:-1]), parts[-1]
        kind = "bind" if source.startswith(_BIND_PREFIXES) else "volume"
        item = {"type": kind, "source": source, "target": target}
    options = {o for o in mode.split(",") if o}
    if "ro" in options:
        item["read_only"] = True
    if item["type"] == "volume" and "nocopy" in options:
        item["volume"] = {"nocopy": True}
    return item


def depends_on(value: Any) -> dict[str, dict[str, Any]]:
    """``{service: {condition, required, restart}}``."""
    if isinstance(value, list):
        return {str(name): {"condition": "service_started", "required": True} for name in value}
    if isinstance(value, dict):
        return {
            str(name): {"condition": "service_started", "required": True, **(spec or {})}
            for name, spec in value.items()
        }
    return {}


def mapping(value: Any, separator: str = "=") -> dict[str, str | None]:
    """A list of ``KEY=VALUE`` (or ``KEY``) or a mapping, as a mapping of strings (None: no value)."""
    if isinstance(value, dict):
        return {str(k): scalar(v) for k, v in value.items()}
    out: dict[str, str | None] = {}
    for entry in value or []:
        key, found, rest = str(entry).partition(separator)
        out[key] = rest if found else None
    return out


def scalar(value: Any) -> str | None:
    """A YAML scalar as the string Compose passes on (``true``, ``5054``); None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def command(value: Any) -> list[str] | None:
    """A command as an argument list (a string is split as a shell would); None when absent."""
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        return shlex.split(str(value))
    except ValueError:
        return str(value).split()


def healthcheck_test(value: Any) -> list[str] | None:
    """``["CMD", …]``, ``["CMD-SHELL", "…"]`` or ``["NONE"]``; a string is CMD-SHELL."""
    if value is None:
        return None
    if isinstance(value, str):
        return ["CMD-SHELL", value]
    return [str(v) for v in value]


def env_files(value: Any) -> list[dict[str, Any]]:
    """``[{path, required}]``."""
    entries = value if isinstance(value, list) else ([value] if value else [])
    return [
        {"path": str(e), "required": True} if not isinstance(e, dict) else {"required": True, **e}
        for e in entries
    ]


def file_refs(value: Any) -> list[dict[str, Any]]:
    """A service's ``secrets``/``configs``: ``[{source, target, uid, gid, mode}]``."""
    return [{"source": str(e)} if not isinstance(e, dict) else dict(e) for e in value or []]


def extra_hosts(value: Any) -> dict[str, list[str]]:
    """``{hostname: [ip, …]}`` from ``host:ip``/``host=ip`` entries or a mapping."""
    out: dict[str, list[str]] = {}
    if isinstance(value, dict):
        for host, ips in value.items():
            out[str(host)] = [str(i) for i in ips] if isinstance(ips, list) else [str(ips)]
        return out
    for entry in value or []:
        text = str(entry)
        host, sep, ip = text.partition("=")
        if not sep:
            host, _, ip = text.partition(":")
        out.setdefault(host, []).append(ip.strip("[]"))
    return out


def string_list(value: Any) -> list[str]:
    """A string or a list of strings, as a list."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
