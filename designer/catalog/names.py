"""The names the catalog turns into file names and registry paths, checked before anything is written.

A design's ``metadata.name`` and ``metadata.version`` become ``NAME-VERSION.tar.gz`` in a folder,
``NAMESPACE/NAME:VERSION`` in a registry and an index entry; its file name becomes the file a pull
writes. Each is checked here against catalog.schema.json's patterns (a test holds the two equal), so
no name from an untrusted design, archive or index (``../../pwn``, ``/tmp/x``) reaches a path.
Callers: designer.catalog.metadata, packaging, pulling, the sources.
"""

from __future__ import annotations

import re

from designer.errors import CatalogError, Location

NAME_PATTERN = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
"""Lowercase letters, digits, '-' and '.', starting and ending alphanumeric (a DNS-1123 subdomain)."""
MAX_NAME = 128
VERSION_PATTERN = r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
MAX_VERSION = 64
FILE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(yaml|yml|json)$"
MAX_FILE = 128

# ASCII: JSON Schema's \d means 0-9, Python's any Unicode digit. fullmatch: '$' alone would also
# accept a trailing newline.
_NAME = re.compile(NAME_PATTERN, re.ASCII)
_VERSION = re.compile(VERSION_PATTERN, re.ASCII)
_FILE = re.compile(FILE_PATTERN, re.ASCII)
_RULES = {
    "name": (
        _NAME,
        MAX_NAME,
        "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    ),
    "version": (_VERSION, MAX_VERSION, "a semantic version such as 1.0.0"),
    "file": (_FILE, MAX_FILE, "NAME.yaml, NAME.yml or NAME.json (letters, digits, '.', '_', '-')"),
}


def is_valid(kind: str, value: object) -> bool:
    """True when ``value`` is a string that passes the ``kind`` rule (name, version or file)."""
    regex, longest, _ = _RULES[kind]
    return isinstance(value, str) and len(value) <= longest and regex.fullmatch(value) is not None


def check(
    kind: str, value: object, *, origin: str, path: str | None = None, at: Location | None = None
) -> str:
    """``value`` if it passes the ``kind`` rule, else a CatalogError naming where and what is allowed.

    ``at`` (file:line) replaces ``origin`` in the message when the value's position is known.
    """
    if is_valid(kind, value):
        assert isinstance(value, str)
        return value
    _, longest, allowed = _RULES[kind]
    if isinstance(value, str):
        shown = repr(value) if len(value) <= 80 else repr(value[:80] + "…")
    else:  # never repr() an untrusted structure: a YAML alias bomb would expand
        shown = f"of type {type(value).__name__}"
    raise CatalogError(
        f"{'' if at else origin + ': '}{kind} {shown} cannot be used in the catalog",
        location=at,
        path=path,
        hint=f"use {allowed}, at most {longest} characters; nothing was written",
    )


def archive_name(name: str, version: str, *, origin: str) -> str:
    """``NAME-VERSION.tar.gz``, after checking both parts (so it is one plain file name)."""
    check("name", name, origin=origin, path="metadata.name")
    check("version", version, origin=origin, path="metadata.version")
    return f"{name}-{version}.tar.gz"
