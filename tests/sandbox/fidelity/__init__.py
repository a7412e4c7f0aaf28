"""The differential fidelity suite: scripted request scenarios run against the emulator and a real
kube-apiserver, compared after normalization; the differences left must be the ones
designer/sandbox/FIDELITY.md lists (scenarios/*.yaml, runner.py, normalize.py, compare.py)."""
