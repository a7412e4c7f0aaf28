"""The Rego engine: the one module that imports regorus (package gordon-to-regorus).

`RegoEngine` is the default `designer.policy.engine.PolicyEngine` (callers build it through
`designer.policy.engine.new_engine`); it absorbs regorus's sharp edges:

* JSON in, JSON out: Python ``True`` would reach Rego as the number 1 through ``set_input``, numbers come
  back as floats and sets of objects cannot come back at all, so values cross the boundary as JSON text.
* Errors: every regorus ``RuntimeError`` becomes a `PolicyError` naming the policy FILE:LINE parsed from
  regorus's message (``--> file:line:col`` … ``error: …``), so a broken policy is exit 3, never a clean run.
  Semantic errors (unknown function, unsafe variable, rule conflict) only surface on evaluation; callers
  evaluate, so they surface there.
* Threads: a regorus engine panics when touched from another thread than its creator; `RegoEngine`
  checks the thread first and raises a plain error instead of a ``PanicException``. It must also be
  *dropped* there: one dropped elsewhere is leaked with an "unsendable" error. The garbage collector
  frees a reference cycle in whichever thread happens to allocate (a server thread, a pool worker),
  so a `RegoEngine` collected on another thread hands its engine back to its own thread, which drops
  it the next time it builds or uses one (`_Strays`); a thread that has ended can never drop its
  engines, so they are kept for the life of the process.
* Backtraces: regorus appends a Rust backtrace to messages when ``RUST_BACKTRACE`` is set; it is turned
  off before the import (capturing it also costs time) and stripped defensively.

Callers: designer.policy.bundle / evaluator (built-in checks), designer.policy.conftest and
designer.policy.gatekeeper (users' policies), designer.policy.rego_tests (``design policy test``).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from designer.errors import Location, PolicyError
from designer.policy.engine import UNDEFINED, RegoModule

os.environ["RUST_BACKTRACE"] = "0"
os.environ["RUST_LIB_BACKTRACE"] = "0"

# The environment above must be set before this import.
import regorus

# regorus refuses lines over 1,024 columns and files over its default sizes; real suites hold one-line
# maps of 30 kB (trivy-checks). Policy files are read whole anyway, so the bound is the file size.
MAX_POLICY_BYTES = 16 * 1024 * 1024

_LOCATION_RE = re.compile(r"-->\s*(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)")
_ERROR_RE = re.compile(r"^error:\s*(?P<text>.+)$", re.MULTILINE)
# A Python builtin (designer.policy.dialects) that raised: its own message is what the user needs.
_EXTENSION_RE = re.compile(r"extension '(?P<name>[^']+)' raises Python error: \w+: ")


class _Strays:
    """Raw engines whose `RegoEngine` was collected on another thread, waiting for their own."""

    def __init__(self) -> None:
        self.waiting: dict[threading.Thread, list[Any]] = {}
        self.kept: list[Any] = []  # engines of threads that ended: never dropped (see the module docstring)
        self.closed = False  # at_exit ran: the interpreter is tearing down
        self.off_main = False  # an engine was made on a thread other than the main one

    def hand_back(self, owner: threading.Thread, engine: Any) -> None:
        if self.closed:  # no thread will run again to drop it, and teardown would drop it here
            _keep_forever([engine])
        elif owner.is_alive():
            self.waiting.setdefault(owner, []).append(engine)
        else:
            self.kept.append(engine)

    def release(self) -> None:
        """Drop this thread's waiting engines (here, where they were made); keep ended threads'."""
        current = threading.current_thread()
        for owner in list(self.waiting):
            if owner is current:
                del self.waiting[owner]
            elif not owner.is_alive():
                self.kept.extend(self.waiting.pop(owner))

    def at_exit(self) -> None:
        """Keep what no thread will drop past the interpreter's teardown (which would drop it)."""
        if self.off_main or threading.active_count() > 1:
            # Import ctypes now, while imports work: teardown may hand engines back (a thread still
            # running may collect one). A run that only ever used the main thread skips the import.
            _keep_forever([])
        self.release()
        for engines in [*self.waiting.values(), self.kept]:
            if engines:
                _keep_forever(engines)
        self.closed = True


