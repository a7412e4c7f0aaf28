"""`design ui [PATH...]`: a local web interface to the designs under PATH (graph, findings, plan,
apply, perf results, catalog), served by designer.ui on 127.0.0.1 until interrupted.

This module only checks the options (a non-loopback --host needs --token-file) and prints the URL;
the server and everything it shows live in designer.ui (imported here, so `design` itself never
loads aiohttp for other commands).
"""

from __future__ import annotations

from pathlib import Path

import click

from designer.errors import DesignerError, ExitCode


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--context",
    "contexts",
    multiple=True,
    help="Kube context the UI may plan (and, with --allow-apply, apply) against; repeatable "
    "[default: every context of the kubeconfig].",
)
@click.option("--kubeconfig", type=click.Path(dir_okay=False, path_type=str), help="Kubeconfig file.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="0: any free port."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the access token from this file instead of making a random one (needed with a "
    "non-loopback --host).",
)
@click.option("--allow-apply", is_flag=True, help="Let the UI apply and delete designs (off by default).")
@click.option(
    "--history",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Perf history database [default: DESIGNER_PERF_DB or designer's data folder].",
)
@click.option("--open/--no-open", "open_browser", default=False, show_default=True, help="Open a browser.")
@click.pass_context
def ui(
    ctx: click.Context,
    paths: tuple[str, ...],
    contexts: tuple[str, ...],
    kubeconfig: str | None,
    port: int,
    host: str,
    token_file: Path | None,
    allow_apply: bool,
    history: Path | None,
    open_browser: bool,
) -> None:
    """Serve a local web UI for the designs in PATHs (default: the current folder).

    Every request needs the token the printed URL carries once; the browser keeps it as a cookie.
    Only files under PATHs are read. Nothing changes a cluster unless --allow-apply is given.
    """
    from designer.ui import security
    from designer.ui.server import serve
    from designer.ui.state import Settings

    if not security.is_loopback(host) and token_file is None:
        raise click.UsageError(
            f"--host {host} is not a loopback address: anyone who can reach it could use the UI; "
            "give a token with --token-file (and prefer an SSH tunnel to 127.0.0.1)"
        )
    token = security.read_token_file(token_file) if token_file is not None else security.new_token()
    settings = Settings(
        paths=paths or (".",),
        token=token,
        host=host,
        port=port,
        contexts=contexts,
        kubeconfig=kubeconfig,
        allow_apply=allow_apply,
        history=history,
    )

    def announce(url: str) -> None:
        click.echo(f"design ui: serving {', '.join(settings.paths)} at", err=True)
        click.echo(url)
        if allow_apply:
            click.echo("apply and delete are ON (--allow-apply)", err=True)
        click.echo("press Ctrl-C to stop", err=True)

    try:
        serve(settings, open_browser=open_browser, announce=announce)
    except OSError as exc:
        raise DesignerError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another --port (0: any free port)",
        ) from exc
    except KeyboardInterrupt:
        pass
    ctx.exit(int(ExitCode.OK))
