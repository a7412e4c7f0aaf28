"""One file's validation result (`FileResult`) as JSON and back, checked on the way in.

Why not pickle: the result cache (designer.validation_cache) reads what an earlier run wrote to the
user's cache folder; a corrupt or foreign entry must be recognised and ignored, never executed or
half-trusted. So results are written as plain JSON and rebuilt field by field: every dataclass field
is checked against its declared type (str, int, bool, None, unions, tuples and lists of those,
`Severity`, and the nested dataclasses), an error is rebuilt only as a `DesignerError` subclass of
designer's own, and anything that does not fit raises `ValueError`, which the cache treats as a miss.

The checks a report lists (`CheckInfo`: titles, rationales…) are the same for most files of a run,
so an encoded result names its list of checks by the digest of its JSON and `encode` hands the list
out separately (the cache keeps each list once); `decode` takes it back by digest.

The dataclasses are read through their declared fields, so a field added to `Finding` or
`DesignSummary` is carried without a change here; a value of a type this codec does not know makes
`encode` raise `ValueError` (that file's result is then simply not stored).

Why orjson writes the whole row: a cold run stores every file's result, and building the JSON form
in Python (a list per finding, a check per value) cost more than the rest of the write. `encode` hands
the dataclasses to orjson, which asks `_flatten` for each one (its fields in order, read by one C
call) and writes strings, numbers, tuples and enums (by value) itself. The strict checks stay where
they matter, on the way in: `decode` rebuilds every value from its declared type.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import operator
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from designer.errors import DesignerError, Location
from designer.policy.findings import CheckInfo, Report
from designer.validation_results import FileResult

Convert = Callable[[Any], Any]

_TUPLE = "__tuple__"  # tags the tuples kept in an error's attributes (JSON has lists only)


def encode(result: FileResult, envelope: Mapping[str, str]) -> tuple[str, str, bytes]:
    """The JSON text of ``envelope`` with ``result`` under ``"result"``, and the digest and JSON of
    its list of checks; ValueError when it holds a value this codec cannot carry (or one read from
    outside the file)."""
    if result.external:
        raise ValueError(f"{result.file}: the result depends on more than the file")
    report = result.report
    digest, checks = _encoded_checks(report.checks)
    doc: dict[str, Any] = {}
    for name in _names(FileResult):
        if name == "report":
            doc[name] = {
                field: digest if field == "checks" else getattr(report, field) for field in _names(Report)
            }
        elif name != "external":
            doc[name] = getattr(result, name)
    try:
        text = orjson.dumps(
            {**envelope, "result": doc}, default=_flatten, option=orjson.OPT_PASSTHROUGH_DATACLASS
        )
    except TypeError as exc:  # orjson.JSONEncodeError: a value it cannot write, or _flatten refused one
        raise ValueError(f"{result.file}: {exc.__cause__ or exc}") from exc  # orjson's own says less
    return text.decode(), digest, checks


def decode(doc: Any, checks: Mapping[str, tuple[CheckInfo, ...]]) -> FileResult:
    """The `FileResult` that `encode` wrote, with its list of checks from ``checks`` (by digest);
    ValueError for anything else."""
    stored = [(name, hint) for name, hint in _fields(FileResult) if name != "external"]
    if type(doc) is not dict or doc.keys() != {name for name, _ in stored}:
        raise ValueError("not a file result")
    values: dict[str, Any] = {}
    for name, hint in stored:
        if name == "report":
            raw = doc[name]
            if type(raw) is not dict or raw.keys() != {field for field, _ in _fields(Report)}:
                raise ValueError("not a report")
            try:
                listed = checks[_check(raw["checks"], str)]
            except KeyError as exc:
                raise ValueError("a list of checks the cache does not hold") from exc
            fields: dict[str, Any] = {f: _decoder(sub)(raw[f]) for f, sub in _fields(Report) if f != "checks"}
            values[name] = Report(checks=listed, **fields)
        else:
            values[name] = _decoder(hint)(doc[name])
    return FileResult(**values)


def checks_digest(doc: Any) -> str | None:
    """The digest of the list of checks an encoded result names (None when it names none)."""
    report = doc.get("report") if type(doc) is dict else None
    digest = report.get("checks") if type(report) is dict else None
    return digest if type(digest) is str else None


def _encoded_checks(
    checks: tuple[CheckInfo, ...],
    _known: dict[tuple[int, ...], tuple[tuple[CheckInfo, ...], str, bytes]] = {},  # noqa: B006 (a memo)
) -> tuple[str, bytes]:
    """The digest and JSON of a list of checks. Most files of a run list the very same `CheckInfo`
    objects (each in a tuple of its own), so they are remembered by identity: hashing the frozen
    dataclasses field by field cost more than the rest of the encoding. The memo holds the checks
    themselves, so an identity it keys on is never reused by another object."""
    ids = tuple(map(id, checks))
    known = _known.get(ids)
    if known is None:
        text = orjson.dumps(checks, default=_flatten, option=orjson.OPT_PASSTHROUGH_DATACLASS)
        if len(_known) >= 64:
            _known.clear()
        known = _known[ids] = (checks, hashlib.sha256(text).hexdigest(), text)
    return known[1], known[2]


def decode_checks(digest: str, text: bytes) -> tuple[CheckInfo, ...]:
    """The list of checks that `encode` handed out under ``digest`` (ValueError when the text is not that)."""
    if hashlib.sha256(text).hexdigest() != digest:
        raise ValueError("a list of checks whose digest does not match")
    infos: tuple[CheckInfo, ...] = _decoder(tuple[CheckInfo, ...])(orjson.loads(text))
    return infos


# -- dataclasses, by their declared field types: one converter per type, built once --------------


def _flatten(value: Any) -> Any:
    """What orjson writes for a value it cannot write itself: a dataclass as the tuple of its fields
    in declaration order (no key names in every finding), designer's errors by class and state."""
    read = _readers.get(type(value))
    if read is None:
        if isinstance(value, DesignerError):  # before dataclasses: decode reads errors by class and state
            return _encode_error(value)
        if not _is_dataclass(type(value)):
            raise TypeError(f"cannot carry {type(value).__name__}")
        read = _readers[type(value)] = _reader(type(value))
    return read(value)


