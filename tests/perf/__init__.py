"""Perf tests: load against real servers on 127.0.0.1 (a package so helpers import as perf.*)."""
