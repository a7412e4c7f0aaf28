"""Pre-merge selection for ``design validate --changed-since REF``: which designs to check.

Changed files are ``git diff --name-only REF`` (committed and uncommitted changes since REF) plus
untracked files that git does not ignore. A design is selected when:

* the design file itself changed, or
* it *references* a changed file. "Reference" is deliberately simple: a changed file in the same folder
  as the design (a values file, a kustomization, a sibling design it is deployed with), or a changed
  file whose name appears in the design's text.

When a policy given with ``--policy`` or the ``--waivers`` file changed, every design is selected:
the verdict on all of them may have changed.

Caller: designer.cli.validate.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from designer.errors import DesignerError


def changed_files(ref: str, cwd: Path | None = None) -> set[Path]:
    """Absolute paths of files changed since ``ref`` (plus untracked ones)."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    diff = _git(["diff", "--name-only", ref, "--"], cwd)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "--full-name"], top)
    names = [line for line in (diff + "\n" + untracked).splitlines() if line.strip()]
    return {(top / name).resolve() for name in names}


def select_designs(
    design_files: Sequence[Path], changed: set[Path], *, always_all: Iterable[Path] = ()
) -> list[Path]:
    """The design files to validate, in their given order."""
    if not changed:
        return []
    for path in always_all:
        resolved = path.resolve()
        if resolved in changed or any(resolved in c.parents for c in changed):
            return list(design_files)
    changed_names = {c.name for c in changed}
    selected: list[Path] = []
    for design in design_files:
        resolved = design.resolve()
        if resolved in changed or any(c.parent == resolved.parent for c in changed):
            selected.append(design)
            continue
        try:
            text = design.read_text(encoding="utf-8")
        except OSError:
            continue
        if any(name in text for name in changed_names):
            selected.append(design)
    return selected


def _git(args: list[str], cwd: Path | None) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError as exc:
        raise DesignerError(
            "--changed-since needs git, which is not installed", hint="install git or drop --changed-since"
        ) from exc
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[0] if done.stderr.strip() else f"exit {done.returncode}"
        raise DesignerError(
            f"git {' '.join(args[:2])} failed: {detail}",
            hint="run inside a git checkout and give a ref that exists (e.g. origin/main)",
        )
    return done.stdout