def _reader(cls: Any) -> Callable[[Any], tuple[Any, ...]]:
    """The values of a dataclass's fields, read by one C call (attrgetter gives a lone field alone)."""
    names = _names(cls)
    if len(names) == 1:
        return lambda value: (getattr(value, names[0]),)
    read: Callable[[Any], tuple[Any, ...]] = operator.attrgetter(*names)
    return read


_readers: dict[type[Any], Callable[[Any], Any]] = {}


@functools.cache
def _decoder(hint: Any) -> Convert:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [(_accepts_json(a), _decoder(a)) for a in args]
        return lambda raw: _first(options, raw)(raw)
    if origin in (tuple, list):
        item = _decoder(args[0])
        if origin is tuple:
            return lambda raw: tuple(item(v) for v in _check(raw, list))
        return lambda raw: [item(v) for v in _check(raw, list)]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return lambda raw: _member(hint, raw)
    if hint is DesignerError:
        return _decode_error
    if _is_dataclass(hint):
        fields = _fields(hint)
        names = [name for name, _ in fields]
        plan = [(_scalars(sub), None if _scalars(sub) else _decoder(sub)) for _, sub in fields]

        def build(raw: Any) -> Any:
            if type(raw) is not list or len(raw) != len(plan):
                raise ValueError(f"not a {hint.__name__}")
            values = [
                _convert(item, allowed, convert) for item, (allowed, convert) in zip(raw, plan, strict=True)
            ]
            return hint(**dict(zip(names, values, strict=True)))

        return build
    if hint in (str, int, bool, type(None)):
        return lambda raw: _check(raw, hint)
    raise ValueError(f"cannot read {hint}")


def _convert(value: Any, allowed: frozenset[type] | None, convert: Convert | None) -> Any:
    """``value`` itself when its type is one of ``allowed`` (plain scalars), else converted."""
    if allowed is not None:
        if type(value) not in allowed:
            raise ValueError(f"unexpected {type(value).__name__}")
        return value
    assert convert is not None
    return convert(value)


