"""Mutation fuzzing of designer's reading commands (validate, render, graph, import).

`mutation` turns real files into hostile ones (bytes, YAML tokens and structure), `runner` runs one
command on one input in a forked child with a deadline and a memory bound, and `campaign` drives
both for a time budget. The CI test (test_fuzz_commands.py) runs a short campaign;
benchmarks/fuzz_bench.py runs a long one and reports runs and exit-code counts.
"""
