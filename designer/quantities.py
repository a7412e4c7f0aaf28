"""Kubernetes resource quantities (``100m``, ``1Gi``, ``1e3``) compared by value.

The server stores quantities in canonical form, so a design's ``cpu: 1000m`` comes back as ``1``
and ``memory: 1024Mi`` as ``1Gi``; a textual comparison would report a change that is not one.
`designer.diffing.normalizing` uses `same_quantity` to align such values before comparing; the
sandbox (`designer.sandbox.decoding`, `kindrules`) refuses what is not a quantity and compares
requests with limits. A leaf module: it imports nothing of designer's.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SUFFIXES: dict[str, Decimal] = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
    "Ki": Decimal(2**10),
    "Mi": Decimal(2**20),
    "Gi": Decimal(2**30),
    "Ti": Decimal(2**40),
    "Pi": Decimal(2**50),
    "Ei": Decimal(2**60),
}
_QUANTITY = re.compile(
    r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$"
)


def parse_quantity(value: object) -> Decimal | None:
    """The numeric value of a quantity (str, int or float), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str):
        return None
    found = _QUANTITY.match(value.strip())
    if found is None:
        return None
    number, exponent, suffix = found.groups()
    try:
        if exponent:
            return Decimal(number + exponent)
        return Decimal(number) * _SUFFIXES[suffix or ""]
    except InvalidOperation:
        return None


def same_quantity(a: object, b: object) -> bool:
    """True when ``a`` and ``b`` are both quantities with the same value (``1000m`` == ``1``)."""
    left = parse_quantity(a)
    if left is None:
        return False
    right = parse_quantity(b)
    return right is not None and left == right
