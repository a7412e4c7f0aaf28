"""Run scenarios against one API endpoint: each in its own namespace, its steps in order, many
scenarios at once (most of a scenario's time is spent waiting for the server or a controller).

A step's outcome is what the server answered: the HTTP status, the body (parsed JSON, or the list of
events of a watch) and every ``Warning`` header, in order. Nothing is normalized here (normalize.py).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.sandbox.fidelity.client import Endpoint
from tests.sandbox.fidelity.scenarios import CONTENT_TYPES, Scenario, Step

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w-]*)\}")
_SEGMENT = re.compile(r"^([^\[\]]*)((?:\[[^\]]*\])*)$")
REQUEST_TIMEOUT = 30.0
POLL = 0.2


@dataclass
class Outcome:
    """The answer to one step."""

    step: Step
    status: int
    body: Any
    warnings: list[str]
    seconds: float = 0.0
    waited: bool = True  # an ``until`` step whose condition was met (False: it timed out)


@dataclass
class Run:
    """One scenario's outcomes on one engine, with the names it used (for normalization)."""

    scenario: Scenario
    engine: str
    namespace: str
    unique: str
    outcomes: list[Outcome] = field(default_factory=list)
    saved: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def lookup(value: Any, dotted: str) -> Any:
    """The value at ``a.b[0].c`` or ``a.conditions[type=Ready].status``; None when absent."""
    if dotted in ("", "."):
        return value
    for segment in dotted.split("."):
        match = _SEGMENT.match(segment)
        if match is None:
            return None
        key, selectors = match.groups()
        if key:
            value = value.get(key) if isinstance(value, dict) else None
        for selector in re.findall(r"\[([^\]]*)\]", selectors):
            if not isinstance(value, list):
                return None
            if "=" in selector:
                field_name, _, wanted = selector.partition("=")
                value = next(
                    (i for i in value if isinstance(i, dict) and str(i.get(field_name)) == wanted), None
                )
            else:
                index = int(selector)
                value = value[index] if -len(value) <= index < len(value) else None
    return value


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: names.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {_fill(k, names): _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


def _matches(outcome: Outcome, until: dict[str, Any]) -> bool:
    for key, wanted in until.items():
        got = outcome.status if key == "status" else lookup({"body": outcome.body}, key)
        if got != wanted and not (wanted == "*" and got is not None):
            return False
    return True


def _send(endpoint: Endpoint, step: Step, names: dict[str, str]) -> Outcome:
    path = _fill(step.path, names)
    headers = dict(_fill(step.headers, names))
    data: bytes | None = None
    if step.raw is not None:
        data = _fill(step.raw, names).encode()
    elif step.body is not None:
        data = json.dumps(_fill(step.body, names)).encode()
    if data is not None:
        headers.setdefault("Content-Type", step.content_type or CONTENT_TYPES["json"])
    started = time.monotonic()
    method = "GET" if step.method == "WATCH" else step.method
    if step.method == "WATCH":
        path += ("&" if "?" in path else "?") + "watch=1"
    try:
        response = endpoint.session.request(
            method,
            endpoint.url + path,
            data=data,
            headers=headers,
            timeout=REQUEST_TIMEOUT,
            stream=step.method == "WATCH",
        )
    except requests.RequestException as exc:
        return Outcome(step, -1, {"error": type(exc).__name__}, [], time.monotonic() - started)
    with response:
        warnings = list(response.raw.headers.getlist("Warning")) if response.raw is not None else []
        if step.method == "WATCH" and response.status_code == 200:
            body: Any = [json.loads(line) for line in response.iter_lines() if line.strip()]
        else:
            try:
                body = response.json() if response.content else None
            except ValueError:
                body = {"text": response.text}
    return Outcome(step, response.status_code, body, warnings, time.monotonic() - started)


def run_step(endpoint: Endpoint, step: Step, names: dict[str, str]) -> Outcome:
    """One step; an ``until`` step repeats until its condition holds or its timeout passes."""
    outcome = _send(endpoint, step, names)
    if not step.until:
        return outcome
    deadline = time.monotonic() + step.timeout
    while not _matches(outcome, step.until):
        if time.monotonic() >= deadline:
            outcome.waited = False
            return outcome
        time.sleep(POLL)
        outcome = _send(endpoint, step, names)
    return outcome


def run(endpoint: Endpoint, scenario: Scenario) -> Run:
    """Run ``scenario``'s steps in order on ``endpoint`` (its namespace is deleted afterwards)."""
    unique = uuid.uuid4().hex[:6]
    result = Run(scenario, endpoint.engine, f"fid-{unique}", unique)
    names = {"ns": result.namespace, "id": unique}
    started = time.monotonic()
    if scenario.namespace:
        endpoint.session.post(
            f"{endpoint.url}/api/v1/namespaces",
            json={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": result.namespace}},
            timeout=REQUEST_TIMEOUT,
        ).raise_for_status()
    try:
        for step in scenario.steps:
            outcome = run_step(endpoint, step, names)
            result.outcomes.append(outcome)
            for name, dotted in step.save.items():
                value = outcome.status if dotted == "status" else lookup({"body": outcome.body}, dotted)
                result.saved[name] = value
                names[name] = "" if value is None else str(value)
    finally:
        if scenario.namespace:
            endpoint.session.delete(
                f"{endpoint.url}/api/v1/namespaces/{result.namespace}", timeout=REQUEST_TIMEOUT
            )
    result.seconds = time.monotonic() - started
    return result


def run_all(endpoint: Endpoint, scenarios: list[Scenario], workers: int = 12) -> dict[str, Run]:
    """Every scenario on ``endpoint``, ``workers`` at a time; by scenario name."""
    with ThreadPoolExecutor(workers, thread_name_prefix=f"fidelity-{endpoint.engine}") as pool:
        runs = list(pool.map(lambda s: run(endpoint, s), scenarios))
    return {r.scenario.name: r for r in runs}
