"""``compose review DIR``: the review app over a campaign folder (see docs/review.md).

``compose review DIR`` serves the app; ``compose review SUBCOMMAND ...`` runs a subcommand
(export, import, report). A folder named like a subcommand is served when written as a path:
``compose review ./export``.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from composer.cli.review_data import FOLDER, export, import_scorecard, report


class ReviewGroup(click.Group):
    """Subcommands by name; anything else is the folder to serve."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["serve", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "DIR [--host H] [--port N] [--open] | COMMAND [ARGS]...")


@click.group(cls=ReviewGroup)
def review() -> None:
    """Score, approve and regenerate a campaign's results in the browser: `compose review DIR`.

    Example: compose review spring/   (prints the address; --open opens the browser)
    """


for _command in (export, import_scorecard, report):
    review.add_command(_command)


@review.command(hidden=True)
@click.argument("folder", type=FOLDER)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any other than a loopback address needs the token printed at start.")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the review in the default browser.")
def serve(folder: Path, host: str, port: int, open_browser: bool) -> None:
    """Serve the review app for FOLDER."""
    from composer.web.app import create_app
    from composer.web.media import start_warming
    from composer.web.security import Access, is_loopback, new_token
    from composer.web.server import address_of, bind
    from composer.web.server import serve as run

    access = Access(host, token=None if is_loopback(host) else new_token())
    app = create_app(folder, access)
    sock = bind(host, port)
    start_warming(folder, app.state.review.store)
    url = address_of(sock, access.token)
    click.echo(f"Reviewing {folder} at {url}")
    if access.token:
        click.echo(f"token: {access.token} (required on every request; share it only with the reviewers)")
    click.echo("Ctrl-C stops the server.")
    if open_browser:
        webbrowser.open(url)
    run(app, sock)
