"""The sandbox: a Kubernetes API server emulator for learning and testing (no containers run).

It speaks the Kubernetes REST API over HTTP(S) on 127.0.0.1 well enough for the official Python client,
its DynamicClient and the real kubectl: discovery, CRUD, server-side apply with managedFields, patches,
dryRun, watch, finalizers, server defaults and optional toy controllers. Layers, bottom-up:

- designer.kubetypes (outside the sandbox, shared with the loaders): the kinds' fields, types and
  list semantics, from a real server's OpenAPI (built-ins) or a CRD's schema, and list keys;
  resources.py: the kind table (built-ins plus CRDs);
- status.py: API errors as Kubernetes Status bodies;
- store.py: objects, resourceVersions and the event history for watches; selectors.py: label/field selectors;
- fieldsets.py, apply.py, patching.py: FieldsV1 sets, SSA and patches;
- requestoptions.py, fieldcheck.py, defaults.py, validation.py, kindrules.py: request options and
  warnings, field validation and typed decoding (400, 500 for apply), server defaults, and
  validation (names, metadata, keys, the built-in kinds' field rules, selectors, immutable fields: 422);
  crdschema.py, crdvalues.py: a custom resource's defaults, types and value checks from its CRD's
  schema (422);
- operations.py: reads and the one write pipeline; writes.py: POST/PUT/PATCH/apply;
- lifecycle.py: deletion, finalizers, namespaces, CRDs, /scale; controllers.py: optional status writers;
- discovery.py, tables.py, protobuf.py, watch.py, server.py: the HTTP side; faults.py: request log
  and fault injection; daemon.py: the detached process of `design sandbox up --detach`;
- runner.py: run it in a thread or in the foreground; testing.py: the pytest fixtures.

How it differs from a real kube-apiserver is measured and listed in FIDELITY.md.
Callers: designer.cli.sandbox (`design sandbox up`) and the test suites through designer.sandbox.testing.
"""

from __future__ import annotations
