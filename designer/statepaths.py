"""Where designer keeps files between runs, by the XDG base-directory rules (`user_dir`): the detached
sandbox's state file and kubeconfig, the cache of discovered adapters; catalog sources (config) and
perf history (data) take their folders from here too.

A neutral module (standard library only) so both sides of one convention share it without a layering
inversion: `designer.sandbox.daemon` writes there (``design sandbox up``), and
`designer.cluster.kubeconfig` reads there to find the ``designer-sandbox`` context when the user's
own kubeconfig lacks it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SANDBOX_CONTEXT = "designer-sandbox"
"""The kubeconfig context ``design sandbox up`` writes."""


_XDG_BASES = {
    "config": ("XDG_CONFIG_HOME", ".config"),
    "state": ("XDG_STATE_HOME", ".local/state"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
    "data": ("XDG_DATA_HOME", ".local/share"),
}


def user_dir(kind: str) -> Path:
    """designer's folder of one XDG base-directory ``kind`` (config, state, cache or data):
    ``$XDG_<KIND>_HOME/designer``, else the spec's default under the home folder."""
    variable, default = _XDG_BASES[kind]
    base = os.environ.get(variable)
    return (Path(base) if base else Path.home() / default) / "designer"


def sandbox_state_dir() -> Path:
    """``$XDG_STATE_HOME/designer/sandbox`` (default ``~/.local/state/designer/sandbox``)."""
    return user_dir("state") / "sandbox"


def sandbox_state_file() -> Path:
    """The running detached sandbox's ``state.json`` (pid, url, kubeconfig, context)."""
    return sandbox_state_dir() / "state.json"


def sandbox_default_kubeconfig() -> Path:
    """The kubeconfig ``design sandbox up`` writes when given no ``--kubeconfig``."""
    return sandbox_state_dir() / "kubeconfig"


def sandbox_kubeconfigs() -> list[Path]:
    """Existing kubeconfig files a sandbox wrote: the running one's (state file) first, then the default."""
    candidates: list[Path] = []
    try:
        recorded = json.loads(sandbox_state_file().read_text(encoding="utf-8")).get("kubeconfig")
    except (OSError, ValueError, AttributeError):
        recorded = None
    if isinstance(recorded, str) and recorded:
        candidates.append(Path(recorded))
    candidates.append(sandbox_default_kubeconfig())
    return [p for p in dict.fromkeys(candidates) if p.is_file()]


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/designer`` (default ``~/.cache/designer``): data that can be rebuilt at will."""
    return user_dir("cache")
