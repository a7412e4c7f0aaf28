"""Policy evaluation: built-in Rego checks, users' conftest and Gatekeeper policies, waivers and reports.

`designer.policy.backend` is the only importer of regorus; `designer.policy.evaluator` is the entry point
used by ``design validate``.
"""
