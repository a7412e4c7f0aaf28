"""`design sandbox up|down|status`: run a local Kubernetes API for learning and testing.

Parses options, starts or stops the server through designer.sandbox.runner (the emulator),
designer.sandbox.upstream (``--engine kube-apiserver``: a real control plane) and designer.sandbox.daemon
(detached runs, the state file), and prints how to point kubectl at it.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
from pathlib import Path

import click

from designer import statepaths
from designer.errors import ClusterError, ExitCode
from designer.sandbox import daemon


@click.group()
def sandbox() -> None:
    """A local Kubernetes API emulator (or a real control plane), for learning and testing designs.

    The default engine answers the Kubernetes API (discovery, CRUD, server-side apply, dry runs,
    watches, CRDs) so kubectl, `design diff` and `design apply` work against it, but it runs no
    containers: there are no nodes, pods never start, and with --controllers workloads simply report
    themselves ready. Data lives in memory and is gone when it stops. `--engine kube-apiserver` runs
    upstream etcd, kube-apiserver and kube-controller-manager instead, with a simulated kubelet.
    """


ENGINES = ("emulator", "kube-apiserver")
_OUTPUT = click.option(
    "-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def _print_usage(state: daemon.SandboxState, output: str) -> None:
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "schema_version": 1,
                    "engine": state.engine,
                    "url": state.url,
                    "kubeconfig": state.kubeconfig,
                    "context": state.context,
                    "pid": state.pid,
                    "pids": state.pids or {state.engine: state.pid},
                }
            )
        )
        return
    if state.engine == "emulator":
        click.echo(f"sandbox API server: {state.url}  (an emulator: no containers run)")
    else:
        parts = ", ".join(f"{name} {pid}" for name, pid in state.pids.items())
        click.echo(f"sandbox API server: {state.url}  (a real kube-apiserver; pids: {parts})")
        click.echo(f"restricted user (no rights): --context {state.context}-restricted")
    click.echo(f"export KUBECONFIG={state.kubeconfig}")
    click.echo(f"kubectl --context {state.context} get namespaces")


def _check_port(port: int) -> None:
    """Say "address in use" at once instead of leaving it in a detached child's log."""
    if port == 0:
        return
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise ClusterError(
                f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}",
                hint="choose another --port, or 0 for any free port",
            ) from exc


