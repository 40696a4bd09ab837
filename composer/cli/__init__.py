"""The ``compose`` command line: thin commands over the composer library.

Commands live one group per module and are imported only when invoked, so ``compose shot`` never
pays for the generation client or the TUI. This module is the only place where errors become exit
codes: a ``ComposerError`` prints ``Error: <one line>`` on stderr and exits 1 (2 for a setting
that does not parse, ``SettingsError``). The group builds the ``Settings`` once, from the flags and
the environment, and every command reads them from the context (``cli.options.cli_settings``).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from composer import logs
from composer.cli.options import LIBRARY_HELP
from composer.errors import ComposerError
from composer.settings import Settings, use_settings

COMMANDS: dict[str, tuple[str, str]] = {
    "shot": ("composer.cli.shot", "shot"),
    "init": ("composer.cli.init", "init"),
    "list": ("composer.cli.browse", "list_assets"),
    "show": ("composer.cli.browse", "show"),
    "validate": ("composer.cli.check", "validate"),
    "lint": ("composer.cli.check", "lint"),
    "campaign": ("composer.cli.campaign", "campaign"),
    "generate": ("composer.cli.generate", "generate"),
    "credits": ("composer.cli.generate", "credits"),
    "qc": ("composer.cli.qc", "qc"),
    "prices": ("composer.cli.prices", "prices"),
    "tui": ("composer.cli.tui", "tui"),
    "review": ("composer.cli.review", "review"),
    "frame": ("composer.cli.frame", "frame"),
}
"""Command name -> (module, attribute); each is imported on first use."""

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 128 + 13
"""What a shell reports for a process that SIGPIPE ended: ``compose list | head -1`` is not an error."""


class ComposeGroup(click.Group):
    """A group that imports commands lazily and turns library errors into one-line messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # inside the try: a reader that went away is seen here, not at exit
            return result
        except BrokenPipeError:
            _quiet_broken_pipe()
        except ComposerError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(getattr(exc, "exit_code", EXIT_ERROR))
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:  # a bug, not bad input: still one line, with a way to see more
            if isinstance(ctx.obj, Settings) and ctx.obj.debug:
                raise
            click.echo(
                f"Error: internal error: {type(exc).__name__}: {exc} (set COMPOSER_DEBUG=1 for a traceback)", err=True
            )
            sys.exit(70)


def _quiet_broken_pipe() -> None:
    """End quietly, as Unix tools do when the reader of their output closed the pipe.

    stdout is pointed at /dev/null first, so the interpreter's final flush of what is still
    buffered cannot raise again on the way out (Python's documented recipe for SIGPIPE).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_BROKEN_PIPE)


@click.group(cls=ComposeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="composer", prog_name="compose")
@click.option("--library", "library_dir", type=click.Path(path_type=Path, file_okay=False), help=LIBRARY_HELP)
@click.option("--verbose", "-v", is_flag=True,
              help="Log requests, retries and cache decisions on stderr (never a key; COMPOSER_LOG=info|debug).")
@click.pass_context
def main(ctx: click.Context, library_dir: Path | None, verbose: bool) -> None:
    """Compose brand-constrained image briefs from brand kits, character bibles, styles and scenes.

    The library is found from --library, else $COMPOSER_LIBRARY, else the current directory when it
    holds one, else the example library bundled with composer. Settings: a flag, else the
    environment (COMPOSER_*, KIE_*, OPENAI_*; see docs/generation.md), else the built-in default.
    """
    ctx.obj = Settings.from_env(library=library_dir, verbose=verbose)  # the one place the CLI reads os.environ
    use_settings(ctx.obj)
    ctx.call_on_close(lambda: logs.enable(None))
