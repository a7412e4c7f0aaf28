"""`design sandbox up|down|status`: run the Kubernetes API emulator for learning and testing.

Parses options, starts or stops the server through designer.sandbox.runner/daemon, and prints how to
point kubectl at it. The emulator itself lives in designer/sandbox/.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from designer import statepaths
from designer.errors import ClusterError, ExitCode
from designer.sandbox import daemon


@click.group()
def sandbox() -> None:
    """A local Kubernetes API emulator, for learning and testing designs.

    It answers the Kubernetes API (discovery, CRUD, server-side apply, dry runs, watches, CRDs) so
    kubectl, `design diff` and `design apply` work against it, but it runs no containers: there are no
    nodes, pods never start, and with --controllers workloads simply report themselves ready.
    Data lives in memory and is gone when it stops.
    """


def _print_usage(state: daemon.SandboxState, output: str) -> None:
    if output == "json":
        click.echo(
            json.dumps(
                {
                    "schema_version": 1,
                    "url": state.url,
                    "kubeconfig": state.kubeconfig,
                    "context": state.context,
                    "pid": state.pid,
                }
            )
        )
        return
    click.echo(f"sandbox API server: {state.url}  (an emulator: no containers run)")
    click.echo(f"export KUBECONFIG={state.kubeconfig}")
    click.echo(f"kubectl --context {state.context} get namespaces")


@sandbox.command()
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
    help="Let Deployments, Jobs, PVCs and Pods report ready/complete/bound.",
)
@click.option("--detach", is_flag=True, help="Run in the background; stop it with `design sandbox down`.")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def up(port: int, kubeconfig_path: Path | None, controllers: bool, detach: bool, output: str) -> None:
    """Start the emulator and write the kubeconfig context `designer-sandbox`."""
    target = (kubeconfig_path or statepaths.sandbox_default_kubeconfig()).resolve()
    if detach:
        args = ["--port", str(port), "--kubeconfig", str(target), "--output", "json"]
        args.append("--controllers" if controllers else "--no-controllers")
        _print_usage(daemon.spawn(args), output)
        return
    from designer.sandbox.runner import Sandbox, merge_kubeconfig

    server = Sandbox(port=port, controllers=controllers, keep_requests=False)

    def ready() -> None:
        merge_kubeconfig(target, server.url, statepaths.SANDBOX_CONTEXT)
        state = daemon.SandboxState(
            pid=os.getpid(), url=server.url, kubeconfig=str(target), context=statepaths.SANDBOX_CONTEXT
        )
        daemon.write_state(state)
        _print_usage(state, output)
        click.echo("serving; press Ctrl-C to stop", err=True)

    try:
        server.serve_forever(on_ready=ready)
    except OSError as exc:
        raise ClusterError(
            f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}",
            hint="choose another --port, or 0 for any free port",
        ) from exc
    finally:
        state = daemon.read_state()
        if state is not None and state.pid == os.getpid():
            statepaths.sandbox_state_file().unlink(missing_ok=True)


@sandbox.command()
def down() -> None:
    """Stop the sandbox started with `design sandbox up --detach`."""
    state = daemon.stop()
    click.echo(f"stopped the sandbox (pid {state.pid}, {state.url})")


@sandbox.command()
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def status(ctx: click.Context, output: str) -> None:
    """Show the detached sandbox, if any (exit 1 when none runs)."""
    state = daemon.read_state()
    if state is None or not daemon.alive(state.pid):
        if output == "json":
            click.echo(json.dumps({"schema_version": 1, "running": False}))
        else:
            click.echo("no detached sandbox is running")
        ctx.exit(int(ExitCode.FINDINGS))
    assert state is not None
    _print_usage(state, output)
