"""Kubernetes' own facts about object shapes, shared by the engine and the sandbox.

- shapes.py (+ data/types.json): the fields, types, required fields, enumerated values and list
  semantics of every built-in kind a real kube-apiserver serves (recorded from its OpenAPI by
  scripts/kube-types.py), and custom resources' shapes from their CRD's structural schema;
- listsemantics.py: how a list merges (keyed, set, atomic) and its items' keys;
- values.py: whether a JSON value fits a scalar type, as the API server decodes it (integers and
  their ranges, int-or-string, quantities, base64 bytes);
- conformance.py: every way an object does not fit its shape (unknown fields, wrong types, missing
  required fields, values outside an enumeration, repeated keys of a keyed list).

A leaf package: it imports nothing of designer's but `designer.quantities`. The loaders check designs
with it (designer.loading.apifields); the sandbox answers requests with it (fieldcheck, fieldsets,
apply, patching). Neither imports the other.
"""
