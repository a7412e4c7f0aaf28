"""Users' Rego cannot crash or exhaust designer (issue 13, security 3).

Hostile policies through the real command line: a loop that allocates nothing runs past
--policy-timeout, a comprehension over a huge range passes the memory bound, a recursive function
(which makes regorus overflow its stack: SIGSEGV) is refused when loading. Each ends with exit 3 and
the policy's file:line, never a crash, a hang or a leftover process. designer.policy.guard is also
driven directly for the cases a policy cannot provoke on purpose (a helper killed by a signal).
"""

from __future__ import annotations

import gc
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from designer.cli.main import run
from designer.errors import PolicyError
from designer.policy.guard import Guard, progress

SPIN = (
    'package main\nimport rego.v1\n\ndeny contains "x" if {\n'
    "  some i in numbers.range(1, 100000)\n  some j in numbers.range(1, 100000)\n  i + j < 0\n}\n"
)
HUGE = 'package main\nimport rego.v1\n\ndeny contains "x" if {\n  count([x | some x in numbers.range(1, 1000000000)]) > 1\n}\n'
RECURSIVE = 'package main\nimport rego.v1\n\nf(a) := b if { b := f(a) }\n\ndeny contains "x" if f(1)\n'
DESIGN = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\n"


def _children() -> set[int]:
    """This process's live (not yet reaped) children."""
    found = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        children = task / "children"
        if children.exists():
            found.update(int(pid) for pid in children.read_text().split())
    return found


def _validate(
    tmp_path: Path, policy: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str]:
    (tmp_path / "policy.rego").write_text(policy)
    (tmp_path / "design.yaml").write_text(DESIGN)
    code = run(
        [
            "validate",
            str(tmp_path / "design.yaml"),
            "--no-builtin-policies",
            "--policy",
            str(tmp_path / "policy.rego"),
            *extra,
        ]
    )
    return code, capsys.readouterr().err


def test_endless_loop_stops_at_the_timeout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _children()
    started = time.monotonic()
    code, err = _validate(tmp_path, SPIN, capsys, "--policy-timeout", "1")
    elapsed = time.monotonic() - started
    assert code == 3, err
    assert f"{tmp_path / 'policy.rego'}:4:" in err
    assert "ran longer than --policy-timeout 1 s: data.main.deny on ConfigMap/n/c" in err
    assert elapsed < 30  # the loop alone would take hours
    assert _children() <= before, "the helper process was left behind"