def _keep_forever(engines: list[Any], _imported: list[Any] = []) -> None:  # noqa: B006 (a cache)
    """Leak ``engines`` on purpose: one more reference each, never given back."""
    if not _imported:
        import ctypes  # only ever needed for engines left by ended threads; imported before teardown

        _imported.append(ctypes)
    for engine in engines:
        _imported[0].pythonapi.Py_IncRef(_imported[0].py_object(engine))


_strays = _Strays()
atexit.register(_strays.at_exit)


class RegoEngine:
    """A regorus engine confined to the thread that created it.

    Build one base engine with the policies and data, then `clone()` it per input batch: a clone
    shares the compiled policies, costs microseconds and is independent afterwards.
    """

    __slots__ = ("_engine", "_owner", "_packages", "_thread", "v0")
    in_process = True  # a forked child evaluates on its own copy of the engine

    def __init__(self, *, v0: bool = False, _engine: Any = None) -> None:
        self._thread = threading.get_ident()
        self._owner = threading.current_thread()
        if self._owner is not threading.main_thread():
            _strays.off_main = True
        if _strays.waiting:
            _strays.release()
        self.v0 = v0
        self._packages: list[str] = []
        if _engine is not None:
            self._engine = _engine
            return
        self._engine = _new_engine(v0=v0)
        self._engine.set_gather_prints(False)

    # -- loading -------------------------------------------------------------------------------

    def add_module(self, module: RegoModule) -> str:
        """Compile one module; returns its package as ``data.<pkg>``. Parse errors raise PolicyError."""
        self._check_thread()
        try:
            package = str(self._engine.add_policy(module.path, module.text))
        except RuntimeError as exc:
            raise translate_error(exc, default_file=module.path) from exc
        self._packages.append(package)
        return package

    def add_data(self, data: Mapping[str, Any]) -> None:
        """Merge a JSON document into ``data`` (top-level keys must not repeat across calls)."""
        self._check_thread()
        try:
            self._engine.add_data_json(json.dumps(data))
        except RuntimeError as exc:
            raise translate_error(exc) from exc

    def add_extension(self, name: str, nargs: int, function: Callable[..., Any]) -> None:
        """Register a Python function as the Rego builtin ``name`` (tool dialects such as conftest's)."""
        self._check_thread()
        self._engine.add_extension(name, nargs, function)

    def prepare(self) -> None:
        """Analyse every module now (unknown functions, unsafe variables surface here): regorus does it
        on the first evaluation, and a clone taken before would do it again on each (tens of
        milliseconds for a large suite); clones of a prepared engine start evaluating at once."""
        self.eval_query("true")

    def gather_prints(self) -> None:
        """Keep ``print()`` output for `take_prints` instead of letting regorus write it to stdout (where
        it would break JSON and SARIF reports)."""
        self._check_thread()
        self._engine.set_gather_prints(True)

    def take_prints(self) -> list[str]:
        """``print()`` lines since the last call, as ``file:line: text``."""
        self._check_thread()
        return [str(line) for line in self._engine.take_prints()]

    def take_builtin_errors(self) -> list[PolicyError]:
        """None: regorus raises a builtin error from the evaluation itself."""
        return []

    @property
    def packages(self) -> tuple[str, ...]:
        """Packages added through this wrapper (``data.x.y``), in order, including the clone's parent's."""
        return tuple(self._packages)

    # -- evaluation ----------------------------------------------------------------------------

    def set_input(self, value: Any) -> None:
        """Replace ``input`` (sent as JSON so booleans stay booleans)."""
        self.set_input_json(json.dumps(value))

    def set_input_json(self, text: str) -> None:
        """Replace ``input`` with an already serialised JSON document (saves a dumps for batches)."""
        self._check_thread()
        try:
            self._engine.set_input_json(text)
        except RuntimeError as exc:
            raise translate_error(exc) from exc

    def eval_rule(self, rule: str) -> Any:
        """Value of a rule by its full path (``data.pkg.deny``) as JSON data, or `UNDEFINED`."""
        self._check_thread()
        try:
            raw = self._engine.eval_rule_as_json(rule)
        except BaseException as exc:
            raise _regorus_failure(exc) from exc
        value = json.loads(raw)
        if value == "<undefined>":
            return UNDEFINED
        return value

    def eval_query(self, query: str) -> list[Any]:
        """Values of the first expression of each result of ``query`` (empty when undefined)."""
        self._check_thread()
        try:
            raw = self._engine.eval_query_as_json(query)
        except BaseException as exc:
            raise _regorus_failure(exc) from exc
        results = json.loads(raw).get("result") or []
        return [r["expressions"][0]["value"] for r in results if r.get("expressions")]

    def clone(self) -> RegoEngine:
        """An independent copy sharing the compiled policies, data and current input."""
        self._check_thread()
        twin = RegoEngine(v0=self.v0, _engine=self._engine.clone())
        twin._packages = list(self._packages)
        return twin

    def __del__(
        self, _get_ident: Callable[[], int] = threading.get_ident, _strays: _Strays = _strays
    ) -> None:
        # The default arguments stay reachable at interpreter teardown, when the module's globals
        # are already None.
        engine = getattr(self, "_engine", None)
        if engine is not None and _get_ident() != self._thread:
            _strays.hand_back(self._owner, engine)  # never dropped on this thread: see the module docstring

    def _check_thread(self) -> None:
        if _strays.waiting:
            _strays.release()
        if threading.get_ident() != self._thread:
            raise RuntimeError(
                "a RegoEngine was used from another thread than the one that built it; "
                "build one engine per thread (regorus engines are thread-bound)"
            )


