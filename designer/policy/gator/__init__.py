"""``design policy verify``: gator suite files (``kind: Suite``, ``test.gatekeeper.sh``) run as ``gator verify``.

`suites` finds and reads suite files (tests, cases, assertions; every problem of a case is that case's
error, at its file and line), `running` runs them through the Gatekeeper support of designer.policy
(templates compiled once per test, a fresh engine per case with the case's inventory), `expansion`
implements ExpansionTemplates, and `output` renders the results as gator's text, JSON
(schemas/verify.schema.json) or JUnit XML.

Caller: designer.cli.policy (``verify``).
"""