def _scalars(hint: Any) -> frozenset[type] | None:
    """The JSON scalar types ``hint`` allows, when it allows nothing else (str, int | None…)."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (types.UnionType, typing.Union) else (hint,)
    if all(option in (str, int, bool, type(None)) for option in options):
        return frozenset(options)
    return None


def _is_dataclass(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


@functools.cache
def _names(cls: type[Any]) -> tuple[str, ...]:
    """The fields of a dataclass, in order (what encoding needs: no type hints to evaluate)."""
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _fields(cls: type[Any]) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(cls)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]


def _accepts_json(hint: Any) -> Callable[[Any], bool]:
    kind = typing.get_origin(hint) or hint
    if kind in (tuple, list) or _is_dataclass(kind):  # dataclasses are written as lists of fields
        kind = list
    elif isinstance(kind, type) and issubclass(kind, enum.Enum):
        kind = str
    return lambda raw: type(raw) is kind


def _first(options: list[tuple[Callable[[Any], bool], Convert]], value: Any) -> Convert:
    for accepts, convert in options:
        if accepts(value):
            return convert
    raise ValueError(f"unexpected {type(value).__name__}")


def _member(enum_class: type[enum.Enum], raw: Any) -> Any:
    """The member whose value ``raw`` is, of the same type (True is not ``Severity.LOW``)."""
    try:
        member = enum_class(raw)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a {enum_class.__name__}: {raw!r}") from exc
    if type(raw) is not type(member.value):
        raise ValueError(f"not a {enum_class.__name__}: {raw!r}")
    return member


def _check(value: Any, kind: type[Any]) -> Any:
    if type(value) is not kind and not (kind not in (int, bool) and isinstance(value, kind)):
        raise ValueError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


# -- errors: designer's own exception classes, their arguments and attributes ---------------------


def _error_classes() -> dict[str, type[DesignerError]]:
    found: dict[str, type[DesignerError]] = {}
    pending: list[type[DesignerError]] = [DesignerError]
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("designer."):
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
        pending.extend(cls.__subclasses__())
    return found


def _encode_error(error: DesignerError) -> dict[str, Any]:
    cls = type(error)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if _error_classes().get(name) is not cls:
        raise ValueError(f"{name} is not one of designer's errors")
    return {
        "class": name,
        "args": [_encode_plain(a) for a in error.args],
        "state": {key: _encode_plain(value) for key, value in vars(error).items()},
    }


def _decode_error(raw: Any) -> DesignerError:
    if not isinstance(raw, dict) or set(raw) != {"class", "args", "state"}:
        raise ValueError("not an error")
    cls = _error_classes().get(_check(raw["class"], str))
    if cls is None:
        raise ValueError(f"unknown error class {raw['class']!r}")
    state = {_check(k, str): _decode_plain(v) for k, v in _check(raw["state"], dict).items()}
    if not isinstance(state.get("message"), str):
        raise ValueError("an error without a message")
    error = cls.__new__(cls)
    error.args = tuple(_decode_plain(a) for a in _check(raw["args"], list))
    vars(error).update(state)
    return error


def _encode_plain(value: Any) -> Any:
    """An error's attribute: JSON scalars, lists, tuples, string-keyed dicts, Locations."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, Location):
        return {"Location": list(_flatten(value))}
    if isinstance(value, tuple):
        return {_TUPLE: [_encode_plain(v) for v in value]}
    if isinstance(value, list):
        return [_encode_plain(v) for v in value]
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return {"dict": {k: _encode_plain(v) for k, v in value.items()}}
    raise ValueError(f"cannot carry {type(value).__name__} in an error")


def _decode_plain(raw: Any) -> Any:
    if raw is None or type(raw) in (str, int, float, bool):
        return raw
    if isinstance(raw, list):
        return [_decode_plain(v) for v in raw]
    if isinstance(raw, dict) and len(raw) == 1:
        ((tag, inner),) = raw.items()
        if tag == "Location":
            return _decoder(Location)(inner)
        if tag == _TUPLE:
            return tuple(_decode_plain(v) for v in _check(inner, list))
        if tag == "dict":
            return {_check(k, str): _decode_plain(v) for k, v in _check(inner, dict).items()}
    raise ValueError(f"not an error attribute: {raw!r}")
