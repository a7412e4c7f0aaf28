"""Semantic versions (semver 2.0) for catalog entries: parsing, precedence and `@latest`.

Catalog versions must be semver so that `@latest` has one meaning across every source; a leading
``v`` is accepted (Meshery writes ``v0.0.1``) and kept in the text but ignored for ordering.
Callers: designer.catalog.entries, designer.catalog.building, the sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from designer.errors import CatalogError

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


@dataclass(frozen=True, slots=True)
class Version:
    """A parsed semantic version; ordering follows semver precedence (build metadata ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    text: str = ""

    @property
    def is_prerelease(self) -> bool:
        """True for versions such as 1.0.0-rc.1, which `@latest` skips when a release exists."""
        return bool(self.prerelease)

    def sort_key(self) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
        """A key whose natural order is semver precedence."""
        # A release sorts after all its prereleases; numeric identifiers sort before alphanumeric ones.
        pre = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in self.prerelease)
        return (self.major, self.minor, self.patch, 0 if self.prerelease else 1, pre)

    def __str__(self) -> str:
        return self.text or f"{self.major}.{self.minor}.{self.patch}"


def parse(text: str) -> Version:
    """Parse ``text`` as semver, or raise CatalogError saying what a valid version looks like."""
    match = _SEMVER.match(text.strip())
    if match is None:
        raise CatalogError(
            f"version {text!r} is not a semantic version",
            hint="use MAJOR.MINOR.PATCH, e.g. 1.2.0 or 1.2.0-rc.1 (see https://semver.org)",
        )
    pre = match.group("pre")
    return Version(
        int(match.group("major")),
        int(match.group("minor")),
        int(match.group("patch")),
        tuple(pre.split(".")) if pre else (),
        text.strip(),
    )


def is_valid(text: str) -> bool:
    """True when ``text`` parses as semver."""
    return _SEMVER.match(text.strip()) is not None


def latest(versions: list[str]) -> str | None:
    """The highest release in ``versions``; the highest prerelease only when there is no release."""
    parsed = [parse(v) for v in versions]
    releases = [v for v in parsed if not v.is_prerelease]
    pool = releases or parsed
    if not pool:
        return None
    return str(max(pool, key=Version.sort_key))


def same(a: str, b: str) -> bool:
    """True when two version strings name the same version (``v1.0.0`` equals ``1.0.0``)."""
    return parse(a).sort_key() == parse(b).sort_key()
