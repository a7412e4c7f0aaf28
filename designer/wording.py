"""Small helpers for the sentences designer prints."""

from __future__ import annotations


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """``1 design``, ``2 designs``, ``0 designs`` (``plural`` for irregular nouns)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
