"""The apply engine: Plan execution in dependency order with readiness gates, prune, rollback, delete.

engine.py (apply_plan) drives scheduler.py (bounded DAG execution), writing.py (server-side apply
with retries, conflicts, replace), waiting.py (readiness and deletion waits), pruning.py,
rollback.py and deleting.py; events.py holds the progress events and the run result; limiting.py
is ``--concurrency`` (at most N requests in flight, however many component threads wait).
"""
