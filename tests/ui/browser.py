"""Debian's Chromium driven headless by Playwright, as the UI tests, benchmarks and screenshots use it.

Playwright's own browser download cannot run here, so it is launched on the system Chromium
(``/usr/bin/chromium``, or ``$DESIGNER_CHROMIUM``) with a new empty profile and the flags a headless
machine without a GPU, sandbox or network needs. `page_errors` collects what a person's console would
show as errors (console errors, uncaught exceptions, CSP violations). Callers: tests/ui/, benchmarks/ui_bench.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("DESIGNER_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium executable, or None when it is not installed."""
    return CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")


@contextmanager
def browser_context(viewport: tuple[int, int] = (1400, 850)) -> Iterator[Any]:
    """A Playwright browser context on the system Chromium with a fresh profile (closed afterwards)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("chromium is not installed: apt-get install chromium chromium-driver")
    profile = tempfile.mkdtemp(prefix="designer-ui-chromium-")
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=executable,
                headless=True,
                args=FLAGS,
                viewport={"width": viewport[0], "height": viewport[1]},
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def page_errors(page: Any) -> list[str]:
    """A list that fills with every console error and uncaught exception of ``page``."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"exception: {exc}"))
    return errors
