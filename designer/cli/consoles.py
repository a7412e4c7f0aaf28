"""The rich console the commands print tables and plans on (stdout).

One definition so every command behaves alike: rich honours NO_COLOR itself, and off a terminal it
writes plain text without escape codes, 200 columns wide so CI logs do not get tables squeezed to 80.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console


def stdout_console() -> Console:
    """A console on stdout: terminal width on a TTY, 200 columns otherwise."""
    return Console(
        file=sys.stdout,
        highlight=False,
        width=None if sys.stdout.isatty() else 200,
        no_color=bool(os.environ.get("NO_COLOR")),
    )
