"""The shipped .pre-commit-hooks.yaml: the hook ids, and that each entry is a real `design` command."""

from __future__ import annotations

import shlex

import yaml

from designer.cli.main import COMMANDS, run
from tests.conftest import ROOT


def test_hooks_name_real_commands(capsys: object) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"design-validate", "design-policy-test"}
    validate = by_id["design-validate"]
    assert validate["files"] == r"\.(ya?ml)$"
    assert validate["pass_filenames"] is True
    for hook in hooks:
        argv = shlex.split(hook["entry"])
        assert argv[0] == "design"
        assert argv[1] in COMMANDS
        assert hook["language"] == "python"
        assert run([*argv[1:], "--help"]) == 0
