"""RBAC on the real kube-apiserver: what each command does for a user with no rights, with read rights
only, and with exactly the rights its error asked for.

- No rights (the control plane's ``sandbox-restricted`` token user): `design diff`, `apply`, `delete`
  and `validate --inventory-context` exit 3, no traceback, with the server's refusal (verb, resource,
  namespace, user) and a hint naming the Role to ask for and the ``kubectl auth can-i`` line, which
  kubectl itself answers "no" to.
- Read only (a ServiceAccount bound to get/list/watch): `diff` still works, comparing locally where
  the dry run is forbidden and saying so (less precise, forbidden for that user); `apply` stops
  before its first write, naming every object it may not write; `delete` is refused with exit 3.
- The hint is enough: granting what each error asks for (its Role, with the command's verbs) makes
  the command pass after one grant per kind, never one per verb.

The emulator does no RBAC: these run on the real control plane only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from designer.cli.main import run
from designer.cluster.access import COMMAND_VERBS, Refusal
from designer.sandbox.testing import EMULATOR, engines
from designer.sandbox.upstream.controlplane import RESTRICTED_USER, ControlPlane
from tests import requirements
from tests.cluster import authkit
from tests.policy.referential import DESIGN as REFERENTIAL_DESIGN
from tests.policy.referential import UNIQUE_HOST

pytestmark = pytest.mark.skipif(
    engines() == [EMULATOR], reason="the emulator does no RBAC: these run on the real control plane only"
)


@pytest.fixture
def admin(control_plane: ControlPlane) -> Iterator[authkit.Admin]:
    with authkit.admin_of(control_plane) as found:
        yield found


def _restricted(
    command: str, plane: ControlPlane, tmp_path: Path, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> int:
    assert plane.kubeconfig_path is not None
    if command == "validate":
        monkeypatch.setenv("KUBECONFIG", str(plane.kubeconfig_path))
        args = ["validate", str(REFERENTIAL_DESIGN), *UNIQUE_HOST, "--no-builtin-policies"]
        return run([*args, "--inventory-context", plane.restricted_context])
    return authkit.design(
        command, authkit.design_file(tmp_path), plane.kubeconfig_path, plane.restricted_context, namespace
    )


# command -> (the refused request as the server states it, where)
REFUSED = {
    "diff": ('cannot get resource "configmaps" in API group ""', "namespace"),
    "apply": ('cannot get resource "configmaps" in API group ""', "namespace"),
    "delete": ('cannot get resource "configmaps" in API group ""', "namespace"),
    "validate": ('cannot list resource "ingresses" in API group "networking.k8s.io"', "cluster"),
}


@pytest.mark.parametrize("command", REFUSED)
def test_a_user_without_rights_gets_a_clear_error_from_each_command(
    command: str,
    admin: authkit.Admin,
    control_plane: ControlPlane,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    namespace = admin.namespace()
    code = _restricted(command, control_plane, tmp_path, namespace, monkeypatch)
    out, err = capsys.readouterr()
    assert code == 3 and "Traceback" not in err + out
    sentence, scope = REFUSED[command]
    where = f'in the namespace "{namespace}"' if scope == "namespace" else "at the cluster scope"
    assert "error: " in err and f'User "{RESTRICTED_USER}" {sentence} {where}' in err
    refusal = Refusal.parse(err)
    assert refusal is not None and refusal.user == RESTRICTED_USER
    hint = err.split("  hint: ", 1)[1]
    role = f"a Role in namespace {namespace}" if scope == "namespace" else "a ClusterRole"
    verbs = COMMAND_VERBS[command]
    assert hint.startswith(f'ask a cluster admin for {role} bound to User "{RESTRICTED_USER}"')
    assert (
        f"allows {' and '.join(verbs) if len(verbs) < 3 else ', '.join(verbs[:-1]) + ' and ' + verbs[-1]} on"
        in hint
    )
    assert f"(what `design {command}` does)" in hint
    can_i = hint.split("check with `", 1)[1].split("`", 1)[0]
    kubectl = requirements.executable("kubectl", install="apt-get install kubernetes-client")
    asked = subprocess.run(
        [kubectl, *can_i.split()[1:]], capture_output=True, text=True, timeout=60, check=False
    )
    assert (asked.returncode, asked.stdout.strip()) == (1, "no"), (
        asked.stderr
    )  # kubectl asks the same question


def test_no_traceback_in_a_real_process(control_plane: ControlPlane, tmp_path: Path) -> None:
    """The same refusal from the installed `design` program: stderr holds the error and hint only."""
    assert control_plane.kubeconfig_path is not None
    design = authkit.design_file(tmp_path)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("design")), "apply", str(design), "--yes",
         "--kubeconfig", str(control_plane.kubeconfig_path), "--context", control_plane.restricted_context],
        capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(
        'error: get ConfigMap/authz/settings: configmaps "settings" is forbidden: User "'
    )
    assert (
        lines[1].startswith("  hint: ask a cluster admin for a Role in namespace authz") and len(lines) == 2
    )


@pytest.fixture
def reader(admin: authkit.Admin, control_plane: ControlPlane, tmp_path: Path) -> tuple[str, Path, str]:
    """(namespace, kubeconfig, user): the design applied by the admin; a ServiceAccount that may only read."""
    assert control_plane.kubeconfig_path is not None
    namespace = admin.namespace()
    design = authkit.design_file(tmp_path)
    assert (
        authkit.design("apply", design, control_plane.kubeconfig_path, control_plane.context, namespace) == 0
    )
    token = admin.service_account_token(namespace, "auditor")
    admin.grant(
        namespace, {"kind": "ServiceAccount", "name": "auditor", "namespace": namespace}, authkit.READ
    )
    kubeconfig = authkit.user_kubeconfig(tmp_path / "reader", admin.cluster, {"token": token})
    design.write_text(authkit.DESIGN.replace("color: blue", "color: red") + _EXTRA, encoding="utf-8")
    return namespace, kubeconfig, f"system:serviceaccount:{namespace}:auditor"


_EXTRA = """\
- name: extra
  kind: ConfigMap
  apiVersion: v1
  namespace: ${ns}
  settings:
    data: {added: "yes"}
