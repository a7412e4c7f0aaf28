"""Pick and run a load generator by name; every engine returns the same `Measurement`.

Caller: `designer.perf.running`.
"""

from __future__ import annotations

from designer.errors import ProfileError
from designer.perf.engine import fortio, hey, workers, wrk
from designer.perf.engine.builtin import ProgressFn
from designer.perf.measurement import Measurement
from designer.perf.profile import ENGINES, Profile


def run_engine(profile: Profile, progress: ProgressFn | None = None) -> Measurement:
    """Run ``profile`` on ``profile.engine``."""
    if profile.duration_s <= 0:
        raise ProfileError(f"profile {profile.name!r}: duration must be positive", hint="e.g. --duration 10s")
    if profile.rate is not None and profile.rate <= 0:
        raise ProfileError(f"profile {profile.name!r}: rate must be positive", hint="or use --closed")
    if profile.connections < 1:
        raise ProfileError(f"profile {profile.name!r}: connections must be at least 1")
    if profile.engine == "builtin":
        return workers.run_builtin(profile, progress)
    if profile.engine == "wrk":
        return wrk.run(profile)
    if profile.engine == "hey":
        return hey.run(profile)
    if profile.engine == "fortio":
        return fortio.run(profile)
    raise ProfileError(f"unknown engine {profile.engine!r}", hint=f"one of {', '.join(ENGINES)}")