def parse_module(module: RegoModule, *, v0: bool) -> dict[str, Any]:
    """regorus's syntax tree of one module (spans are byte offsets, lines and byte columns are 1-based).

    Parse errors raise PolicyError with the file:line. Used by designer.policy.regoast and the loader,
    which read rules, references and expressions from it without evaluating anything.
    """
    holder = RegoEngine(v0=v0)  # held by its wrapper: dropped on this thread whatever frees this frame
    try:
        holder._engine.add_policy(module.path, module.text)
        parsed = json.loads(holder._engine.get_ast_as_json())
    except RuntimeError as exc:
        raise translate_error(exc, default_file=module.path) from exc
    tree: dict[str, Any] = parsed[0]["ast"]
    return tree


def _new_engine(*, v0: bool) -> Any:
    engine = regorus.Engine()
    # v0 mode still accepts v1 modules that say `import rego.v1`; there is no per-module switch.
    engine.set_rego_v0(v0)
    engine.set_policy_length_config(
        max_col=MAX_POLICY_BYTES, max_file_bytes=MAX_POLICY_BYTES, max_lines=MAX_POLICY_BYTES
    )
    return engine


def _regorus_failure(exc: BaseException) -> BaseException:
    """What to raise for an exception out of regorus: a PolicyError for its errors and its Rust panics
    (pyo3's PanicException derives from BaseException, e.g. ``object.subset(a, [])`` panics in 0.13);
    Ctrl-C and exits stay what they are."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        return exc
    if isinstance(exc, RuntimeError):
        return translate_error(exc)
    error = translate_error(exc)
    error.message = (
        f"policy error: regorus failed internally ({error.message.removeprefix('policy error: ')})"
    )
    return error


def translate_error(exc: BaseException, *, default_file: str | None = None) -> PolicyError:
    """Turn a regorus error message into a PolicyError with the policy's file and line."""
    text = strip_backtrace(str(exc))
    found = _LOCATION_RE.search(text)
    errors = _ERROR_RE.findall(text)
    summary = errors[-1].strip() if errors else " ".join(text.split()) or type(exc).__name__
    summary = _EXTENSION_RE.sub(r"\g<name>: ", summary)
    location: Location | None = None
    if found:
        location = Location(found["file"], int(found["line"]), int(found["col"]))
    elif default_file:
        location = Location(default_file, 1)
    return PolicyError(
        f"policy error: {summary}",
        hint=_hint_for(summary),
        location=location,
    )


def strip_backtrace(text: str) -> str:
    """The message without any appended Rust backtrace."""
    return text.split("Stack backtrace:", 1)[0].rstrip()


def _hint_for(summary: str) -> str:
    if "could not find function" in summary:
        return (
            "the function is not defined or not a regorus builtin; call helpers by their full "
            "data.… path and check the spelling"
        )
    if "keyword is required" in summary or "expecting" in summary:
        return "fix the Rego syntax; designer reads Rego v1 (Gatekeeper templates are read as v0)"
    if "conflict" in summary:
        return "two rules produce different values for the same key; make them mutually exclusive"
    return "fix the policy; a policy error is never treated as a clean result"