@sandbox.command()
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="emulator",
    show_default=True,
    help="emulator: designer's in-memory API emulator (instant, needs nothing). kube-apiserver: upstream "
    "etcd, kube-apiserver and kube-controller-manager with a simulated kubelet (needs the binaries).",
)
@click.option(
    "--binaries",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder with etcd, kube-apiserver and kube-controller-manager (kube-apiserver engine; default: "
    "$KUBEBUILDER_ASSETS, then what scripts/build-control-plane.sh built).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--kubeconfig",
    "kubeconfig_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Kubeconfig file to merge the context into (default: a file in the state dir).",
)
@click.option(
    "--controllers/--no-controllers",
    default=True,
    show_default=True,
    help="Emulator: let Deployments, Jobs, PVCs and Pods report ready/complete/bound.",
)
@click.option("--detach", is_flag=True, help="Run in the background; stop it with `design sandbox down`.")
@_OUTPUT
def up(
    engine: str,
    binaries: Path | None,
    port: int,
    kubeconfig_path: Path | None,
    controllers: bool,
    detach: bool,
    output: str,
) -> None:
    """Start a sandbox and write the kubeconfig context `designer-sandbox`."""
    if binaries is not None and engine != "kube-apiserver":
        raise click.UsageError("--binaries needs --engine kube-apiserver")
    target = (kubeconfig_path or statepaths.sandbox_default_kubeconfig()).resolve()
    daemon.refuse_second()
    _check_port(port)
    if engine == "kube-apiserver":
        from designer.sandbox.upstream import binaries as finding

        binaries = finding.find(binaries).folder  # said here, not from a detached child's log
    if detach:
        args = ["--engine", engine, "--port", str(port), "--kubeconfig", str(target), "--output", "json"]
        args.append("--controllers" if controllers else "--no-controllers")
        if binaries is not None:
            args += ["--binaries", str(binaries.resolve())]
        _print_usage(daemon.spawn(args, timeout=15.0 if engine == "emulator" else 120.0), output)
        return
    if engine == "emulator":
        _serve_emulator(port, controllers, target, output)
    else:
        _serve_control_plane(port, binaries, target, output)


def _announce(state: daemon.SandboxState, output: str) -> None:
    daemon.write_state(state)
    _print_usage(state, output)
    click.echo("serving; press Ctrl-C to stop", err=True)


def _forget_state() -> None:
    state = daemon.read_state()
    if state is not None and state.pid == os.getpid():
        statepaths.sandbox_state_file().unlink(missing_ok=True)


def _serve_emulator(port: int, controllers: bool, target: Path, output: str) -> None:
    import shutil

    from designer.sandbox import kubeconfigs
    from designer.sandbox.runner import Sandbox, TlsFiles
    from designer.sandbox.upstream import pki

    # Anyone on the host can reach 127.0.0.1: only holders of the kubeconfig's token get in, over TLS
    # (kubectl sends no token over plain HTTP). The CA is made now and removed at exit.
    folder = statepaths.sandbox_state_dir() / "emulator-tls"
    shutil.rmtree(folder, ignore_errors=True)
    ca, served = pki.serving(folder)
    token = secrets.token_urlsafe(32)
    server = Sandbox(
        port=port,
        controllers=controllers,
        keep_requests=False,
        token=token,
        tls=TlsFiles(ca.cert, served.cert, served.key),
    )

    def ready() -> None:
        kubeconfigs.merge(target, [server.entry(statepaths.SANDBOX_CONTEXT)])
        pid = os.getpid()
        _announce(
            daemon.SandboxState(
                pid, server.url, str(target), statepaths.SANDBOX_CONTEXT, started=daemon.process_start(pid)
            ),
            output,
        )

    try:
        server.serve_forever(on_ready=ready)
    except OSError as exc:
        raise ClusterError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}",
            hint="choose another --port, or 0 for any free port",
        ) from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _forget_state()


def _serve_control_plane(port: int, binaries: Path | None, target: Path, output: str) -> None:
    from designer.sandbox import kubeconfigs
    from designer.sandbox.upstream import binaries as finding
    from designer.sandbox.upstream.controlplane import ENGINE, ControlPlane

    plane = ControlPlane(finding.find(binaries), port=port, state_dir=statepaths.sandbox_state_dir() / ENGINE)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    try:
        plane.start()
        kubeconfigs.merge(target, plane.entries(statepaths.SANDBOX_CONTEXT))
        pid = os.getpid()
        state = daemon.SandboxState(
            pid,
            plane.url,
            str(target),
            statepaths.SANDBOX_CONTEXT,
            ENGINE,
            plane.pids,
            daemon.process_start(pid),
        )
        _announce(state, output)
        plane.supervise()
    except KeyboardInterrupt:
        pass
    finally:
        plane.stop()
        _forget_state()


@sandbox.command()
@_OUTPUT
def down(output: str) -> None:
    """Stop the running sandbox (every process of it) and remove its data."""
    state = daemon.stop()
    if output == "json":
        click.echo(
            json.dumps({"schema_version": 1, "stopped": True, "engine": state.engine, "pid": state.pid})
        )
    else:
        click.echo(f"stopped the sandbox (pid {state.pid}, {state.engine}, {state.url})")


@sandbox.command()
@_OUTPUT
@click.pass_context
def status(ctx: click.Context, output: str) -> None:
    """Show the running sandbox and its engine, if any (exit 1 when none runs)."""
    state = daemon.read_state()
    if state is None or not daemon.running(state):
        if output == "json":
            click.echo(json.dumps({"schema_version": 1, "running": False}))
        else:
            click.echo("no detached sandbox is running")
        ctx.exit(int(ExitCode.FINDINGS))
    assert state is not None
    _print_usage(state, output)
