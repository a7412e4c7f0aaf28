"""Output files of the commands that write them (`design import -o`, `design export -o`): never
overwritten without ``--force``, written through a temporary file and a rename, so a failed command
leaves the target as it was."""

from __future__ import annotations

import os
from pathlib import Path

from designer.errors import DesignerError


def check_target(out: Path, force: bool) -> None:
    """Refuse a folder, and an existing file unless ``force``."""
    if out.is_dir():
        raise DesignerError(f"{out} is a folder", hint="give -o a file name, e.g. -o app-design.yaml")
    if (out.exists() or out.is_symlink()) and not force:
        raise DesignerError(
            f"{out} already exists", hint="pass --force to overwrite it, or choose another -o"
        )


def write_file(out: Path, text: str, force: bool) -> None:
    """Write ``text`` to ``out`` (checked again first) through a temporary file and a rename."""
    check_target(out, force)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DesignerError(f"cannot write {out}: {exc.strerror}") from exc
