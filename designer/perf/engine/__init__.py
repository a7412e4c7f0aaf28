"""Load generators: the built-in asyncio engine and adapters for wrk, hey and fortio.

Each produces a `designer.perf.measurement.Measurement`; `designer.perf.engine.select.run_engine`
picks one by name. Callers: `designer.perf.running`.
"""