def test_huge_comprehension_stops_at_the_memory_bound(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESIGNER_POLICY_MEMORY_MB", "256")
    code, err = _validate(tmp_path, HUGE, capsys, "--policy-timeout", "60")
    assert code == 3, err
    assert "ran out of memory (bound: 256 MiB" in err
    assert f"{tmp_path / 'policy.rego'}:4:" in err and "data.main.deny" in err


def test_recursive_function_is_refused_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _validate(tmp_path, RECURSIVE, capsys)
    assert code == 3, err
    assert f"{tmp_path / 'policy.rego'}:4:1:" in err and "data.main.f is recursive" in err


def test_a_spinning_unit_test_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "spin_test.rego").write_text(SPIN.replace('deny contains "x" if', "test_spin if"))
    code = run(["policy", "test", "--no-library", str(tmp_path), "--policy-timeout", "1"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert f"{tmp_path / 'spin_test.rego'}:4:" in err and "test main.test_spin" in err


def test_forked_validate_workers_guard_their_own_evaluations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --jobs, each worker starts its own helper; the findings are those of a serial run."""
    policy = tmp_path / "p.rego"
    policy.write_text(
        'package main\nimport rego.v1\ndeny contains sprintf("%s", [input.metadata.name]) if true\n'
    )
    for index in range(4):
        (tmp_path / f"d{index}.yaml").write_text(DESIGN.replace("name: c", f"name: c{index}") + "#" * 70_000)
    args = [
        "validate",
        *(str(tmp_path / f"d{i}.yaml") for i in range(4)),
        "--no-builtin-policies",
        "--policy",
        str(policy),
        "-o",
        "json",
    ]
    outputs = []
    for jobs in ("1", "2"):
        assert run([*args, "--jobs", jobs]) == 1
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert all(f'"c{i}' in outputs[0] for i in range(4))


def _template(kind: str, rego: str) -> str:
    """A ConstraintTemplate (Rego v0, as Gatekeeper reads it) defining ``kind``."""
    body = "".join(f"        {line}\n" if line else "\n" for line in rego.splitlines())
    return (
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
        f"metadata:\n  name: {kind.lower()}\nspec:\n  crd:\n    spec:\n      names:\n        kind: {kind}\n"
        f"  targets:\n    - target: admission.k8s.gatekeeper.sh\n      rego: |\n{body}"
    )


def _constraint(kind: str, name: str, kinds: str = "ConfigMap") -> str:
    return (
        f"apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: {kind}\nmetadata:\n  name: {name}\n"
        f'spec:\n  match:\n    kinds:\n      - apiGroups: [""]\n        kinds: ["{kinds}"]\n'
    )


GK_SPIN = (
    'package k8sspin\n\nviolation[{"msg": "never"}] {\n  some i, j\n'
    "  numbers.range(1, 100000)[i]\n  numbers.range(1, 100000)[j]\n  i + j < 0\n}\n"
)
GK_HUGE = 'package k8shuge\n\nviolation[{"msg": "x"}] {\n  count([x | x := numbers.range(1, 1000000000)[_]]) > 1\n}\n'
GK_RECURSIVE = 'package k8srec\n\nf(a) = b { b := f(a) }\n\nviolation[{"msg": "x"}] { f(1) }\n'
GK_NAMED = 'package k8snamed\n\nviolation[{"msg": msg}] {\n  msg := sprintf("seen %v", [input.review.object.metadata.name])\n}\n'


def _validate_template(
    tmp_path: Path,
    kind: str,
    rego: str,
    capsys: pytest.CaptureFixture[str],
    *extra: str,
    constraint: bool = True,
) -> tuple[int, str]:
    folder = tmp_path / "gk"
    folder.mkdir()
    (folder / "template.yaml").write_text(_template(kind, rego))
    if constraint:
        (folder / "constraint.yaml").write_text(_constraint(kind, "c1"))
    (tmp_path / "design.yaml").write_text(DESIGN)
    args = ["validate", str(tmp_path / "design.yaml"), "--no-builtin-policies", "--policy", str(folder)]
    code = run([*args, *extra])
    return code, capsys.readouterr().err


def test_a_spinning_template_stops_at_the_timeout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _children()
    code, err = _validate_template(tmp_path, "K8sSpin", GK_SPIN, capsys, "--policy-timeout", "1")
    assert code == 3, err
    # The template's Rego starts on line 13 of its YAML file; the constraint and the object are named.
    assert f"{tmp_path / 'gk' / 'template.yaml'}:13:" in err
    assert (
        "ran longer than --policy-timeout 1 s: data.k8sspin.violation of K8sSpin.c1 on ConfigMap/n/c" in err
    )
    assert _children() <= before, "the helper process was left behind"


def test_a_template_past_the_memory_bound_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESIGNER_POLICY_MEMORY_MB", "256")
    code, err = _validate_template(tmp_path, "K8sHuge", GK_HUGE, capsys, "--policy-timeout", "60")
    assert code == 3, err
    assert "ran out of memory (bound: 256 MiB" in err and "K8sHuge.c1 on ConfigMap/n/c" in err


def test_a_recursive_template_is_refused_at_load_even_when_no_constraint_uses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As Gatekeeper compiles a template when it is created (and refuses recursion then)."""
    code, err = _validate_template(tmp_path, "K8sRec", GK_RECURSIVE, capsys, constraint=False)
    assert code == 3, err
    assert f"{tmp_path / 'gk' / 'template.yaml'}:15:" in err and "data.k8srec.f is recursive" in err


def test_a_templates_helper_ends_with_its_policies_not_at_the_next_garbage_collection(tmp_path: Path) -> None:
    """No reference cycle holds the templates' guard: dropping the policies stops the helper at once."""
    from designer.adapters.registry import AdapterRegistry
    from designer.graph import build_graph
    from designer.loading import load_text
    from designer.policy.evaluator import PolicyOptions, PolicySet
    from designer.rendering import render

    folder = tmp_path / "gk"
    folder.mkdir()
    (folder / "template.yaml").write_text(_template("K8sNamed", GK_NAMED))
    (folder / "constraint.yaml").write_text(_constraint("K8sNamed", "c1"))
    (design,) = load_text(DESIGN, "design.yaml")
    objects = render(design, build_graph(design), AdapterRegistry.from_entry_points())
    gc.collect()
    gc.disable()
    try:
        before = _children()
        policies = PolicySet.load(PolicyOptions(policy_paths=(folder,), builtin=False))
        report = policies.evaluate(objects)
        assert [f.message for f in report.findings] == ["seen c"]
        assert _children() - before, "the reviews ran in a helper process"
        del policies, report
        assert _children() <= before, "the helper outlived its policies"
    finally:
        gc.enable()


def test_verify_names_a_spinning_template_as_its_cases_error_and_runs_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind, rego in (("K8sSpin", GK_SPIN), ("K8sNamed", GK_NAMED)):
        (tmp_path / f"{kind}.yaml").write_text(_template(kind, rego))
        (tmp_path / f"{kind}-constraint.yaml").write_text(_constraint(kind, kind.lower()))
    (tmp_path / "object.yaml").write_text(DESIGN)
    (tmp_path / "suite.yaml").write_text(
        "apiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\ntests:\n"
        + "".join(
            f"  - name: {kind}\n    template: {kind}.yaml\n    constraint: {kind}-constraint.yaml\n"
            f"    cases:\n      - name: cm\n        object: object.yaml\n"
            f"        assertions: [{{violations: {count}}}]\n"
            for kind, count in (("K8sSpin", "no"), ("K8sNamed", 1), ("K8sSpin", "no"))
        )
    )
    before = _children()
    started = time.monotonic()
    code = run(["policy", "verify", str(tmp_path / "suite.yaml"), "--policy-timeout", "1", "-o", "json"])
    out = capsys.readouterr().out
    assert code == 3, out
    assert time.monotonic() - started < 60  # each spinning case alone would take hours
    cases = [
        (t["name"], c) for suite in json.loads(out)["suites"] for t in suite["tests"] for c in t["cases"]
    ]
    assert [(name, case["passed"]) for name, case in cases] == [
        ("K8sSpin", False),
        ("K8sNamed", True),
        ("K8sSpin", False),
    ]
    for name, case in cases:
        if name == "K8sSpin":
            assert (
                "ran longer than --policy-timeout 1 s: data.k8sspin.violation of K8sSpin.k8sspin"
                in case["error"]
            )
            assert "K8sSpin.yaml:13:" in case["error"]
    assert _children() <= before, "the helper process was left behind"


class _Target:
    def crash(self) -> None:
        progress("crashing on purpose")
        os.kill(os.getpid(), signal.SIGSEGV)

    def fail(self) -> None:
        raise PolicyError("a policy error in the helper")

    def pid(self) -> int:
        return os.getpid()


def test_a_crashed_helper_is_a_policy_error_and_is_replaced() -> None:
    guard = Guard(_Target(), timeout=5)
    try:
        with pytest.raises(PolicyError, match=r"segmentation fault.*crashing on purpose"):
            guard.call("crash")
        first = guard.call("pid")
        assert first != os.getpid()  # a new helper took over
        with pytest.raises(PolicyError, match="a policy error in the helper"):
            guard.call("fail")
        assert guard.call("pid") == first  # an error answered by the helper does not end it
    finally:
        guard.close()


def test_other_threads_do_not_unbind_users_policies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A process running other threads (a ``design ui`` server, a test runner's leftovers) still
    evaluates users' Rego in the bounded helper: a spinning policy stops at the timeout instead of
    hanging the process, and no helper is left behind."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    before = _children()
    try:
        assert threading.active_count() > 1
        guard = Guard(_Target(), timeout=5)
        try:
            assert guard.call("pid") != os.getpid()
        finally:
            guard.close()
        code, err = _validate(tmp_path, SPIN, capsys, "--policy-timeout", "1")
        assert code == 3
        assert "ran longer than --policy-timeout 1 s" in err
    finally:
        stop.set()
        thread.join()
    assert _children() <= before, "the helper process was left behind"


def test_without_fork_work_runs_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the platform cannot fork, the work runs here, unbounded (the only such case)."""
    monkeypatch.delattr(os, "fork")
    assert Guard(_Target()).call("pid") == os.getpid()