"""


def test_a_reader_gets_a_less_precise_diff_that_says_why(
    reader: tuple[str, Path, str], admin: authkit.Admin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace, kubeconfig, user = reader
    design = tmp_path / "authz.yaml"
    capsys.readouterr()
    assert authkit.design("diff", design, kubeconfig, "me", namespace, "-o", "json", "--exit-code") == 1
    plan = json.loads(capsys.readouterr().out)
    steps = {s["object"]["name"]: s for s in plan["steps"]}
    assert {n: s["action"] for n, s in steps.items()} == {
        "settings": "update",
        "web": "noop",
        "extra": "create",
    }
    for step in steps.values():
        assert step["server_validated"] is False
        assert step["reason"].startswith(
            f"less precise: compared locally, the dry run is forbidden for user {user}"
        )
        assert (
            f"patch on {'configmaps' if step['object']['kind'] == 'ConfigMap' else 'services'} in namespace {namespace}"
            in step["reason"]
        )
    assert [(c["path"], c["before"], c["after"]) for c in steps["settings"]["changes"]] == [
        ("data.color", "blue", "red")
    ]
    assert plan["notes"][0].startswith(
        f"3 object(s) compared locally because {user} may read but not write them"
    )

    assert authkit.design("diff", design, kubeconfig, "me", namespace) == 0
    text = capsys.readouterr().out
    assert f"update ConfigMap/{namespace}/settings (less precise: dry run forbidden for {user})" in text
    assert admin.config_maps(namespace) == ["designer-inventory-authz", "kube-root-ca.crt", "settings"]


def test_a_reader_cannot_apply_and_nothing_is_written(
    reader: tuple[str, Path, str], admin: authkit.Admin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace, kubeconfig, user = reader
    capsys.readouterr()
    assert authkit.design("apply", tmp_path / "authz.yaml", kubeconfig, "me", namespace) == 3
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: {user} may read but not write 3 object(s) of design authz on context me, so nothing was applied"
    )
    for line in (
        f"patch configmaps in namespace {namespace} (ConfigMap/{namespace}/settings)",
        f"patch services in namespace {namespace} (Service/{namespace}/web)",
        f"patch configmaps in namespace {namespace} (ConfigMap/{namespace}/extra)",
    ):
        assert f"\n  {line}" in err
    assert (
        f"a Role in namespace {namespace} bound to ServiceAccount auditor (namespace {namespace}) by a RoleBinding that allows get, list, create and patch on configmaps and services"
        in err
    )
    assert admin.config_maps(namespace) == ["designer-inventory-authz", "kube-root-ca.crt", "settings"]


def test_a_reader_cannot_delete(
    reader: tuple[str, Path, str], admin: authkit.Admin, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace, kubeconfig, user = reader
    capsys.readouterr()
    assert authkit.design("delete", tmp_path / "authz.yaml", kubeconfig, "me", namespace) == 3
    out, err = capsys.readouterr()
    err += out  # the run's summary, with each failure's hint
    assert f'User "{user}" cannot delete resource "' in err and f'in the namespace "{namespace}"' in err
    assert "that allows get, list and delete on " in err and "(what `design delete` does)" in err
    assert "settings" in admin.config_maps(namespace)


@pytest.mark.parametrize("command", ["apply", "diff", "delete", "validate"])
def test_the_rights_a_refusal_asks_for_are_enough(
    command: str,
    admin: authkit.Admin,
    control_plane: ControlPlane,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A user with no rights is granted, round after round, exactly what each error asks for: a Role
    (a ClusterRole when the refusal is cluster-wide) with the command's verbs on the refused kind."""
    namespace = admin.namespace()
    name = f"carol-{uuid.uuid4().hex[:6]}"
    token = admin.service_account_token(namespace, name)
    subject = {"kind": "ServiceAccount", "name": name, "namespace": namespace}
    kubeconfig = authkit.user_kubeconfig(tmp_path / "config", admin.cluster, {"token": token})
    design = authkit.design_file(tmp_path)
    if command == "delete":  # something to delete, applied by the admin
        assert control_plane.kubeconfig_path is not None
        admin_kubeconfig = control_plane.kubeconfig_path
        assert authkit.design("apply", design, admin_kubeconfig, control_plane.context, namespace) == 0
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))  # --inventory-context finds it as kubectl would
    granted: list[str] = []
    for _ in range(4):
        capsys.readouterr()
        if command == "validate":
            args = ["validate", str(REFERENTIAL_DESIGN), *UNIQUE_HOST, "--no-builtin-policies"]
            code = run([*args, "--inventory-context", "me"])
        else:
            code = authkit.design(command, design, kubeconfig, "me", namespace)
        out, err = capsys.readouterr()
        err += out  # apply's and delete's summaries print each failure's hint
        if code != 3:
            break
        refusal = Refusal.parse(err)
        assert refusal is not None, err
        rule = {
            "apiGroups": [refusal.group],
            "resources": [refusal.resource],
            "verbs": list(COMMAND_VERBS[command]),
        }
        if refusal.needs_cluster_role:
            assert "a ClusterRole bound to" in err
            admin.grant_cluster(subject, [rule])
        else:
            assert refusal.namespace == namespace and f"a Role in namespace {namespace}" in err
            admin.grant(namespace, subject, [rule])
        granted.append(refusal.resource_name)
    assert code in (0, 1), err  # 1: validate's findings; the cluster was read
    assert "less precise" not in out
    # one grant per kind the command touches: each grant's verbs covered every later request on that kind
    assert sorted(granted) == (
        ["ingresses.networking.k8s.io"] if command == "validate" else ["configmaps", "services"]
    )
    if command == "delete":
        assert admin.config_maps(namespace) == ["kube-root-ca.crt"]
